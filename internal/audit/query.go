package audit

import (
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"bullpen/internal/bullpen"
)

// Entry is a record as GET /audit shows it.
type Entry struct {
	ID     int64     `json:"id"`
	At     time.Time `json:"at"`
	Actor  Actor     `json:"actor"`
	Action string    `json:"action"`
	Entity string    `json:"entity"`
	Before Fields    `json:"before"` // null: the change had no before (a creation), or was recorded without one
	After  Fields    `json:"after"`  // null: the change had no after (a removal), or was recorded without one
	// Detail is what the writer recorded beside the fields; a record written before before
	// and after were kept has only this.
	Detail json.RawMessage `json:"detail,omitempty"`
}

// Actor is who made a change: a token id, with its name and role when the token is known.
type Actor struct {
	TokenID string       `json:"token_id"`
	Name    string       `json:"name,omitempty"`
	Role    bullpen.Role `json:"role,omitempty"`
}

// Entity names what a change was made to, as "kind:subject" ("contest:c-1"), or the kind alone
// when the change has no one subject ("events").
func Entity(kind, subject string) string {
	if subject == "" {
		return kind
	}
	return kind + ":" + subject
}

// Kind is the kind of thing an action changes: the part before its first dot.
func Kind(action string) string {
	kind, _, _ := strings.Cut(action, ".")
	return kind
}

// Page is a page of the trail, newest first; Next is the cursor of the page after it, empty on
// the last page.
type Page struct {
	Items []Entry
	Next  string
}

// Filter is what GET /audit asks for. Zero fields do not filter.
type Filter struct {
	Actor   string // token id
	Kind    string // the entity's kind
	Subject string // with Kind: one entity
	Since   time.Time
	Until   time.Time // exclusive
	Limit   int
	After   *Cursor // the page starts after this record
}

// Cursor is where a page ends: the trail's order is (at, id) descending.
type Cursor struct {
	At time.Time
	ID int64
}

// Query is GET /audit's query string, as given.
type Query struct {
	Actor, Entity, Since, Until, Cursor string
	Limit                               int // already checked by the API's paging rules
}

// Parse checks q, naming the parameter at fault.
func Parse(q Query) (Filter, error) {
	f := Filter{Actor: q.Actor, Limit: q.Limit}
	if q.Entity != "" {
		kind, subject, one := strings.Cut(q.Entity, ":")
		if !validKind(kind) || one && subject == "" {
			return f, bullpen.Invalid("entity", "entity is a kind (contest, incentive, token, ledger, targets, events) or kind:id, not %q", q.Entity)
		}
		f.Kind, f.Subject = kind, subject
	}
	var err error
	if f.Since, err = instant("since", q.Since); err != nil {
		return f, err
	}
	if f.Until, err = instant("until", q.Until); err != nil {
		return f, err
	}
	if !f.Since.IsZero() && !f.Until.IsZero() && !f.Until.After(f.Since) {
		return f, bullpen.Invalid("until", "until must come after since")
	}
	if q.Cursor != "" {
		c, ok := decodeCursor(q.Cursor)
		if !ok {
			return f, bullpen.Invalid("cursor", "cursor is not one this API gave")
		}
		f.After = &c
	}
	return f, nil
}

// validKind: a kind is the start of an action name, so any lowercase word; the list in the
// message is what is recorded today, and a new kind needs no change here.
func validKind(kind string) bool {
	if kind == "" || len(kind) > 40 {
		return false
	}
	for _, r := range kind {
		if (r < 'a' || r > 'z') && r != '_' {
			return false
		}
	}
	return true
}

func instant(name, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return t, bullpen.Invalid(name, "%s must be an RFC 3339 time such as 2026-03-01T09:00:00Z", name)
	}
	return t, nil
}

// Encode makes c opaque: clients pass it back, never build it.
func (c Cursor) Encode() string {
	return base64.RawURLEncoding.EncodeToString([]byte(c.At.UTC().Format(time.RFC3339Nano) + "|" + strconv.FormatInt(c.ID, 10)))
}

func decodeCursor(s string) (Cursor, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return Cursor{}, false
	}
	at, id, ok := strings.Cut(string(b), "|")
	if !ok {
		return Cursor{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, at)
	if err != nil {
		return Cursor{}, false
	}
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 {
		return Cursor{}, false
	}
	return Cursor{At: t, ID: n}, true
}
