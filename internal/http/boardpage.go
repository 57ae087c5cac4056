package http

import (
	"context"
	"encoding/json"
	"strconv"

	"bullpen/internal/contest"
	"bullpen/internal/flight"
)

// boardPage is the encoded body of a page of a board (?limit=&offset=): kept in the node's
// board cache while the node hears the boards' notices, and read once for all the requests
// that miss it at the same moment. g is where the contest's pages stood before the request
// read the contest.
func (s *Server) boardPage(ctx context.Context, g boardGen, k *contest.Contest, p contest.Period, limit, offset int) ([]byte, error) {
	key := boardKey{contest: k.ID, period: p.Key, limit: limit, offset: offset}
	if body, ok := s.boards.get(key, s.Now()); ok {
		return body, nil
	}
	if !s.boardsHeard() {
		return s.readBoardPage(ctx, k, p, limit, offset)
	}
	// Requests that come after a drop read anew rather than share a read from before it.
	fk := k.ID + "|" + p.Key + "|" + strconv.Itoa(limit) + "|" + strconv.Itoa(offset) + "|" +
		strconv.FormatUint(g.epoch, 10) + "|" + strconv.FormatUint(g.gen, 10)
	return flight.Do(ctx, &s.boardFlight, fk, func(ctx context.Context) ([]byte, error) {
		at := s.Now()
		body, err := s.readBoardPage(ctx, k, p, limit, offset)
		if err == nil {
			s.boards.put(key, body, g, at)
		}
		return body, err
	})
}

// readBoardPage reads a page of a board from the projection and encodes it as the leaderboard
// answers it.
func (s *Server) readBoardPage(ctx context.Context, k *contest.Contest, p contest.Period, limit, offset int) ([]byte, error) {
	st, err := s.boardView(ctx, k, p, offset, limit)
	if err != nil {
		return nil, err
	}
	s.addPace(st, k)
	return json.Marshal(st)
}

// boardView is a page of a board as people see it (named, without pace).
func (s *Server) boardView(ctx context.Context, k *contest.Contest, p contest.Period, offset, limit int) (*Standings, error) {
	rows, total, err := s.Boards.Range(ctx, k.ID, p.Key, int64(offset), int64(limit))
	if err != nil {
		return nil, err
	}
	return s.standings(ctx, k, p, rows, total)
}
