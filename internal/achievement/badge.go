package achievement

import (
	"time"

	"bullpen/internal/bullpen"
	"bullpen/internal/message"
)

// Badge is a badge as people see it: in GET /reps/{id}/achievements and in the achievement
// message. Name and team are the directory's (the message's); Points and Balance follow the
// balance's privacy: only the rep's own channel and its own or staff's reads carry them.
type Badge struct {
	ID            int64      `json:"id"`
	RepID         string     `json:"rep_id"`
	Name          string     `json:"name,omitempty"`
	TeamID        string     `json:"team_id,omitempty"`
	Kind          Kind       `json:"kind"`
	Key           string     `json:"key"`
	Title         string     `json:"title"`
	Note          string     `json:"note"`
	DealID        string     `json:"deal_id,omitempty"`
	AwardedAt     time.Time  `json:"awarded_at"`
	Revoked       bool       `json:"revoked"`
	RevokedAt     *time.Time `json:"revoked_at,omitempty"`
	RevokedReason string     `json:"revoked_reason,omitempty"`
	Points        *int64     `json:"points,omitempty"`
	Balance       *int64     `json:"balance,omitempty"`
}

// BadgeOf is an award as people see it, without points.
func BadgeOf(a Award) Badge {
	b := Badge{ID: a.ID, RepID: a.RepID, Kind: a.Kind, Key: a.Key, Title: Title(a.Kind, a.Key), Note: a.Note, DealID: a.DealID,
		AwardedAt: a.AwardedAt.UTC(), Revoked: !a.Active(), RevokedReason: a.RevokedReason}
	if a.RevokedAt != nil {
		at := a.RevokedAt.UTC()
		b.RevokedAt = &at
	}
	return b
}

// WithPoints is the badge with the points its award paid, for those who may see the balance.
func (b Badge) WithPoints(points int64) Badge {
	b.Points = &points
	return b
}

// Notices are the messages of awards made and revoked in one batch: on the rep's channel the
// badge with the points it moved and the balance after them (and, when points moved, the
// reward or clawback with reason achievement that every balance reader follows); on the floor
// the badge alone, with the rep's name and team.
func Notices(changed []Award, balances map[string]bullpen.Balance, reps map[string]bullpen.Rep) []bullpen.Notice {
	var out []bullpen.Notice
	for _, a := range changed {
		b := BadgeOf(a)
		b.Name, b.TeamID = reps[a.RepID].Name, reps[a.RepID].TeamID
		points, note := a.Points, a.Note
		if !a.Active() {
			points, note = -a.Points, a.RevokedReason
		}
		own := b.WithPoints(points)
		balance := balances[a.RepID].Points
		own.Balance = &balance
		out = append(out, bullpen.Notice{Channel: bullpen.RepChannel(a.RepID), Type: message.TypeAchievement, Data: &own})
		if points != 0 {
			out = append(out, message.PointsFor(a.RepID, message.Points{Points: points, Balance: balance,
				Reason: bullpen.ReasonAchievement, Note: note, DealID: a.DealID}))
		}
		out = append(out, bullpen.Notice{Channel: bullpen.ChannelFloor, Type: message.TypeAchievement, Data: &b})
	}
	return out
}
