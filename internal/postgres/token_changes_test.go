package postgres_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"bullpen/internal/bullpen"
)

// The log names the tokens revoked, rotated or unbound from a deleted screen, each once per
// read, and not a token merely used; a reader ahead of the log, or behind what it keeps, is
// told it cannot trust what it read before.
func TestTheTokenLogNamesEveryChangeButUse(t *testing.T) {
	db := mustDB(t)
	ctx := context.Background()
	mustExec(t, db, `INSERT INTO tokens (id, hash, role, created_by) VALUES
		('t1', '\x01', 'rep', 'test'), ('t2', '\x02', 'rep', 'test'), ('t3', '\x03', 'display', 'test'), ('t4', '\x04', 'rep', 'test')`)
	start, ids, complete, err := db.TokenChanges(ctx, 0)
	if err != nil || !complete || len(ids) != 0 {
		t.Fatalf("a new log: %d %v %v %v", start, ids, complete, err)
	}
	if err := db.TouchTokens(ctx, []string{"t1", "t2", "t3", "t4"}); err != nil {
		t.Fatal(err)
	}
	mustExec(t, db, `UPDATE tokens SET revoked_at = now() WHERE id = 't1'`)
	mustExec(t, db, `UPDATE tokens SET revoked_at = now() WHERE id = 't1'`)
	mustExec(t, db, `UPDATE tokens SET previous_hash = hash, hash = '\x22', previous_until = now() + interval '1 hour' WHERE id = 't2'`)
	mustExec(t, db, `INSERT INTO screens (id, name, slides, seconds, amounts, sound, created_by, updated_by)
		VALUES ('00000000-0000-0000-0000-000000000001', 'TV', '[]', 10, 'show', 'off', 'test', 'test')`)
	mustExec(t, db, `UPDATE tokens SET screen_id = '00000000-0000-0000-0000-000000000001' WHERE id = 't3'`)
	last, ids, complete, err := db.TokenChanges(ctx, start)
	if err != nil || !complete || last != start+4 {
		t.Fatalf("after 4 changes: last %d (from %d), complete %v, %v", last, start, complete, err)
	}
	slices.Sort(ids)
	if !slices.Equal(ids, []string{"t1", "t2", "t3"}) {
		t.Fatalf("changed %v, want t1, t2, t3 once each (t4 was only used)", ids)
	}
	mustExec(t, db, `DELETE FROM screens WHERE id = '00000000-0000-0000-0000-000000000001'`)
	if l, ids, complete, err := db.TokenChanges(ctx, last); err != nil || !complete || l != last+1 || !slices.Equal(ids, []string{"t3"}) {
		t.Fatalf("a deleted screen unbinding its token: %d %v %v %v", l, ids, complete, err)
	}
	if _, _, complete, _ := db.TokenChanges(ctx, last+5); complete {
		t.Fatal("a reader ahead of the log (another database) was told it is complete")
	}
	mustExec(t, db, `DELETE FROM token_changes WHERE n = $1`, start+1)
	if _, _, complete, _ := db.TokenChanges(ctx, start); complete {
		t.Fatal("a reader behind what the log keeps was told it is complete")
	}

	hashes := map[string]bullpen.Token{}
	from, err := db.LiveTokens(ctx, 100, func(h []byte, tok bullpen.Token) { hashes[string(h)] = tok })
	if err != nil || from != last+1 {
		t.Fatalf("live tokens from change %d (%v), want %d", from, err, last+1)
	}
	if _, ok := hashes["\x01"]; ok || len(hashes) != 4 {
		t.Fatalf("live tokens %v: want t2 by both secrets, t3 and t4, not revoked t1", hashes)
	}
	if r := hashes["\x02"]; r.ID != "t2" || !r.Replaced || r.SecretUntil == nil || r.SecretUntil.Before(time.Now()) {
		t.Fatalf("t2 by its replaced secret: %+v", r)
	}
	if c := hashes["\x22"]; c.ID != "t2" || c.Replaced {
		t.Fatalf("t2 by its new secret: %+v", c)
	}
}
