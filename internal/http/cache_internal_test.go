package http

import (
	"context"
	"fmt"
	"strings"
	"sync"
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

// heldOpen answers OpenContests with one contest named after the call's number; every call
// after the first waits for release.
type heldOpen struct {
	contestsByID
	mu       sync.Mutex
	calls    int
	answered int // the calls that have returned
	release  chan struct{}
}

func (h *heldOpen) OpenContests(ctx context.Context, _ time.Time) ([]*contest.Contest, error) {
	h.mu.Lock()
	h.calls++
	n := h.calls
	h.mu.Unlock()
	defer func() { h.mu.Lock(); h.answered++; h.mu.Unlock() }()
	if n > 1 {
		select {
		case <-h.release:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return []*contest.Contest{{ID: fmt.Sprintf("read %d", n)}}, nil
}

func (h *heldOpen) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.calls
}

// Past half its life the open contests' copy is read again in the background, once, while the
// requests go on with the copy; the new copy then serves past the old one's end. A read that
// began before a drop keeps nothing.
func TestTheOpenContestsAreRenewedWithoutStoppingTheRequests(t *testing.T) {
	now := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	move := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	h := &heldOpen{release: make(chan struct{})}
	s := New(Deps{Logger: testenv.Logger(t), ContestReader: h, Now: clock})
	ctx := context.Background()
	read := func() string {
		t.Helper()
		open, err := s.sharedOpenContests(ctx)
		if err != nil || len(open) != 1 {
			t.Fatalf("open contests %v, %v", open, err)
		}
		return open[0].ID
	}
	if got := read(); got != "read 1" {
		t.Fatalf("first read %q", got)
	}
	move(contestTTL/2 + time.Millisecond)
	for range 3 { // the renewal is held: each of these would wait for it
		if got := read(); got != "read 1" {
			t.Fatalf("past half its life %q, want the copy", got)
		}
	}
	testenv.Eventually(t, 5*time.Second, "the renewal to start", func() bool { return h.count() == 2 })
	close(h.release)
	testenv.Eventually(t, 5*time.Second, "the renewal kept", func() bool {
		open, ok := s.open.young(struct{}{}, clock())
		return ok && open[0].ID == "read 2"
	})
	move(contestTTL/2 - time.Millisecond/2) // past the first copy's life, within half the renewed one's
	if got := read(); got != "read 2" {
		t.Fatalf("past the first copy's life %q, want the renewed copy", got)
	}
	if n := h.count(); n != 2 {
		t.Fatalf("%d reads, want 2: one renewal for the requests past half the life", n)
	}

	// A renewal under way when the contests change is not kept.
	h.release = make(chan struct{})
	move(contestTTL / 4) // the renewed copy past half its life
	if got := read(); got != "read 2" {
		t.Fatalf("%q, want the renewed copy while it is read again", got)
	}
	testenv.Eventually(t, 5*time.Second, "the second renewal to start", func() bool { return h.count() == 3 })
	s.forgetContestHere("any")
	close(h.release)
	testenv.Eventually(t, 5*time.Second, "the renewal to be answered", func() bool {
		h.mu.Lock()
		defer h.mu.Unlock()
		return h.answered == 3
	})
	time.Sleep(50 * time.Millisecond) // then its put, had it been kept
	if got := read(); got != "read 4" {
		t.Fatalf("after a drop %q, want a read of its own (not the renewal begun before it)", got)
	}
}

// A drop of one entry while another is being read again in the background leaves the other to
// be renewed again: the read under way began before the drop and keeps nothing, so the entry
// would otherwise wait, marked as renewing, until it expired and a request had to stop for it.
func TestAnEntryRenewedAcrossAnotherEntrysDropIsRenewedAgain(t *testing.T) {
	c := newTTLCache[string, string](2*time.Second, 10)
	at := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	c.putFrom("a", "contest a", at, 0)
	c.putFrom("b", "contest b", at, 0)
	later := at.Add(1500 * time.Millisecond) // past half the ttl
	_, ok, gen, renew := c.lookup("a", later, true)
	if !ok || !renew {
		t.Fatalf("a past half its ttl: ok %v, renew %v; want both", ok, renew)
	}
	if _, _, _, again := c.lookup("a", later, true); again {
		t.Fatal("a second request claimed a renewal while the first is under way")
	}
	c.dropIf(func(v string) bool { return v == "contest b" })
	c.putFrom("a", "contest a, read again", later, gen) // the background read ends: kept nothing
	if v, _ := c.kept("a"); v != "contest a" {
		t.Fatalf("a read begun before the drop was kept: %q", v)
	}
	if _, ok := c.kept("b"); ok {
		t.Fatal("b was not dropped")
	}
	v, ok, _, renew := c.lookup("a", later, true)
	if !ok || v != "contest a" || !renew {
		t.Fatalf("a after the drop of b: %q, ok %v, renew %v; want contest a, served and renewed again", v, ok, renew)
	}
}
