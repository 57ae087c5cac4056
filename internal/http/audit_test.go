package http_test

import (
	"context"
	"encoding/json"
	"net/url"
	"testing"

	"bullpen/internal/bullpen"
)

// auditEntry is an item of GET /audit as a client reads it.
type auditEntry struct {
	ID    int64  `json:"id"`
	At    string `json:"at"`
	Actor struct {
		TokenID string `json:"token_id"`
		Name    string `json:"name"`
		Role    string `json:"role"`
	} `json:"actor"`
	Action string                     `json:"action"`
	Entity string                     `json:"entity"`
	Before map[string]json.RawMessage `json:"before"`
	After  map[string]json.RawMessage `json:"after"`
	Detail json.RawMessage            `json:"detail"`
}

type auditPage struct {
	Items      []auditEntry `json:"items"`
	NextCursor *string      `json:"next_cursor"`
}

// audit reads one page of the trail as the admin, with query parameters as name, value pairs.
func (e *env) audit(params ...string) auditPage {
	e.t.Helper()
	q := url.Values{}
	for i := 0; i+1 < len(params); i += 2 {
		q.Set(params[i], params[i+1])
	}
	var p auditPage
	e.do("GET", "/api/v1/audit?"+q.Encode(), adminSecret, nil).Want(e.t, 200, &p)
	return p
}

// mustRecordAt writes a change as the trail held them before it kept fields: detail only,
// at a chosen time.
func (e *env) mustRecordAt(at, by, action, subject, detail string) {
	e.t.Helper()
	if _, err := e.db.Pool.Exec(context.Background(), `INSERT INTO changes (at, by, action, subject, detail) VALUES ($1, $2, $3, $4, $5)`,
		at, by, action, subject, detail); err != nil {
		e.t.Fatal(err)
	}
}

func actions(p auditPage) []string {
	out := make([]string, len(p.Items))
	for i, it := range p.Items {
		out[i] = it.Action + " " + it.Entity
	}
	return out
}

