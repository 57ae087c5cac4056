package postgres_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"bullpen/internal/bullpen"
	"bullpen/internal/config"
	"bullpen/internal/postgres"
	"bullpen/internal/testenv"
	"bullpen/internal/webhook"
)

// mustLine registers an endpoint and queues n deliveries for it, returning the endpoint's id
// and the deliveries' ids (webhook-id) in line order.
func mustLine(t *testing.T, db *postgres.DB, n int) (string, []string) {
	t.Helper()
	ep := webhook.Endpoint{URL: "https://example.com/hook", Events: []string{webhook.EventCelebration},
		Format: webhook.FormatBullpen, CreatedBy: bullpen.AdminTokenID}
	if err := db.CreateWebhook(context.Background(), &ep, webhook.NewSecret()); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for i := range n {
		var id string
		if err := db.Pool.QueryRow(context.Background(), `INSERT INTO webhook_deliveries (endpoint_id, type, channel, data)
			VALUES ($1, 'celebration', 'floor', $2) RETURNING delivery_id::text`, ep.ID, fmt.Sprintf(`{"n":%d}`, i)).Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ep.ID, ids
}

// answer is a send that answers the first len(codes) deliveries of a run with those statuses
// (204: delivered; anything else: a retry in a minute) and keeps the ids it was given.
func answer(got *[]string, at time.Time, codes ...int) func(context.Context, []webhook.Delivery) []webhook.Outcome {
	s := webhook.Schedule{Base: time.Minute, Cap: time.Minute, GiveUpAfter: 24 * time.Hour, Rand: func() float64 { return 0.999 }}
	return func(_ context.Context, run []webhook.Delivery) []webhook.Outcome {
		var outs []webhook.Outcome
		for i, d := range run {
			if i == len(codes) {
				break
			}
			*got = append(*got, d.ID)
			outs = append(outs, s.Decide(d, webhook.Result{Status: codes[i]}, at))
			if !outs[i].Delivered {
				break
			}
		}
		return outs
	}
}

func deliver(t *testing.T, db *postgres.DB, now time.Time, limit int, send func(context.Context, []webhook.Delivery) []webhook.Outcome) int {
	t.Helper()
	n, err := db.Deliver(context.Background(), now, limit, send)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func pendingOf(t *testing.T, db *postgres.DB, endpoint string) []string {
	t.Helper()
	rows, err := db.Pool.Query(context.Background(), `SELECT delivery_id::text FROM webhook_deliveries
		WHERE endpoint_id = $1 AND delivered_at IS NULL AND given_up_at IS NULL ORDER BY id`, endpoint)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

func loggedOf(t *testing.T, db *postgres.DB, endpoint string) []string {
	t.Helper()
	log, err := db.WebhookAttempts(context.Background(), endpoint, 100, 0)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, a := range slices.Backward(log) {
		ids = append(ids, a.DeliveryID)
	}
	return ids
}

func TestARunIsOneLineInOrderUpToItsLimitAndEachAttemptIsLogged(t *testing.T) {
	db := mustDB(t)
	ep, ids := mustLine(t, db, 7)
	now := time.Now().Add(time.Second)
	var got []string
	if n := deliver(t, db, now, 5, answer(&got, now, 204, 204, 204, 204, 204, 204, 204)); n != 5 {
		t.Fatalf("claimed %d, want a run of 5", n)
	}
	if !slices.Equal(got, ids[:5]) || !slices.Equal(pendingOf(t, db, ep), ids[5:]) {
		t.Fatalf("first run sent %v, left %v; want %v then %v", got, pendingOf(t, db, ep), ids[:5], ids[5:])
	}
	if n := deliver(t, db, now, 5, answer(&got, now, 204, 204, 204, 204, 204)); n != 2 {
		t.Fatalf("claimed %d, want the 2 left", n)
	}
	if n := deliver(t, db, now, 5, answer(&got, now, 204)); n != 0 {
		t.Fatalf("claimed %d of an empty line", n)
	}
	if !slices.Equal(got, ids) || !slices.Equal(loggedOf(t, db, ep), ids) {
		t.Fatalf("sent %v, logged %v, want %v", got, loggedOf(t, db, ep), ids)
	}
}

func TestAFailureMidRunStopsItAndTheRestWaitsInOrderBehindIt(t *testing.T) {
	db := mustDB(t)
	ep, ids := mustLine(t, db, 5)
	now := time.Now().Add(time.Second)
	var got []string
	deliver(t, db, now, 50, answer(&got, now, 204, 204, 500, 204, 204))
	if !slices.Equal(got, ids[:3]) || !slices.Equal(pendingOf(t, db, ep), ids[2:]) || !slices.Equal(loggedOf(t, db, ep), ids[:3]) {
		t.Fatalf("sent %v, pending %v, logged %v; want %v, %v, %v", got, pendingOf(t, db, ep), loggedOf(t, db, ep), ids[:3], ids[2:], ids[:3])
	}
	// The failed one heads the line and waits for its retry: nothing behind it goes first.
	if n := deliver(t, db, now.Add(time.Second), 50, answer(&got, now, 204)); n != 0 {
		t.Fatalf("claimed %d before the retry was due", n)
	}
	later := now.Add(2 * time.Minute)
	got = nil
	var head webhook.Delivery
	deliver(t, db, later, 50, func(ctx context.Context, run []webhook.Delivery) []webhook.Outcome {
		head = run[0]
		return answer(&got, later, 204, 204, 204)(ctx, run)
	})
	if !slices.Equal(got, ids[2:]) || len(pendingOf(t, db, ep)) != 0 || head.Attempts != 1 || head.FirstFailedAt == nil {
		t.Fatalf("retry run sent %v (head %+v), pending %v; want %v", got, head, pendingOf(t, db, ep), ids[2:])
	}
}

func TestARunCutShortIsRecordedAsFarAsItWentAndTheRestIsSentAgainWithTheSameIDs(t *testing.T) {
	db := mustDB(t)
	ep, ids := mustLine(t, db, 6)
	now := time.Now().Add(time.Second)
	// The deliverer stops mid-run: two answered 2xx are recorded, though ctx has ended.
	ctx, cancel := context.WithCancel(context.Background())
	var got []string
	if _, err := db.Deliver(ctx, now, 50, func(c context.Context, run []webhook.Delivery) []webhook.Outcome {
		cancel()
		return answer(&got, now, 204, 204)(c, run)
	}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(pendingOf(t, db, ep), ids[2:]) {
		t.Fatalf("after a stop mid-run, pending %v, want %v", pendingOf(t, db, ep), ids[2:])
	}
	// The process dies mid-run (its connection with it): nothing of the run is recorded, and
	// the next run sends the same deliveries, from the same head, with the same ids. The kill
	// waits (up to 5 s) for the backend to be gone: a signal alone returns before it has let go
	// of its rows, and the next run, which skips rows another holds, then found none (seen in
	// CI once).
	got = nil
	_, err := db.Deliver(context.Background(), now, 50, func(c context.Context, run []webhook.Delivery) []webhook.Outcome {
		mustExec(t, db, `SELECT pg_terminate_backend(pid, 5000) FROM pg_locks
			WHERE locktype = 'relation' AND relation = 'webhook_deliveries'::regclass AND mode = 'RowShareLock'`)
		return answer(&got, now, 204, 204, 204)(c, run)
	})
	if err == nil {
		t.Fatal("a run whose connection was killed was recorded")
	}
	if !slices.Equal(got, ids[2:5]) || !slices.Equal(pendingOf(t, db, ep), ids[2:]) {
		t.Fatalf("killed run sent %v, left %v; want %v, %v", got, pendingOf(t, db, ep), ids[2:5], ids[2:])
	}
	got = nil
	deliver(t, db, now, 50, answer(&got, now, 204, 204, 204, 204))
	if !slices.Equal(got, ids[2:]) || !slices.Equal(loggedOf(t, db, ep), ids) {
		t.Fatalf("after the kill sent %v, logged %v; want %v, %v", got, loggedOf(t, db, ep), ids[2:], ids)
	}
}

func TestWhileOneDelivererHoldsALineAnotherTakesOnlyOtherLines(t *testing.T) {
	cfg := config.Config{DatabaseURL: testenv.Schema(t)}
	db, other := testenv.OpenDB(t, cfg), testenv.OpenDB(t, cfg)
	held, heldIDs := mustLine(t, db, 4)
	free, freeIDs := mustLine(t, db, 3)
	now := time.Now().Add(time.Second)
	var first []webhook.Delivery
	inRun, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		_, err := db.Deliver(context.Background(), now, 2, func(_ context.Context, run []webhook.Delivery) []webhook.Outcome {
			first = run
			close(inRun)
			<-release
			var got []string
			return answer(&got, now, 204, 204)(context.Background(), run)
		})
		done <- err
	}()
	<-inRun
	line := first[0].EndpointID
	rest, restIDs := free, freeIDs
	if line == free {
		rest, restIDs = held, heldIDs
	}
	// The other deliverer drains the other line and never claims from the held one, neither
	// its head nor what is behind the run.
	var got []string
	for deliver(t, other, now, 50, answer(&got, now, 204, 204, 204, 204)) > 0 {
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, restIDs) || len(pendingOf(t, db, rest)) != 0 {
		t.Fatalf("the other deliverer sent %v, want only %v", got, restIDs)
	}
	if left := pendingOf(t, db, line); len(left) != len(heldIDs)+len(freeIDs)-len(restIDs)-2 {
		t.Fatalf("the held line has %v left after its run of 2", left)
	}
}
