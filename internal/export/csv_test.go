package export_test

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"bullpen/internal/bullpen"
	"bullpen/internal/export"
)

func TestTextCellsAreQuotedAsRFC4180Asks(t *testing.T) {
	cases := []struct{ in, want string }{
		{"Ana Ruiz", "Ana Ruiz"},
		{"Ruiz, Ana", `"Ruiz, Ana"`},
		{`Ana "the closer" Ruiz`, `"Ana ""the closer"" Ruiz"`},
		{"two\nlines", "\"two\nlines\""},
		{"cr\rlf", "\"cr\rlf\""},
		{" padded ", `" padded "`},
		{"", ""},
		{"Zoë Ł", "Zoë Ł"},
	}
	for _, tc := range cases {
		var b bytes.Buffer
		cw := export.NewWriter(&b)
		cw.Text(tc.in)
		if err := cw.End(); err != nil {
			t.Fatal(err)
		}
		if got := b.String(); got != tc.want+"\r\n" {
			t.Errorf("Text(%q) wrote %q, want %q", tc.in, got, tc.want+"\r\n")
		}
	}
}

func TestTextThatStartsAFormulaIsEscaped(t *testing.T) {
	cases := []struct{ in, want string }{
		{"=HYPERLINK(\"http://x\")", `"'=HYPERLINK(""http://x"")"`},
		{"=1+2", "'=1+2"},
		{"+1 555", "'+1 555"},
		{"-5", "'-5"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\tcmd", "'\tcmd"},
		{"\rcmd", "\"'\rcmd\""},
		{"a=b", "a=b"},
		{"'quoted", "'quoted"},
	}
	for _, tc := range cases {
		var b bytes.Buffer
		cw := export.NewWriter(&b)
		cw.Text(tc.in)
		_ = cw.End()
		if got := strings.TrimSuffix(b.String(), "\r\n"); got != tc.want {
			t.Errorf("Text(%q) wrote %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestNumbersBullpenWritesStayNumbers(t *testing.T) {
	var b bytes.Buffer
	cw := export.NewWriter(&b)
	cw.Int(-30)
	cw.Money(-25)
	cw.Money(123450)
	cw.Money(5)
	cw.Money(0)
	at := time.Date(2026, 3, 8, 1, 2, 3, 0, time.FixedZone("EST", -5*3600))
	cw.Time(&at)
	cw.Time(nil)
	cw.Word("adjustment")
	_ = cw.End()
	if got, want := b.String(), "-30,-0.25,1234.50,0.05,0.00,2026-03-08T06:02:03Z,,adjustment\r\n"; got != want {
		t.Fatalf("wrote %q, want %q", got, want)
	}
}

// What the writer writes reads back as the same cells (bar the escape mark) with Go's own RFC
// 4180 reader.
func TestRowsReadBackWithAStandardReader(t *testing.T) {
	var b bytes.Buffer
	cw := export.NewWriter(&b)
	if err := cw.Header([]string{"id", "name", "note", "points"}); err != nil {
		t.Fatal(err)
	}
	names := []string{"Ruiz, Ana", "Bo \"B\" Li", "multi\nline", "=cmd", "plain"}
	for i, n := range names {
		cw.Int(int64(i))
		cw.Text(n)
		cw.Text("note " + n)
		cw.Money(bullpen.Fixed(i * 150))
		if err := cw.End(); err != nil {
			t.Fatal(err)
		}
	}
	if cw.Rows() != int64(len(names)) {
		t.Fatalf("Rows %d, want %d (header not counted)", cw.Rows(), len(names))
	}
	recs, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != len(names)+1 || strings.Join(recs[0], "|") != "id|name|note|points" {
		t.Fatalf("records %q", recs)
	}
	want := []string{"Ruiz, Ana", "Bo \"B\" Li", "multi\nline", "'=cmd", "plain"}
	for i, r := range recs[1:] {
		if r[1] != want[i] || r[2] != "note "+names[i] {
			t.Errorf("row %d: %q, want name %q", i, r, want[i])
		}
	}
	if recs[2][3] != "1.50" {
		t.Errorf("money %q, want 1.50", recs[2][3])
	}
}