func same(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestAuditFiltersByActorEntityAndTime(t *testing.T) {
	e := newEnv(t)
	e.mustRecordAt("2020-01-01T10:00:00Z", "tok_a", "contest.create", "c-1", `{"name":"Sprint"}`)
	e.mustRecordAt("2020-01-01T11:00:00Z", "tok_b", "contest.update", "c-1", `{"name":"Sprint 2"}`)
	e.mustRecordAt("2020-01-01T11:30:00Z", "tok_a", "contest.create", "c-2", `{}`)
	e.mustRecordAt("2020-01-01T12:00:00Z", "tok_a", "ledger.adjust", "rep-1", `{"points":5}`)

	old := []string{"since", "2020-01-01T00:00:00Z", "until", "2020-01-02T00:00:00Z"}
	cases := []struct {
		name   string
		params []string
		want   []string
	}{
		{"the whole day, newest first", nil,
			[]string{"ledger.adjust ledger:rep-1", "contest.create contest:c-2", "contest.update contest:c-1", "contest.create contest:c-1"}},
		{"one actor", []string{"actor", "tok_b"}, []string{"contest.update contest:c-1"}},
		{"a kind", []string{"entity", "contest"}, []string{"contest.create contest:c-2", "contest.update contest:c-1", "contest.create contest:c-1"}},
		{"one entity", []string{"entity", "contest:c-1"}, []string{"contest.update contest:c-1", "contest.create contest:c-1"}},
		{"an actor and a kind", []string{"actor", "tok_a", "entity", "contest"}, []string{"contest.create contest:c-2", "contest.create contest:c-1"}},
		{"an entity no change names", []string{"entity", "contest:c-3"}, []string{}},
		// since is included, until is not.
		{"a range", []string{"since", "2020-01-01T11:00:00Z", "until", "2020-01-01T12:00:00Z"},
			[]string{"contest.create contest:c-2", "contest.update contest:c-1"}},
		{"a range in another offset", []string{"since", "2020-01-01T12:29:59+01:00", "until", "2020-01-01T12:30:01+01:00"},
			[]string{"contest.create contest:c-2"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			params := append(append([]string{}, old...), c.params...)
			if got := actions(e.audit(params...)); !same(got, c.want) {
				t.Fatalf("got %q, want %q", got, c.want)
			}
		})
	}
}

func TestAuditShowsOlderRecordsAsTheyWereWritten(t *testing.T) {
	e := newEnv(t)
	mgr := e.mustMint(adminSecret, bullpen.RoleManager, "")
	e.mustRecordAt("2020-01-01T10:00:00Z", mgr.ID, "ledger.adjust", "rep-1", `{"points": 5, "note": "x"}`)
	e.mustRecordAt("2020-01-01T10:00:01Z", bullpen.SystemActor, "contest.final", "c-1", `{}`)
	p := e.audit("until", "2020-01-02T00:00:00Z")
	if len(p.Items) != 2 || p.NextCursor != nil {
		t.Fatalf("page %+v", p)
	}
	sys, adj := p.Items[0], p.Items[1]
	if adj.Before != nil || adj.After != nil || string(adj.Detail) != `{"note":"x","points":5}` {
		t.Fatalf("an older record: before %s after %s detail %s", adj.Before, adj.After, adj.Detail)
	}
	if adj.At != "2020-01-01T10:00:00Z" || adj.Actor.TokenID != mgr.ID || adj.Actor.Role != "manager" || adj.Actor.Name != "manager for tests" {
		t.Fatalf("the adjustment's time and actor %+v", adj)
	}
	if sys.Actor.TokenID != "system" || sys.Actor.Role != "" || sys.Actor.Name != "" || sys.Detail != nil {
		t.Fatalf("a record by the service itself, with an empty detail %+v", sys)
	}
}

func TestAuditPagesFollowTheCursor(t *testing.T) {
	e := newEnv(t)
	// Seven records in one second: the order falls back on the id, as the cursor does.
	for _, s := range []string{"a", "b", "c", "d", "e", "f", "g"} {
		e.mustRecordAt("2020-01-01T10:00:00Z", "tok_a", "contest.create", s, `{}`)
	}
	window := []string{"until", "2020-01-02T00:00:00Z", "limit", "3"}
	var seen []string
	cursor := ""
	for page := 0; ; page++ {
		params := window
		if cursor != "" {
			params = append(append([]string{}, window...), "cursor", cursor)
		}
		p := e.audit(params...)
		seen = append(seen, actions(p)...)
		if page == 0 {
			// A change recorded between two pages is newer than the cursor: it neither
			// shows on the next page nor pushes one already seen onto it.
			e.mustRecordAt("2020-01-01T10:00:00Z", "tok_a", "contest.create", "late", `{}`)
		}
		if p.NextCursor == nil {
			if len(p.Items) != 1 || page != 2 {
				t.Fatalf("the last page is page %d with %d items", page, len(p.Items))
			}
			break
		}
		if len(p.Items) != 3 {
			t.Fatalf("page %d has %d items", page, len(p.Items))
		}
		cursor = *p.NextCursor
	}
	want := []string{"g", "f", "e", "d", "c", "b", "a"}
	for i := range want {
		want[i] = "contest.create contest:" + want[i]
	}
	if !same(seen, want) {
		t.Fatalf("pages gave %q, want %q", seen, want)
	}
}

func TestAuditIsForManagersAndAdmins(t *testing.T) {
	e := newEnv(t)
	mgr := e.mustMint(adminSecret, bullpen.RoleManager, "")
	var p auditPage
	e.do("GET", "/api/v1/audit", mgr.Token, nil).Want(t, 200, &p)
	if len(p.Items) != 1 || p.Items[0].Action != "token.create" || p.Items[0].Entity != "token:"+mgr.ID {
		t.Fatalf("the manager's own minting %+v", p.Items)
	}
	for _, role := range []bullpen.Role{bullpen.RoleRep, bullpen.RoleDisplay, bullpen.RoleIngest} {
		repID := ""
		if role == bullpen.RoleRep {
			repID = "ana"
		}
		tok := e.mustMint(adminSecret, role, repID)
		e.do("GET", "/api/v1/audit", tok.Token, nil).WantError(t, 403, bullpen.EPermission, "")
	}
	e.do("GET", "/api/v1/audit", "", nil).WantError(t, 401, bullpen.EUnauthenticated, "")
}

func TestAuditRefusesBadParametersNamingThem(t *testing.T) {
	e := newEnv(t)
	cases := []struct{ query, field string }{
		{"since=yesterday", "since"},
		{"until=2026-03-01", "until"},
		{"since=2026-03-02T00:00:00Z&until=2026-03-01T00:00:00Z", "until"},
		{"entity=Contest", "entity"},
		{"cursor=abc", "cursor"},
		{"limit=0", "limit"},
		{"limit=501", "limit"},
	}
	for _, c := range cases {
		e.do("GET", "/api/v1/audit?"+c.query, adminSecret, nil).WantError(t, 400, bullpen.EInvalid, c.field)
	}
}
