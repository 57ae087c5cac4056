package http_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"bullpen/internal/bullpen"
	"bullpen/internal/export"
)

// mustCSV reads a CSV export: its header must be columns, in order.
func mustCSV(t *testing.T, res response, columns []string) [][]string {
	t.Helper()
	res.Want(t, 200, nil)
	if ct := res.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Fatalf("Content-Type %q", ct)
	}
	if cd := res.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="`) || !strings.HasSuffix(cd, `.csv"`) {
		t.Fatalf("Content-Disposition %q", cd)
	}
	if !bytes.HasSuffix(res.Body, []byte("\r\n")) {
		t.Fatalf("the export does not end with CRLF: %q", res.Body[max(0, len(res.Body)-20):])
	}
	recs, err := csv.NewReader(bytes.NewReader(res.Body)).ReadAll()
	if err != nil {
		t.Fatalf("not CSV: %v\n%s", err, res.Body)
	}
	if len(recs) == 0 || strings.Join(recs[0], ",") != strings.Join(columns, ",") {
		t.Fatalf("header %q, want %q", recs, columns)
	}
	return recs[1:]
}

func TestStandingsExportIsTheBoardInRankOrder(t *testing.T) {
	e := newEnv(t)
	b := e.mustPastBoards()
	res := e.do("GET", "/api/v1/exports/standings.csv?contest_id="+b.daily+"&period="+b.day2, adminSecret, nil)
	if cd := res.Header.Get("Content-Disposition"); cd != `attachment; filename="standings_Daily-dash_`+b.day2+`.csv"` {
		t.Fatalf("Content-Disposition %q", cd)
	}
	rows := mustCSV(t, res, export.StandingsColumns)
	start := b.day2 + "T00:00:00Z"
	end := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -1).Format(time.RFC3339)
	want := [][]string{
		{b.daily, "Daily dash", b.day2, start, end, "final", "1", "ana", "Ruiz, Ana", "west", "revenue", "1000.00", "USD", b.day2 + "T10:00:00Z", "", "500"},
		{b.daily, "Daily dash", b.day2, start, end, "final", "2", "bo", `Bo "B" Li`, "east", "revenue", "700.50", "USD", b.day2 + "T11:00:00Z", "", "250"},
		// A name that would start a formula is text in a spreadsheet.
		{b.daily, "Daily dash", b.day2, start, end, "final", "3", "cy", "'=cmd()", "east", "revenue", "300.00", "USD", b.day2 + "T12:00:00Z", "", ""},
	}
	if fmt.Sprintf("%q", rows) != fmt.Sprintf("%q", want) {
		t.Fatalf("rows\n%q\nwant\n%q", rows, want)
	}
	// The current board by default, live: no prize yet. Team scope: the team in team_id.
	rows = mustCSV(t, e.do("GET", "/api/v1/exports/standings.csv?contest_id="+b.daily, adminSecret, nil), export.StandingsColumns)
	if len(rows) != 1 || rows[0][2] != b.day0 || rows[0][5] != "live" || rows[0][7] != "cy" || rows[0][11] != "50.00" || rows[0][15] != "" {
		t.Fatalf("current board %q", rows)
	}
	rows = mustCSV(t, e.do("GET", "/api/v1/exports/standings.csv?contest_id="+b.team, adminSecret, nil), export.StandingsColumns)
	if len(rows) != 2 || rows[0][7] != "" || rows[0][8] != "" || rows[0][9] != "east" || rows[0][11] != "1250.50" || rows[1][9] != "west" {
		t.Fatalf("team board %q", rows)
	}
}

func TestExportsRefuseBadInputNamingTheField(t *testing.T) {
	e := newEnv(t)
	id := e.mustCreateContest(contestBody("Any", time.Now().Add(-time.Hour))).ID
	cases := []struct{ path, field string }{
		{"/exports/standings.csv", "contest_id"},
		{"/exports/standings.csv?contest_id=" + id + "&period=someday", "period"},
		{"/exports/ledger.csv", "from"},
		{"/exports/ledger.csv?from=2026-01-01", "to"},
		{"/exports/ledger.csv?to=2026-01-31", "from"},
		{"/exports/ledger.csv?from=01/01/2026&to=2026-01-31", "from"},
		{"/exports/ledger.csv?from=2026-01-01&to=2026-01-32", "to"},
		{"/exports/ledger.csv?from=2026-02-01&to=2026-01-31", "to"},
		{"/exports/incentive-winners.csv", "from"},
		{"/exports/incentive-winners.csv?from=2026-03-01T00:00:00Z&to=2026-02-01T00:00:00Z", "to"},
	}
	for _, tc := range cases {
		e.do("GET", "/api/v1"+tc.path, adminSecret, nil).WantError(t, 400, bullpen.EInvalid, tc.field)
	}
	e.do("GET", "/api/v1/exports/standings.csv?contest_id=00000000-0000-0000-0000-000000000000", adminSecret, nil).WantError(t, 404, bullpen.ENotFound, "")
	e.do("GET", "/api/v1/exports/incentive-winners.csv?incentive_id=00000000-0000-0000-0000-000000000000", adminSecret, nil).WantError(t, 404, bullpen.ENotFound, "")
}

func TestExportsAreForStaffOnly(t *testing.T) {
	e := newEnv(t)
	e.mustReps("ana")
	id := e.mustCreateContest(contestBody("Any", time.Now().Add(-time.Hour))).ID
	paths := []string{"/exports/standings.csv?contest_id=" + id, "/exports/ledger.csv?from=2026-01-01&to=2026-01-31",
		"/exports/incentive-winners.csv?from=2026-01-01&to=2026-01-31"}
	mgr := e.mustMint(adminSecret, bullpen.RoleManager, "")
	for _, p := range paths {
		for _, tok := range []minted{e.mustMint(adminSecret, bullpen.RoleRep, "ana"), e.mustMint(adminSecret, bullpen.RoleDisplay, ""), e.mustMint(adminSecret, bullpen.RoleIngest, "")} {
			e.do("GET", "/api/v1"+p, tok.Token, nil).WantError(t, 403, bullpen.EPermission, "")
		}
		e.do("GET", "/api/v1"+p, "", nil).WantError(t, 401, bullpen.EUnauthenticated, "")
		e.do("GET", "/api/v1"+p, mgr.Token, nil).Want(t, 200, nil)
	}
}

// Many rows, streamed, checked one by one against the ledger as PostgreSQL holds it; the
// window's edges and the rep and team filters cut where they say.
func TestLedgerExportStreamsEveryEntryOfTheWindow(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.mustReps("ana", "bo")
	if _, err := e.db.Pool.Exec(ctx, `UPDATE reps SET name = 'Ana, "A"', team_id = 'west' WHERE rep_id = 'ana'`); err != nil {
		t.Fatal(err)
	}
	// 20,000 entries an hour apart from 2026-01-01, alternating reps, with notes that need
	// quoting or escaping now and then.
	if _, err := e.db.Pool.Exec(ctx, `INSERT INTO ledger (rep_id, points, reason, by, note, created_at)
		SELECT CASE WHEN i % 2 = 0 THEN 'ana' ELSE 'bo' END, i % 97 - 40, 'adjustment', 'tok_test',
			CASE WHEN i % 5 = 0 THEN '=bonus ' || i WHEN i % 7 = 0 THEN E'two\nlines, ' || i ELSE 'note ' || i END,
			'2026-01-01T00:00:00Z'::timestamptz + (i - 1) * interval '1 hour'
		FROM generate_series(1, 20000) i`); err != nil {
		t.Fatal(err)
	}
	from, to := "2026-01-01", "2028-12-31"
	rows := mustCSV(t, e.do("GET", "/api/v1/exports/ledger.csv?from="+from+"&to="+to, adminSecret, nil), export.LedgerColumns)
	dbRows, err := e.db.Pool.Query(ctx, `SELECT id, created_at, rep_id, points, note FROM ledger ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer dbRows.Close()
	n := 0
	for dbRows.Next() {
		var id, points int64
		var at time.Time
		var rep, note string
		if err := dbRows.Scan(&id, &at, &rep, &points, &note); err != nil {
			t.Fatal(err)
		}
		if n >= len(rows) {
			t.Fatalf("the export has %d rows; the ledger more", len(rows))
		}
		r := rows[n]
		if strings.HasPrefix(note, "=") {
			note = "'" + note
		}
		if r[0] != strconv.FormatInt(id, 10) || r[1] != at.UTC().Format(time.RFC3339) || r[2] != rep || r[5] != strconv.FormatInt(points, 10) ||
			r[6] != "adjustment" || r[7] != note || r[8] != "tok_test" {
			t.Fatalf("row %d: %q, ledger has %d %v %s %d %q", n, r, id, at, rep, points, note)
		}
		if rep == "ana" && (r[3] != `Ana, "A"` || r[4] != "west") {
			t.Fatalf("row %d: %q without ana's directory entry", n, r)
		}
		n++
	}
	if err := dbRows.Err(); err != nil {
		t.Fatal(err)
	}
	if n != 20000 || len(rows) != n {
		t.Fatalf("%d rows exported, %d in the ledger", len(rows), n)
	}

	// The window: 2026-01-02 is hours 24..47 (ids 25..48); a time bound is exclusive at `to`.
	day := mustCSV(t, e.do("GET", "/api/v1/exports/ledger.csv?from=2026-01-02&to=2026-01-02", adminSecret, nil), export.LedgerColumns)
	if len(day) != 24 || day[0][1] != "2026-01-02T00:00:00Z" || day[23][1] != "2026-01-02T23:00:00Z" {
		t.Fatalf("one day: %d rows %q…", len(day), day[:min(len(day), 1)])
	}
	hours := mustCSV(t, e.do("GET", "/api/v1/exports/ledger.csv?from=2026-01-01T05:00:00Z&to=2026-01-01T08:00:00Z", adminSecret, nil), export.LedgerColumns)
	if len(hours) != 3 || hours[0][1] != "2026-01-01T05:00:00Z" || hours[2][1] != "2026-01-01T07:00:00Z" {
		t.Fatalf("three hours: %q", hours)
	}
	ana := mustCSV(t, e.do("GET", "/api/v1/exports/ledger.csv?from="+from+"&to="+to+"&rep_id=ana", adminSecret, nil), export.LedgerColumns)
	west := mustCSV(t, e.do("GET", "/api/v1/exports/ledger.csv?from="+from+"&to="+to+"&team_id=west", adminSecret, nil), export.LedgerColumns)
	if len(ana) != 10000 || len(west) != 10000 || ana[0][2] != "ana" || west[9999][2] != "ana" {
		t.Fatalf("ana: %d rows, west: %d rows", len(ana), len(west))
	}
	none := mustCSV(t, e.do("GET", "/api/v1/exports/ledger.csv?from=2025-01-01&to=2025-12-31", adminSecret, nil), export.LedgerColumns)
	if len(none) != 0 {
		t.Fatalf("an empty window gave %d rows", len(none))
	}
}

