// Package export writes Bullpen's CSV exports (docs/api.md "Exports"): RFC 4180 with CRLF line
// ends, UTF-8, a header row, columns in a fixed documented order, money with two decimals and
// times in RFC 3339 UTC. Text that people typed is escaped against formula injection; numbers
// Bullpen writes itself stay numbers. Plain Go, no I/O beyond the io.Writer it is given.
package export

import (
	"io"
	"strconv"
	"time"

	"bullpen/internal/bullpen"
)

// Writer appends rows to w, one line buffer reused for every row, so a stream of any length
// costs the same memory.
type Writer struct {
	w    io.Writer
	line []byte
	n    int // fields in the current line
	rows int64
}

// NewWriter writes CSV to w; w should be buffered.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w, line: make([]byte, 0, 512)} }

// Rows is how many rows (header excluded) have been ended.
func (cw *Writer) Rows() int64 { return cw.rows }

func (cw *Writer) sep() {
	if cw.n > 0 {
		cw.line = append(cw.line, ',')
	}
	cw.n++
}

// Text writes a cell of text that came from outside Bullpen (names, notes, titles, ids),
// escaped against formula injection and quoted as RFC 4180 asks.
func (cw *Writer) Text(s string) {
	cw.sep()
	cw.line = appendQuoted(cw.line, s, formulaLead(s))
}

// Word writes a cell whose text Bullpen chose itself (a reason, a status, a currency code):
// quoted when needed but never escaped, since it cannot start a formula.
func (cw *Writer) Word(s string) {
	cw.sep()
	cw.line = appendQuoted(cw.line, s, false)
}

// Int writes a whole number (points, ranks, counts).
func (cw *Writer) Int(n int64) {
	cw.sep()
	cw.line = strconv.AppendInt(cw.line, n, 10)
}

// Money writes an exact decimal with two places ("1234.50", "-0.25").
func (cw *Writer) Money(f bullpen.Fixed) {
	cw.sep()
	cw.line = AppendMoney(cw.line, f)
}

// Percent writes a percent with two places ("38.69"); nil, a percent that does not exist (of a
// target of 0), is an empty cell. The percents given are whole hundredths already
// (target.Pct), so two places print them exactly.
func (cw *Writer) Percent(p *float64) {
	cw.sep()
	if p != nil {
		cw.line = strconv.AppendFloat(cw.line, *p, 'f', 2, 64)
	}
}

// Time writes a time in RFC 3339, UTC; a nil time is an empty cell.
func (cw *Writer) Time(t *time.Time) {
	cw.sep()
	if t != nil {
		cw.line = t.UTC().AppendFormat(cw.line, time.RFC3339)
	}
}

// Empty writes an empty cell.
func (cw *Writer) Empty() { cw.sep() }

// End finishes the row and hands it to the underlying writer.
func (cw *Writer) End() error {
	cw.line = append(cw.line, '\r', '\n')
	_, err := cw.w.Write(cw.line)
	cw.line, cw.n = cw.line[:0], 0
	cw.rows++
	return err
}

// Header writes the header row (not counted in Rows).
func (cw *Writer) Header(columns []string) error {
	for _, c := range columns {
		cw.Word(c)
	}
	err := cw.End()
	cw.rows--
	return err
}

// AppendMoney appends f with exactly two decimal places.
func AppendMoney(b []byte, f bullpen.Fixed) []byte {
	n := int64(f)
	if n < 0 {
		b = append(b, '-')
		n = -n
	}
	b = strconv.AppendInt(b, n/100, 10)
	c := n % 100
	return append(b, '.', byte('0'+c/10), byte('0'+c%10))
}

// formulaLead reports whether a spreadsheet would read s as a formula: OWASP's list of leading
// characters (=, +, -, @, tab, carriage return).
func formulaLead(s string) bool {
	if s == "" {
		return false
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return true
	}
	return false
}

// appendQuoted appends s as one RFC 4180 field: in double quotes (inner quotes doubled) when it
// holds a comma, a quote or a line break, or starts or ends with a space some readers trim;
// with a leading ' when escape is set, so a spreadsheet shows it as text.
func appendQuoted(b []byte, s string, escape bool) []byte {
	if !needsQuotes(s) {
		if escape {
			b = append(b, '\'')
		}
		return append(b, s...)
	}
	b = append(b, '"')
	if escape {
		b = append(b, '\'')
	}
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			b = append(b, '"')
		}
		b = append(b, s[i])
	}
	return append(b, '"')
}

func needsQuotes(s string) bool {
	if s == "" {
		return false
	}
	if s[0] == ' ' || s[len(s)-1] == ' ' {
		return true
	}
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ',', '"', '\r', '\n':
			return true
		}
	}
	return false
}
