package postgres_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"bullpen/internal/contest"
	"bullpen/internal/event"
)

// Two consumers applying a win of the same new deal at the same moment (its events on two
// partitions: the CRM moved the deal to another rep) count it once: the second finds the deal
// stored when its transaction runs again.
func TestANewDealWonInTwoBatchesAtOnceCountsOnce(t *testing.T) {
	db := mustDB(t)
	ctx := context.Background()
	end := time.Now().Add(time.Hour)
	c := &contest.Contest{Name: "Revenue", Metric: contest.MetricRevenue, Scope: contest.ScopeRep,
		StartsAt: time.Now().Add(-time.Hour), EndsAt: &end, CreatedBy: "test"}
	mustContest(t, db, c)
	const rounds = 30
	now := time.Now()
	won := func(eventID, rep, deal string) event.Event {
		return event.Event{EventID: eventID, Type: event.DealWon, OccurredAt: now, ArrivedAt: now, RepID: rep, DealID: deal,
			Amount: 10000, HasAmount: true, Units: 1}
	}
	for i := range rounds {
		deal := fmt.Sprintf("D%d", i)
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for j, rep := range []string{"ana", "bo"} {
			wg.Go(func() {
				_, errs[j] = db.ApplyBatch(ctx, []event.Event{won(fmt.Sprintf("e%d-%s", i, rep), rep, deal)}, []string{"test"})
			})
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	var total, events, changed, deals int64
	if err := db.Pool.QueryRow(ctx, `SELECT coalesce(sum(score), 0) FROM standings WHERE contest_id = $1`, c.ID).Scan(&total); err != nil {
		t.Fatal(err)
	}
	if err := db.Pool.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE changed) FROM events`).Scan(&events, &changed); err != nil {
		t.Fatal(err)
	}
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM deals WHERE won`).Scan(&deals); err != nil {
		t.Fatal(err)
	}
	if total != rounds*10000 || events != 2*rounds || changed != rounds || deals != rounds {
		t.Fatalf("board total %d (want %d), events %d recorded / %d counted (want %d / %d), won deals %d",
			total, rounds*10000, events, changed, 2*rounds, rounds, deals)
	}
}
