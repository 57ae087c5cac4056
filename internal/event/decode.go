package event

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"bullpen/internal/bullpen"
)

// wire is the JSON shape of an event; every field is raw so that a wrong type is reported
// against its field rather than as a generic decoding failure.
type wire struct {
	EventID    json.RawMessage `json:"event_id"`
	Type       json.RawMessage `json:"type"`
	OccurredAt json.RawMessage `json:"occurred_at"`
	RepID      json.RawMessage `json:"rep_id"`
	RepName    json.RawMessage `json:"rep_name"`
	TeamID     json.RawMessage `json:"team_id"`
	DealID     json.RawMessage `json:"deal_id"`
	Amount     json.RawMessage `json:"amount"`
	Currency   json.RawMessage `json:"currency"`
	Units      json.RawMessage `json:"units"`
	Product    json.RawMessage `json:"product"`
	Activity   json.RawMessage `json:"activity"`
}

// Decode parses and validates one event. currency is the configured BULLPEN_CURRENCY.
func Decode(raw []byte, currency string) (Event, *Error) {
	var w wire
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return Event{}, &Error{Code: CodeInvalidJSON, Detail: "the value is not a JSON object"}
	}
	if err := json.Unmarshal(trimmed, &w); err != nil {
		return Event{}, &Error{Code: CodeInvalidJSON, Detail: err.Error()}
	}
	return w.validate(currency)
}

func present(r json.RawMessage) bool { return len(r) > 0 && string(r) != "null" }

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
		n, perr := strconv.ParseInt(string(w.Units), 10, 64)
		if perr != nil || n < 0 || n > 1_000_000_000 {
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

func reqString(r json.RawMessage, field string, minLen, maxLen int) (string, *Error) {
	if !present(r) {
		return "", &Error{Code: CodeMissingField, Field: field, Detail: field + " is required"}
	}
	s, ok, err := optString(r, field, maxLen)
	if err != nil {
		return "", err
	}
	if !ok || utf8.RuneCountInString(s) < minLen {
		return "", &Error{Code: CodeMissingField, Field: field, Detail: field + " is required"}
	}
	return s, nil
}

func optString(r json.RawMessage, field string, maxLen int) (string, bool, *Error) {
	if !present(r) {
		return "", false, nil
	}
	s, ok := plainString(r)
	if !ok {
		if err := json.Unmarshal(r, &s); err != nil {
			return "", false, &Error{Code: CodeInvalidField, Field: field, Detail: field + " must be a string"}
		}
	}
	if utf8.RuneCountInString(s) > maxLen {
		return "", false, &Error{Code: CodeInvalidField, Field: field, Detail: fmt.Sprintf("%s is longer than %d characters", field, maxLen)}
	}
	return s, true, nil
}

func amount(r json.RawMessage) (bullpen.Fixed, *Error) {
	s := string(r)
	if s[0] == '"' {
		if err := json.Unmarshal(r, &s); err != nil {
			return 0, &Error{Code: CodeInvalidAmount, Field: "amount", Detail: "amount is not a decimal"}
		}
	}
	v, err := bullpen.ParseAmount(s)
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

// plainString reads a JSON string without escapes directly, the common case, saving a second
// decoding of every field.
func plainString(r json.RawMessage) (string, bool) {
	if len(r) < 2 || r[0] != '"' || r[len(r)-1] != '"' {
		return "", false
	}
	body := r[1 : len(r)-1]
	for _, c := range body {
		if c == '\\' || c == '"' || c < 0x20 || c >= 0x80 {
			return "", false
		}
	}
	return string(body), true
}
