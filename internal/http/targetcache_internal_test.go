package http

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"bullpen/internal/bullpen"
	"bullpen/internal/target"
)

// heldTargets answers its nth read with the sets sent on answers[n], telling begun of each
// read as it starts.
type heldTargets struct {
	begun   chan struct{}
	answers [2]chan []target.Stored
	reads   atomic.Int32
}

func (h *heldTargets) TargetSets(context.Context, target.Filter) ([]target.Stored, error) {
	n := h.reads.Add(1) - 1
	h.begun <- struct{}{}
	return <-h.answers[n], nil
}

// CurrentTargetVersions has no versions: every read after the first is a whole one.
func (h *heldTargets) CurrentTargetVersions(context.Context, time.Time) (map[int64]int64, error) {
	return nil, nil
}

func setOf(repID string, value int64, end time.Time) []target.Stored {
	return []target.Stored{{Set: target.Set{ID: 1, Period: "2026-12", Metric: "revenue", TeamID: "east", End: end},
		Reps: []target.Target{{RepID: repID, Target: bullpen.Fixed(value)}}}}
}

func TestAReadBegunBeforeATargetWriteIsNeitherSharedNorKept(t *testing.T) {
	now := time.Now()
	held := &heldTargets{begun: make(chan struct{}, 2)}
	held.answers[0], held.answers[1] = make(chan []target.Stored, 1), make(chan []target.Stored, 1)
	s := New(Deps{TargetReader: held, Now: func() time.Time { return now }})
	ctx := context.Background()
	end := now.Add(time.Hour)

	// read asks for the current targets as a request does, its answer on the channel.
	read := func() chan *currentTargets {
		answer := make(chan *currentTargets, 1)
		go func() {
			cur, err := s.sharedCurrentTargets(ctx)
			if err != nil {
				t.Error(err)
			}
			answer <- cur
		}()
		return answer
	}
	before := read()
	<-held.begun // the read is under way when the write commits
	s.forgetTargets()
	after := read()
	select {
	case <-held.begun:
	case <-time.After(10 * time.Second):
		t.Fatal("a request after the write waited for the read begun before it")
	}
	// The read after the write ends first; the one begun before it ends last, with the old
	// target, and must not be kept over the new.
	held.answers[1] <- setOf("ana", 200, end)
	if got := (<-after).of("ana", now)[0].Reps[0].Target; got != 200 {
		t.Fatalf("the read after the write got %v, want the written 200", got)
	}
	held.answers[0] <- setOf("ana", 100, end)
	if got := (<-before).of("ana", now)[0].Reps[0].Target; got != 100 {
		t.Fatalf("the first read got %v", got)
	}
	cur, ok, _, _ := s.targets.lookup(struct{}{}, now, false)
	if !ok || cur.of("ana", now)[0].Reps[0].Target != 200 {
		t.Fatalf("kept %+v, %v: want the read after the write", cur, ok)
	}
}

// A rep's sets are those of the copy still current at the time asked: one that ended since
// the read is left out at once (how long the copy itself is kept: TestTTLCacheForgets…).
func TestTheTargetsCopyLeavesOutEndedSets(t *testing.T) {
	now := time.Now()
	cur := indexTargets(setOf("ana", 100, now.Add(time.Minute)), now)
	if len(cur.of("ana", now)) != 1 || len(cur.of("bo", now)) != 0 {
		t.Fatalf("ana's sets %v, bo's %v", cur.of("ana", now), cur.of("bo", now))
	}
	if got := cur.of("ana", now.Add(time.Minute)); len(got) != 0 {
		t.Fatalf("a set past its end is still shown: %+v", got)
	}
}

