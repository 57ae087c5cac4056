package http

import (
	"context"
	"encoding/json"

	"bullpen/internal/bullpen"
	"bullpen/internal/contest"
	"bullpen/internal/message"
	"bullpen/internal/target"
)

// Snapshots serves the live subsystem the views a contest's and a rep's snapshot carry: the
// same as GET /contests/{id}/leaderboard and GET /reps/{id}, read and encoded the same way.
type Snapshots struct{ s *Server }

// Snapshots is the server's snapshot reader, for the live subsystem.
func (s *Server) Snapshots() *Snapshots { return &Snapshots{s: s} }

// RepSnapshot is a rep channel's snapshot: the rep's standings in every open contest and its
// points balance, as GET /reps/{id} shows them.
type RepSnapshot struct {
	RepID         string               `json:"rep_id"`
	PointsBalance int64                `json:"points_balance"`
	Standings     []RepStanding        `json:"standings"`
	Attainment    []message.Attainment `json:"attainment"`
}

// TargetsSnapshot is a team's targets channel's snapshot: each of its target sets of the
// current period as its attainment board.
type TargetsSnapshot struct {
	TeamID string                    `json:"team_id"`
	Boards []message.AttainmentBoard `json:"boards"`
}

// Contest reads a contest, cached and shared like the API's reads.
func (v *Snapshots) Contest(ctx context.Context, id string) (*contest.Contest, error) {
	return v.s.sharedContest(ctx, id)
}

// ContestSnapshot is the top rows of the contest's current board, as its leaderboard shows them.
func (v *Snapshots) ContestSnapshot(ctx context.Context, k *contest.Contest, rows int) (json.RawMessage, error) {
	s := v.s
	p, err := s.periodOf(k, "")
	if err != nil {
		return nil, err
	}
	st, err := s.boardView(ctx, k, p, 0, rows)
	if err != nil {
		return nil, err
	}
	return json.Marshal(st)
}

// RepSnapshot is the rep's standings in every open contest, its points balance and its
// attainment, read as GET /reps/{id} reads them; a rep with no event yet has nothing to show,
// but nothing is wrong either.
func (v *Snapshots) RepSnapshot(ctx context.Context, repID string) (json.RawMessage, error) {
	p, err := v.s.readRepPage(ctx, repID, repPrivate{balance: true, attainment: true}, false)
	if err != nil {
		return nil, err
	}
	return json.Marshal(RepSnapshot{RepID: repID, PointsBalance: p.balance, Standings: p.standings, Attainment: p.attainment})
}

// TargetsSnapshot is the team's target sets of the current period, each as its board.
func (v *Snapshots) TargetsSnapshot(ctx context.Context, teamID string) (json.RawMessage, error) {
	s := v.s
	sets, vals, err := s.setsWithAttainment(ctx, target.Filter{Now: s.Now(), TeamID: teamID})
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, st := range sets {
		for _, r := range st.Reps {
			ids = append(ids, r.RepID)
		}
	}
	dir, err := s.directory(ctx, ids)
	if err != nil {
		return nil, err
	}
	snap := TargetsSnapshot{TeamID: teamID, Boards: make([]message.AttainmentBoard, len(sets))}
	for i := range sets {
		snap.Boards[i] = target.BuildBoard(&sets[i].Set, sets[i].Targets(), vals[sets[i].Set.ID], dir, s.targetPace())
	}
	return json.Marshal(snap)
}

// RepTeam is the team the rep is in now, "" when none or not in the directory yet.
func (v *Snapshots) RepTeam(ctx context.Context, repID string) (string, error) {
	rep, err := v.s.repOf(ctx, repID)
	if bullpen.ErrorCode(err) == bullpen.ENotFound {
		return "", nil
	}
	return rep.TeamID, err
}

// ScreenSnapshot is a screen's configuration, as GET /screens/{id} shows it.
func (v *Snapshots) ScreenSnapshot(ctx context.Context, id string) (json.RawMessage, error) {
	sc, err := v.s.ScreenReader.Screen(ctx, id)
	if err != nil {
		return nil, err
	}
	return json.Marshal(sc)
}
