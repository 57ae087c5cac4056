package event

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/valyala/fastjson"

	"bullpen/internal/bullpen"
)

// field is one member of an event as parsed: its JSON type and its text (a string's unescaped
// bytes, a number's digits as written). Both are valid until the parser is used again.
type field struct {
	typ  fastjson.Type
	text []byte
	set  bool
}

// wire is the JSON shape of an event, each member kept with its type so that a wrong type is
// reported against its field rather than as a generic decoding failure.
type wire struct {
	EventID, Type, OccurredAt, RepID, RepName, TeamID, DealID, Amount, Currency, Units, Product, Activity field
}

// member returns where a top-level key is kept, or nil for a key events do not have (ignored).
func (w *wire) member(key []byte) *field {
	switch string(key) {
	case "event_id":
		return &w.EventID
	case "type":
		return &w.Type
	case "occurred_at":
		return &w.OccurredAt
	case "rep_id":
		return &w.RepID
	case "rep_name":
		return &w.RepName
	case "team_id":
		return &w.TeamID
	case "deal_id":
		return &w.DealID
	case "amount":
		return &w.Amount
	case "currency":
		return &w.Currency
	case "units":
		return &w.Units
	case "product":
		return &w.Product
	case "activity":
		return &w.Activity
	}
	return nil
}

// parsers are reused: decoding is the consumer's per-event hot path, and a fastjson parser
// validates and splits an event in one pass without reflection (encoding/json took ~15 % of
// the consumer's CPU here).
var parsers fastjson.ParserPool

// Decode parses and validates one event. currency is the configured BULLPEN_CURRENCY.
func Decode(raw []byte, currency string) (Event, *Error) {
	// JSON's own whitespace only (a trailing \v was taken for whitespace: found by FuzzDecode).
	trimmed := bullpen.TrimJSONSpace(raw)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return Event{}, &Error{Code: CodeInvalidJSON, Detail: "the value is not a JSON object"}
	}
	// The parser is lenient (it takes "\0" escapes, raw control characters, 01, .5, nan):
	// the strict validator runs first so malformed JSON is refused, not read half-right.
	if err := fastjson.ValidateBytes(trimmed); err != nil {
		return Event{}, &Error{Code: CodeInvalidJSON, Detail: err.Error()}
	}
	p := parsers.Get()
	defer parsers.Put(p)
	v, err := p.ParseBytes(trimmed)
	if err != nil {
		return Event{}, &Error{Code: CodeInvalidJSON, Detail: err.Error()}
	}
	obj, err := v.Object()
	if err != nil {
		return Event{}, &Error{Code: CodeInvalidJSON, Detail: "the value is not a JSON object"}
	}
	var w wire
	obj.Visit(func(key []byte, v *fastjson.Value) {
		f := w.member(key)
		if f == nil {
			return
		}
		// A repeated key: the last one counts, as encoding/json does.
		*f = field{typ: v.Type(), set: true}
		switch f.typ {
		case fastjson.TypeString:
			f.text, _ = v.StringBytes()
		case fastjson.TypeNumber:
			f.text = v.MarshalTo(nil) // a number marshals as the digits it was written with
		}
	})
	return w.validate(currency)
}

func present(f field) bool { return f.set && f.typ != fastjson.TypeNull }

