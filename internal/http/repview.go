package http

import (
	"context"
	"slices"
	"time"

	"bullpen/internal/bullpen"
	"bullpen/internal/contest"
	"bullpen/internal/message"
	"bullpen/internal/standings"
	"bullpen/internal/target"
)

// RepViews reads what a rep's page shows of the live projection in one round trip.
type RepViews interface {
	// KnownTeam is the rep's team as the last directory read here found it, from memory: the
	// team the page's places are read with before its directory entry confirms it.
	KnownTeam(repID string) (string, bool)
	ReadRep(ctx context.Context, q standings.RepQuery) (standings.RepRead, error)
}

// repPage is what a rep's page (GET /reps/{id}) and its socket's snapshot show.
type repPage struct {
	rep        bullpen.Rep
	known      bool // false: neither the projection nor PostgreSQL has the rep
	standings  []RepStanding
	balance    int64
	attainment []message.Attainment
}

// readRepPage reads a rep's page, its balance and attainment only where see allows, from the
// projection in one round trip: its directory entry, balance, attainment and places, the
// places read on the boards of the team this node last saw the rep in. Two when the entry
// shows another team (and a team contest is open); the ledger where the projection lacks the
// entry or the balance, as each did alone. An unknown rep (known false) is read as a rep with
// no event yet; a caller showing it as not found need not read more, and with stopIfUnknown
// does not.
func (s *Server) readRepPage(ctx context.Context, id string, see repPrivate, stopIfUnknown bool) (repPage, error) {
	now := s.Now()
	open, err := s.sharedOpenContests(ctx)
	if err != nil {
		return repPage{}, err
	}
	var sets []target.Stored
	if see.attainment {
		if sets, err = s.repTargets(ctx, id, now); err != nil {
			return repPage{}, err
		}
	}
	team, _ := s.RepViews.KnownTeam(id)
	qs := placeQueries(open, bullpen.Rep{RepID: id, TeamID: team}, now)
	r, readErr := s.RepViews.ReadRep(ctx, standings.RepQuery{RepID: id, Balance: see.balance, SetIDs: setIDsOf(sets), Places: qs})

	var page repPage
	if page.rep, page.known, err = s.repFrom(ctx, id, r); err != nil || !page.known && stopIfUnknown {
		return page, err
	}
	if readErr != nil {
		return page, readErr
	}
	places := r.Places
	if right := placeQueries(open, page.rep, now); !slices.Equal(right, qs) {
		// The rep is in another team than this node last saw (or it saw none): its team's boards.
		if places, err = s.Boards.Places(ctx, right); err != nil {
			return page, err
		}
		qs = right
	}
	page.standings = repStandings(qs, places)
	if see.balance {
		page.balance = r.Balance
		if !r.BalanceFound {
			if page.balance, err = s.ledgerBalance(ctx, id, r.BalanceErr); err != nil {
				return page, err
			}
		}
	}
	if see.attainment {
		page.attainment = s.repAttainment(sets, r.Attainment)
	}
	return page, nil
}

// repFrom is the rep's directory entry as r read it, else (not in the projection, or Redis
// failing) as PostgreSQL has it; ok false when neither has it.
func (s *Server) repFrom(ctx context.Context, id string, r standings.RepRead) (bullpen.Rep, bool, error) {
	if r.RepFound {
		return r.Rep, true, nil
	}
	dir := map[string]bullpen.Rep{}
	if r.RepErr != nil {
		s.Logger.Warn("read rep directory from redis", "err", r.RepErr)
	}
	dir, err := s.fillDirectory(ctx, []string{id}, dir)
	if err != nil {
		return bullpen.Rep{RepID: id}, false, err
	}
	rep, ok := dir[id]
	if !ok {
		return bullpen.Rep{RepID: id}, false, nil
	}
	return rep, true, nil
}

// placeQueries ask for the rep's (or, in team scope, its team's) row on the current board of
// every open contest.
func placeQueries(open []*contest.Contest, rep bullpen.Rep, now time.Time) []standings.PlaceQuery {
	var qs []standings.PlaceQuery
	for _, k := range open {
		if entrant, ok := k.Entrant(rep.RepID, rep.TeamID); ok {
			qs = append(qs, standings.PlaceQuery{ContestID: k.ID, PeriodKey: standingsPeriod(k, now).Key, Entrant: entrant})
		}
	}
	return qs
}

// repStandings are the rows places found, each on its query's contest.
func repStandings(qs []standings.PlaceQuery, places []standings.Placed) []RepStanding {
	out := []RepStanding{}
	for i, p := range places {
		if p.OK {
			out = append(out, RepStanding{ContestID: qs[i].ContestID, Rank: p.Row.Position + 1, Score: p.Row.Score})
		}
	}
	return out
}

// standingsPeriod is the board a rep's standings are read from: the current one.
var standingsPeriod = standings.CurrentPeriod
