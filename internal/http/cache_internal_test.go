package http

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"bullpen/internal/apitest"
	"bullpen/internal/bullpen"
	"bullpen/internal/contest"
	"bullpen/internal/testenv"
)

// contestsByID answers any contest id with a contest of that id, in memory of its own (as
// one read from PostgreSQL).
type contestsByID struct{}

func (contestsByID) Contest(_ context.Context, id string) (*contest.Contest, error) {
	return &contest.Contest{ID: strings.Clone(id)}, nil
}

func (contestsByID) Contests(context.Context, contest.Filter) ([]*contest.Contest, error) {
	return nil, bullpen.Errorf(bullpen.EInternal, "not used")
}

func (contestsByID) OpenContests(context.Context, time.Time) ([]*contest.Contest, error) {
	return nil, bullpen.Errorf(bullpen.EInternal, "not used")
}

// A path id cached by sharedContest keeps its value after the request: Fiber reuses the memory
// of a finished request's path for the next one.
func TestSharedContestKeepsPathIDsOfFinishedRequests(t *testing.T) {
	s := New(Deps{Logger: testenv.Logger(t), ContestReader: contestsByID{}})
	s.app.Get("/probe/:id", func(c *fiber.Ctx) error {
		id, err := pathID(c)
		if err != nil {
			return err
		}
		k, err := s.sharedContest(c.UserContext(), id)
		if err != nil {
			return err
		}
		return c.SendString(k.ID)
	})
	ids := []string{"aaaaaaaa", "bbbbbbbb", "cccccccc", "dddddddd", "eeeeeeee", "ffffffff"}
	for range 5 {
		for _, id := range ids {
			if r := apitest.Do(t, s.app, "GET", "/probe/"+id, "", nil); r.Status != 200 || string(r.Body) != id {
				t.Fatalf("/probe/%s: %d %s", id, r.Status, r.Body)
			}
		}
	}
	s.contests.mu.Lock()
	defer s.contests.mu.Unlock()
	for key, e := range s.contests.m {
		if key != e.v.ID {
			t.Errorf("the cache holds contest %q under the key %q", e.v.ID, key)
		}
	}
}