// A copy past half its age is still served at once, and read again in the background, once
// however many ask meanwhile: a request never waits for the read while the copy is younger than
// maxAge, and the new copy is kept from when its read began.
func TestTargetsCacheIsReadAgainBeforeItAges(t *testing.T) {
	var clock atomic.Int64
	start := time.Now()
	clock.Store(start.UnixNano())
	now := func() time.Time { return time.Unix(0, clock.Load()) }
	held := &heldTargets{begun: make(chan struct{}, 2)}
	held.answers[0], held.answers[1] = make(chan []target.Stored, 1), make(chan []target.Stored, 1)
	s := New(Deps{TargetReader: held, Now: now})
	ctx := context.Background()
	end := start.Add(time.Hour)
	value := func() bullpen.Fixed {
		t.Helper()
		cur, err := s.sharedCurrentTargets(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return cur.of("ana", now())[0].Reps[0].Target
	}

	held.answers[0] <- setOf("ana", 100, end)
	if got := value(); got != 100 {
		t.Fatalf("first read %v", got)
	}
	<-held.begun
	clock.Add(int64(1500 * time.Millisecond)) // past half the age: served, and read again
	for range 3 {
		if got := value(); got != 100 {
			t.Fatalf("while read again: %v, want the kept 100", got)
		}
	}
	select {
	case <-held.begun:
	case <-time.After(10 * time.Second):
		t.Fatal("the copy was not read again in the background")
	}
	held.answers[1] <- setOf("ana", 200, end)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if _, ok := s.targets.young(struct{}{}, now()); ok { // kept from when its read began
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the background read was not kept")
		}
	}
	clock.Add(int64(900 * time.Millisecond)) // 2.4 s after the first read, 0.9 s after the second
	if got := value(); got != 200 {
		t.Fatalf("after the read again: %v, want 200", got)
	}
	if n := held.reads.Load(); n != 2 {
		t.Fatalf("%d reads, want 2", n)
	}
}

// versionedTargets is one set whose target and version the test sets; it counts whole reads.
type versionedTargets struct {
	value, version atomic.Int64
	end            time.Time
	whole          atomic.Int32
}

func (v *versionedTargets) TargetSets(context.Context, target.Filter) ([]target.Stored, error) {
	v.whole.Add(1)
	sets := setOf("ana", v.value.Load(), v.end)
	sets[0].Version = v.version.Load()
	return sets, nil
}

func (v *versionedTargets) CurrentTargetVersions(context.Context, time.Time) (map[int64]int64, error) {
	return map[int64]int64{1: v.version.Load()}, nil
}

// Each maxAge the copy is read again; while the sets' versions stand it is carried on without
// reading the sets, and it is read whole when a version moved, or once a minute old whatever the
// versions say (a change that left them alone).
func TestTheTargetsCopyIsCarriedOnWhileTheVersionsStand(t *testing.T) {
	start := time.Now()
	now := start
	sets := &versionedTargets{end: start.Add(time.Hour)}
	sets.value.Store(100)
	sets.version.Store(7)
	s := New(Deps{TargetReader: sets, Now: func() time.Time { return now }})
	read := func(wantValue int64, wantWhole int32) {
		t.Helper()
		cur, err := s.sharedCurrentTargets(context.Background()) // each read past maxAge: in the foreground
		if err != nil {
			t.Fatal(err)
		}
		if got := cur.of("ana", now)[0].Reps[0].Target; got != bullpen.Fixed(wantValue) || sets.whole.Load() != wantWhole {
			t.Fatalf("at +%v: target %v after %d whole reads, want %d after %d", now.Sub(start), got, sets.whole.Load(), wantValue, wantWhole)
		}
	}
	read(100, 1)
	sets.value.Store(150) // changed without its version moving
	for range 5 {
		now = now.Add(2 * time.Second)
		read(100, 1)
	}
	sets.version.Store(8)
	now = now.Add(2 * time.Second)
	read(150, 2)
	sets.value.Store(175) // again without the version
	now = now.Add(58 * time.Second)
	read(150, 2)
	now = now.Add(2 * time.Second) // a minute after the last whole read
	read(175, 3)
}
