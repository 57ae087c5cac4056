package wire

import "bullpen/internal/bullpen"

// MayWatch applies the access rules: any role may watch floor and contests (ingest never
// gets this far), a rep channel only that rep, managers and admins, a team's targets channel
// staff, displays and the team's reps (whose team the caller checks against the directory), a
// screen's channel staff and the display tokens bound to that screen.
func MayWatch(t bullpen.Token, ch Channel) error {
	if ch.Kind == KindScreen {
		switch {
		case t.Role == bullpen.RoleAdmin || t.Role == bullpen.RoleManager:
			return nil
		case t.Role == bullpen.RoleDisplay && t.ScreenID == ch.ID:
			return nil
		}
		return bullpen.Errorf(bullpen.EPermission, "a %s token may not watch %s: only the displays bound to that screen", t.Role, ch.Name)
	}
	if ch.Kind == KindTargets {
		switch t.Role {
		case bullpen.RoleAdmin, bullpen.RoleManager, bullpen.RoleDisplay, bullpen.RoleRep:
			return nil
		}
		return bullpen.Errorf(bullpen.EPermission, "a %s token may not watch %s", t.Role, ch.Name)
	}
	if ch.Kind != KindRep {
		return nil
	}
	switch {
	case t.Role == bullpen.RoleAdmin || t.Role == bullpen.RoleManager:
		return nil
	case t.Role == bullpen.RoleRep && t.RepID == ch.ID:
		return nil
	}
	return bullpen.Errorf(bullpen.EPermission, "a %s token may not watch %s", t.Role, ch.Name)
}
