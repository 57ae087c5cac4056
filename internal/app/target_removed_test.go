package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"bullpen/internal/config"
	"bullpen/internal/pipeline"
	"bullpen/internal/postgres"
	"bullpen/internal/redis"
	"bullpen/internal/service"
	"bullpen/internal/target"
	"bullpen/internal/testenv"
)

const removedEast = `{"team_id":"east","period":"2026-11","metric":"revenue","removed":true}`

// Deleting a set's last target tells its team's channel that the set is gone, through the
// merge marks that carry every attainment board: a mark made while the consumer is down (a
// restart) waits in Redis for the one that starts.
func TestDeletingTheLastTargetOfASetTellsItsTeam(t *testing.T) {
	t.Parallel()
	cfg, _, store, targets := eastTargets(t)
	ctx := context.Background()
	k := target.SetKey{Period: "2026-11", Metric: "revenue", TeamID: "east"}
	put := func(rep string) {
		t.Helper()
		row := target.Target{Period: k.Period, Metric: k.Metric, TeamID: k.TeamID, RepID: rep, Target: 500000}
		if _, err := targets.Put(ctx, &target.Request{Rows: []target.Target{row}}, "test"); err != nil {
			t.Fatal(err)
		}
	}
	_, stop := runConsumer(t, cfg) // builds the projection (a first start flushes Redis)
	put("ana")
	put("bo")
	testenv.Eventually(t, 10*time.Second, "east's board", func() bool {
		_, ok := lastMessage(t, store, "targets:east", "attainment.board", `"rep_id":"bo"`)
		return ok
	})
	stop()
	if err := targets.Delete(ctx, k, "ana", "test"); err != nil {
		t.Fatal(err)
	}
	if err := targets.Delete(ctx, k, "bo", "test"); err != nil { // the last one: the set goes
		t.Fatal(err)
	}

	startConsumer(t, cfg)
	testenv.Eventually(t, 10*time.Second, "east told the set is gone", func() bool {
		got, ok := lastMessage(t, store, "targets:east", "attainment.board", `"removed"`)
		return ok && got == removedEast
	})
}

// The sender's side, one mark at a time: a gone set's own mark (a redelivered batch's) sends
// nothing, its removal mark sends the removal, and a removal that comes once the set is stored
// again (a new id) sends the new set's board instead, never taking it off the wall.
func TestARemovedSetStaysGoneUntilItIsSetAgain(t *testing.T) {
	t.Parallel()
	_, db, store, targets := eastTargets(t)
	ctx := context.Background()
	sender := &pipeline.AttainmentSender{Sets: db, Values: store, Reps: store}
	k := target.SetKey{Period: "2026-11", Metric: "revenue", TeamID: "east"}
	setID := func(rep string) int64 {
		t.Helper()
		row := target.Target{Period: k.Period, Metric: k.Metric, TeamID: k.TeamID, RepID: rep, Target: 300000}
		out, err := targets.Put(ctx, &target.Request{Rows: []target.Target{row}}, "test")
		if err != nil || len(out.Sets) != 1 {
			t.Fatalf("put: %v %+v", err, out)
		}
		return out.Sets[0].ID
	}
	old := setID("ana")
	if err := sender.Send(ctx, store, old); err != nil {
		t.Fatal(err)
	}
	if err := targets.Delete(ctx, k, "ana", "test"); err != nil {
		t.Fatal(err)
	}
	before := len(history(t, store, "targets:east"))

	if err := sender.Send(ctx, store, old); err != nil {
		t.Fatal(err)
	}
	if n := len(history(t, store, "targets:east")); n != before {
		t.Fatalf("the gone set's own mark sent %d messages", n-before)
	}
	if err := sender.SendRemoved(ctx, store, old, k); err != nil {
		t.Fatal(err)
	}
	if got, _ := lastMessage(t, store, "targets:east", "attainment.board", ""); got != removedEast {
		t.Fatalf("after the removal mark: %s", got)
	}

	setID("bo")
	if err := sender.SendRemoved(ctx, store, old, k); err != nil {
		t.Fatal(err)
	}
	got, _ := lastMessage(t, store, "targets:east", "attainment.board", "")
	if got == removedEast || !strings.Contains(got, `"rep_id":"bo"`) {
		t.Fatalf("a late removal of the old set once it is set again: %s", got)
	}
}

// eastTargets is a test's own services with ana and bo in team east, and the target use-cases.
func eastTargets(t *testing.T) (config.Config, *postgres.DB, *redis.Store, *service.Targets) {
	t.Helper()
	cfg := testenv.Config(t)
	db, store := openDB(t, cfg), openStore(t, cfg)
	if _, err := db.Pool.Exec(context.Background(), `INSERT INTO reps (rep_id, name, team_id) VALUES ('ana', 'Ana', 'east'), ('bo', 'Bo', 'east')`); err != nil {
		t.Fatal(err)
	}
	return cfg, db, store, service.NewTargets(service.TargetDeps{Store: db, Projection: store, Logger: testenv.Logger(t)})
}