func (w *wire) validate(currency string) (Event, *Error) {
	var ev Event
	var err *Error
	if ev.EventID, err = reqString(w.EventID, "event_id", 1, 200); err != nil {
		return ev, err
	}
	var typ string
	if typ, err = reqString(w.Type, "type", 1, 40); err != nil {
		return ev, err
	}
	ev.Type = Type(typ)
	switch ev.Type {
	case DealWon, DealUpdated, DealReversed, Activity:
	default:
		return ev, &Error{Code: CodeUnknownType, Field: "type", Detail: fmt.Sprintf("unknown event type %q", typ)}
	}
	var ts string
	if ts, err = reqString(w.OccurredAt, "occurred_at", 1, 64); err != nil {
		return ev, err
	}
	t, perr := time.Parse(time.RFC3339Nano, ts)
	if perr != nil {
		return ev, &Error{Code: CodeInvalidField, Field: "occurred_at", Detail: "not an RFC 3339 timestamp with offset"}
	}
	ev.OccurredAt = t
	if ev.RepID, err = reqString(w.RepID, "rep_id", 1, 100); err != nil {
		return ev, err
	}
	if !validRepID(ev.RepID) {
		return ev, &Error{Code: CodeInvalidField, Field: "rep_id", Detail: "only letters, digits and . _ : @ - are allowed"}
	}
	if ev.RepName, ev.HasName, err = optString(w.RepName, "rep_name", 200); err != nil {
		return ev, err
	}
	if ev.TeamID, ev.HasTeam, err = optString(w.TeamID, "team_id", 100); err != nil {
		return ev, err
	}
	if ev.HasTeam && ev.TeamID != "" && !bullpen.ValidID(ev.TeamID) {
		// A team's id names its channel (targets:{team_id}) and its CSV rows: no tab or newline.
		return ev, &Error{Code: CodeInvalidField, Field: "team_id", Detail: "team_id must be text without control characters (tab, newline and the like)"}
	}
	if ev.Product, _, err = optString(w.Product, "product", 200); err != nil {
		return ev, err
	}
	if present(w.Currency) {
		c, _, err := optString(w.Currency, "currency", 3)
		if err != nil {
			return ev, err
		}
		if !strings.EqualFold(c, currency) {
			return ev, &Error{Code: CodeUnsupportedCurrency, Field: "currency", Detail: fmt.Sprintf("currency %q is not %s", c, currency)}
		}
	}
	if ev.Type.IsDeal() {
		if ev.DealID, err = reqString(w.DealID, "deal_id", 1, 200); err != nil {
			return ev, err
		}
	}
	if present(w.Amount) {
		if ev.Amount, err = amount(w.Amount); err != nil {
			return ev, err
		}
		ev.HasAmount = true
	} else if ev.Type == DealWon || ev.Type == DealUpdated {
		return ev, &Error{Code: CodeMissingField, Field: "amount", Detail: "amount is required for " + typ}
	}
	ev.Units = 1
	if present(w.Units) {
		n, perr := strconv.ParseInt(string(w.Units.text), 10, 64)
		if perr != nil || w.Units.typ != fastjson.TypeNumber || n < 0 || n > 1_000_000_000 {
			return ev, &Error{Code: CodeInvalidField, Field: "units", Detail: "units must be an integer between 0 and 10^9"}
		}
		ev.Units, ev.HasUnits = n, true
	}
	if ev.Type == Activity {
		if ev.Activity, err = reqString(w.Activity, "activity", 1, 40); err != nil {
			return ev, err
		}
	}
	return ev, nil
}

func reqString(f field, name string, minLen, maxLen int) (string, *Error) {
	if !present(f) {
		return "", &Error{Code: CodeMissingField, Field: name, Detail: name + " is required"}
	}
	s, ok, err := optString(f, name, maxLen)
	if err != nil {
		return "", err
	}
	if !ok || utf8.RuneCountInString(s) < minLen {
		return "", &Error{Code: CodeMissingField, Field: name, Detail: name + " is required"}
	}
	return s, nil
}

// optString reads a string member. Text PostgreSQL could not store (bytes that are not UTF-8,
// a NUL character) is refused here, so it can never fail a whole batch later.
func optString(f field, name string, maxLen int) (string, bool, *Error) {
	if !present(f) {
		return "", false, nil
	}
	if f.typ != fastjson.TypeString {
		return "", false, &Error{Code: CodeInvalidField, Field: name, Detail: name + " must be a string"}
	}
	if !utf8.Valid(f.text) || bytes.IndexByte(f.text, 0) >= 0 {
		return "", false, &Error{Code: CodeInvalidField, Field: name, Detail: name + " must be UTF-8 text without NUL characters"}
	}
	if n := utf8.RuneCount(f.text); n > maxLen {
		return "", false, &Error{Code: CodeInvalidField, Field: name, Detail: fmt.Sprintf("%s is longer than %d characters", name, maxLen)}
	}
	return string(f.text), true, nil
}

// amount reads a decimal given as a JSON number or a string.
func amount(f field) (bullpen.Fixed, *Error) {
	if f.typ != fastjson.TypeNumber && f.typ != fastjson.TypeString {
		return 0, &Error{Code: CodeInvalidAmount, Field: "amount", Detail: "amount is not a decimal"}
	}
	v, err := bullpen.ParseAmount(string(f.text))
	if err != nil {
		return 0, &Error{Code: CodeInvalidAmount, Field: "amount", Detail: "amount is " + err.Error() + ": it must be a decimal >= 0 with at most 2 places, below 10^12"}
	}
	return v, nil
}

func validRepID(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '.', c == '_', c == ':', c == '@', c == '-':
		default:
			return false
		}
	}
	return true
}
