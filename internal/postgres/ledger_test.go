package postgres_test

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"strconv"
	"sync"
	"testing"

	"bullpen/internal/bullpen"
	"bullpen/internal/contest"
	"bullpen/internal/postgres"
	"bullpen/internal/testenv"
)

func mustDB(t *testing.T) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(context.Background(), testenv.Schema(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	return db
}

// mustContest normalizes c and inserts it, filling its id.
func mustContest(t *testing.T, db *postgres.DB, c *contest.Contest) {
	t.Helper()
	if err := c.Normalize(); err != nil {
		t.Fatal(err)
	}
	if err := postgres.InsertContest(context.Background(), db.Pool, c); err != nil {
		t.Fatal(err)
	}
}

func mustExec(t *testing.T, db *postgres.DB, sql string, args ...any) {
	t.Helper()
	if _, err := db.Pool.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func TestAddAdjustmentNeedsARepOfTheDirectory(t *testing.T) {
	db := mustDB(t)
	ctx := context.Background()
	_, _, err := db.AddAdjustment(ctx, "ghost", 5, "x", "admin")
	if bullpen.ErrorCode(err) != bullpen.ENotFound {
		t.Fatalf("adjustment for an unknown rep: %v, want not_found", err)
	}
	var n int
	if err := db.Pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM ledger) + (SELECT count(*) FROM changes)`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("%d rows written for a refused adjustment", n)
	}
	if _, _, _, err := db.Ledger(ctx, "ghost", 10, 0); bullpen.ErrorCode(err) != bullpen.ENotFound {
		t.Fatalf("ledger of an unknown rep: %v, want not_found", err)
	}
}

// Concurrent writers to one rep each report a balance that was true once they committed:
// every running total from 1 to n exactly once.
func TestConcurrentAdjustmentsReportEveryBalanceOnce(t *testing.T) {
	db := mustDB(t)
	mustExec(t, db, `INSERT INTO reps (rep_id) VALUES ('ana')`)
	const n = 40
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		balances []bullpen.Balance
	)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e, b, err := db.AddAdjustment(context.Background(), "ana", 1, "one more", "admin")
			if err != nil {
				t.Error(err)
				return
			}
			if b.Version != e.ID {
				t.Errorf("balance %+v after entry %d: its version must be the entry's id", b, e.ID)
			}
			mu.Lock()
			balances = append(balances, b)
			mu.Unlock()
		}()
	}
	wg.Wait()
	// In version order the running totals are 1..n: the larger version is the newer balance.
	slices.SortFunc(balances, func(a, b bullpen.Balance) int { return cmp.Compare(a.Version, b.Version) })
	for i, b := range balances {
		if b.Points != int64(i+1) {
			t.Fatalf("balances reported %v, want 1..%d each once, in version order", balances, n)
		}
	}
}

func TestLedgerPageBalanceAndTotal(t *testing.T) {
	db := mustDB(t)
	ctx := context.Background()
	mustExec(t, db, `INSERT INTO reps (rep_id) VALUES ('ana'), ('bo')`)
	for _, p := range []int64{5, -2, 9, 4} {
		if _, _, err := db.AddAdjustment(ctx, "ana", p, "x", "admin"); err != nil {
			t.Fatal(err)
		}
	}
	// A payer's row for a rep the directory lost track of still has a ledger.
	mustExec(t, db, `INSERT INTO ledger (rep_id, points, reason, by, note) VALUES ('gone', 3, 'prize', 'system', 'p')`)

	entries, balance, total, err := db.Ledger(ctx, "ana", 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	if balance != 16 || total != 4 || len(entries) != 2 || entries[0].Points != 9 || entries[1].Points != -2 {
		t.Fatalf("page: balance %d, total %d, entries %+v", balance, total, entries)
	}
	if entries[0].ID <= entries[1].ID || entries[0].CreatedAt.Location().String() != "UTC" {
		t.Fatalf("entries not newest first in UTC: %+v", entries)
	}
	if _, balance, _, err := db.Ledger(ctx, "gone", 10, 0); err != nil || balance != 3 {
		t.Fatalf("ledger of a rep outside the directory: %d, %v", balance, err)
	}
	entries, balance, total, err = db.Ledger(ctx, "bo", 10, 0)
	if err != nil || balance != 0 || total != 0 || entries == nil || len(entries) != 0 {
		t.Fatalf("empty ledger: %v %d %d %v", entries, balance, total, err)
	}

	got, err := db.Balances(ctx, []string{"ana", "bo", "gone", "nobody"})
	if err != nil {
		t.Fatal(err)
	}
	var anaLast, goneID int64
	if err := db.Pool.QueryRow(ctx, `SELECT (SELECT max(id) FROM ledger WHERE rep_id = 'ana'),
		(SELECT id FROM ledger WHERE rep_id = 'gone')`).Scan(&anaLast, &goneID); err != nil {
		t.Fatal(err)
	}
	want := map[string]bullpen.Balance{"ana": {Points: 16, Version: anaLast}, "bo": {}, "gone": {Points: 3, Version: goneID}, "nobody": {}}
	if !maps.Equal(got, want) {
		t.Fatalf("balances %v, want %v", got, want)
	}
}

func TestAllBalancesPagesThroughEveryRep(t *testing.T) {
	db := mustDB(t)
	ctx := context.Background()
	// 12,001 reps, rep i holding i points in two rows: more than two full pages.
	mustExec(t, db, `INSERT INTO ledger (rep_id, points, reason, by, note)
		SELECT 'r' || i, p, 'adjustment', 'admin', 'x'
		FROM generate_series(1, 12001) i, LATERAL (VALUES (i - 1), (1)) v(p)`)
	seen := map[string]bullpen.Balance{}
	var pages []int
	err := db.AllBalances(ctx, func(page map[string]bullpen.Balance) error {
		pages = append(pages, len(page))
		for k, v := range page {
			if _, dup := seen[k]; dup {
				t.Errorf("rep %s in two pages", k)
			}
			seen[k] = v
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != 12001 || len(pages) != 3 {
		t.Fatalf("%d reps in pages %v, want 12001 in 3", len(seen), pages)
	}
	for _, i := range []int{1, 2, 5000, 5001, 12001} {
		k := "r" + strconv.Itoa(i)
		var last int64
		if err := db.Pool.QueryRow(ctx, `SELECT max(id) FROM ledger WHERE rep_id = $1`, k).Scan(&last); err != nil {
			t.Fatal(err)
		}
		if want := (bullpen.Balance{Points: int64(i), Version: last}); seen[k] != want {
			t.Fatalf("balance of %s is %+v, want %+v", k, seen[k], want)
		}
	}
}

func TestLockBalancesHoldsEveryRepUntilCommit(t *testing.T) {
	db := mustDB(t)
	ctx := context.Background()
	holder, err := db.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = holder.Rollback(ctx) }()
	if err := postgres.LockBalances(ctx, holder, []string{"cy", "ana", "bo", "ana"}); err != nil {
		t.Fatal(err)
	}
	tryLock := func(rep string) error {
		tx, err := db.Pool.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = tx.Rollback(ctx) }()
		if _, err := tx.Exec(ctx, `SET LOCAL lock_timeout = '100ms'`); err != nil {
			t.Fatal(err)
		}
		return postgres.LockBalances(ctx, tx, []string{rep})
	}
	for _, rep := range []string{"ana", "bo", "cy"} {
		if err := tryLock(rep); err == nil {
			t.Fatalf("locked %s while another transaction holds it", rep)
		}
	}
	if err := tryLock("dee"); err != nil {
		t.Fatalf("a rep nobody holds: %v", err)
	}
	if err := holder.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := tryLock("ana"); err != nil {
		t.Fatalf("after commit: %v", err)
	}
}
