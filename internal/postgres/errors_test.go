package postgres_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"bullpen/internal/bullpen"
	"bullpen/internal/contest"
)

// The domain's errors carry the code and message the API shows: a transaction hands them back
// untouched, whether the ledger made them or the caller's decision did.
func TestDomainErrorsLeaveATransactionAsTheyAre(t *testing.T) {
	db := mustDB(t)
	ctx := context.Background()
	const missing = "00000000-0000-4000-8000-000000000000"
	_, _, err := db.ChangeContest(ctx, contest.Change{ID: missing, By: "admin", Action: "contest.end",
		Decide: func(*contest.Contest) (contest.Effect, error) { return contest.Unchanged, nil }})
	if want := "not_found: contest " + missing + " not found"; err == nil || err.Error() != want {
		t.Fatalf("change of a missing contest: %v, want %q", err, want)
	}

	tok := &bullpen.Token{ID: "t1", Role: bullpen.RoleDisplay, Name: "wall", CreatedBy: "admin"}
	if err := db.CreateToken(ctx, tok, []byte("hash-1")); err != nil {
		t.Fatal(err)
	}
	refusal := bullpen.Errorf(bullpen.EPermission, "no")
	err = db.RevokeToken(ctx, "t1", "admin", func(bullpen.Token) (bool, error) { return false, refusal })
	if err != refusal {
		t.Fatalf("refused revocation: %v, want the refusal itself", err)
	}
}

// A database failure says what was being done, once, and keeps its SQLSTATE for the callers
// that decide by it.
func TestDatabaseFailuresSayWhatFailedAndKeepTheirSQLState(t *testing.T) {
	db := mustDB(t)
	ctx := context.Background()
	tok := &bullpen.Token{ID: "t1", Role: bullpen.RoleDisplay, Name: "wall", CreatedBy: "admin"}
	if err := db.CreateToken(ctx, tok, []byte("hash-1")); err != nil {
		t.Fatal(err)
	}
	err := db.CreateToken(ctx, &bullpen.Token{ID: "t1", Role: bullpen.RoleDisplay, CreatedBy: "admin"}, []byte("hash-2"))
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "23505" {
		t.Fatalf("second token with one id: %v, want a unique violation", err)
	}
	if msg := err.Error(); !strings.HasPrefix(msg, "insert token t1: ") || strings.Count(msg, "t1") != 1 {
		t.Fatalf("second token with one id: %q, want it said once that the insert failed", msg)
	}

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = db.Contests(cancelled, contest.Filter{Now: time.Now(), Limit: 10})
	if !errors.Is(err, context.Canceled) || !strings.HasPrefix(err.Error(), "list contests: ") {
		t.Fatalf("contests on a cancelled context: %v", err)
	}
}