func TestIncentiveWinnersExport(t *testing.T) {
	e := newEnv(t)
	i := e.mustCreateIncentive(incentiveBody("+first to close"))
	other := e.mustCreateIncentive(incentiveBody("Another"))
	now := time.Now().UTC().Add(2 * time.Second) // inside both windows, which open at their launch
	e.mustApply(fmt.Sprintf(`{"event_id":"w1","type":"deal.won","occurred_at":%q,"rep_id":"ana","rep_name":"@ana","team_id":"west","deal_id":"D1","amount":"5000.5"}`,
		now.Format(time.RFC3339)))
	rows := mustCSV(t, e.do("GET", "/api/v1/exports/incentive-winners.csv?incentive_id="+i.ID, adminSecret, nil), export.WinnerColumns)
	if len(rows) != 1 {
		t.Fatalf("winners %q", rows)
	}
	r := rows[0]
	wonAt, err := time.Parse(time.RFC3339, r[2])
	if err != nil || wonAt.Sub(now) > time.Minute || now.Sub(wonAt) > time.Minute {
		t.Fatalf("won_at %q (%v)", r[2], err)
	}
	if r[0] != i.ID || r[1] != "'+first to close" || r[3] != "ana" || r[4] != "'@ana" || r[5] != "west" || r[6] != "D1" ||
		r[7] != "w1" || r[8] != "5000.50" || r[9] != "USD" || r[10] != "200" || r[11] != "" {
		t.Fatalf("winner %q", r)
	}
	// Both incentives were won by the same event; a window takes in both, in the order won.
	day := now.Format(time.DateOnly)
	both := mustCSV(t, e.do("GET", "/api/v1/exports/incentive-winners.csv?from="+day+"&to="+day, adminSecret, nil), export.WinnerColumns)
	ids := map[string]bool{}
	for _, r := range both {
		ids[r[0]] = true
	}
	if len(both) != 2 || !ids[i.ID] || !ids[other.ID] {
		t.Fatalf("window %q", both)
	}
	past := mustCSV(t, e.do("GET", "/api/v1/exports/incentive-winners.csv?incentive_id="+i.ID+"&from=2020-01-01&to=2020-12-31", adminSecret, nil), export.WinnerColumns)
	if len(past) != 0 {
		t.Fatalf("a window before the win: %q", past)
	}
}
