// Package audit is the audit trail as people read it (docs/api.md §3 "Audit"): what a change
// records (who, what, which thing, and the before and after of the fields it changed), and how
// the trail is asked for (filters, newest first, keyset pages behind an opaque cursor).
package audit

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Change is one record of the trail, written in the transaction of the change it records.
type Change struct {
	By      string // the token that made it (bullpen.AdminTokenID, bullpen.SystemActor)
	Action  string // "contest.update": its kind, a dot, the verb
	Subject string // the thing changed, within the kind ("" when the change has no one subject)
	// Before and After hold, field by field, the values the change replaced and the ones it
	// wrote: a creation has only After, a removal (delete, cancel, revoke) only Before.
	Before, After Fields
	Detail        any // what the change says beyond its fields (the patch as asked, a count)
}

// Fields are values by field name, each as its JSON.
type Fields map[string]json.RawMessage

// Whole is every field of v's JSON object: the after of a creation, the before of a removal.
func Whole(v any) (Fields, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	var f Fields
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("audit: %T is not a JSON object: %w", v, err)
	}
	return f, nil
}

// Changed keeps, of before and after (one thing's fields), the fields whose values differ,
// each on both sides: a field one side lacks is null there. Both are nil when nothing differs.
func Changed(before, after Fields) (Fields, Fields, error) {
	var ob, oa Fields
	keep := func(k string, bv, av json.RawMessage) {
		if ob == nil {
			ob, oa = Fields{}, Fields{}
		}
		ob[k], oa[k] = orNull(bv), orNull(av)
	}
	for k, bv := range before {
		same, err := equal(bv, after[k])
		if err != nil {
			return nil, nil, err
		}
		if !same {
			keep(k, bv, after[k])
		}
	}
	for k, av := range after {
		if _, ok := before[k]; !ok && !isNull(av) {
			keep(k, nil, av)
		}
	}
	return ob, oa, nil
}

var null = json.RawMessage("null")

func orNull(v json.RawMessage) json.RawMessage {
	if v == nil {
		return null
	}
	return v
}

func isNull(v json.RawMessage) bool { return string(bytes.TrimSpace(v)) == "null" }

// equal compares two JSON values by their compact form: Go's encoder writes one value one way
// (map keys sorted), so a difference here is a difference in value.
func equal(a, b json.RawMessage) (bool, error) {
	a, b = orNull(a), orNull(b)
	var ca, cb bytes.Buffer
	if err := json.Compact(&ca, a); err != nil {
		return false, fmt.Errorf("audit: %w", err)
	}
	if err := json.Compact(&cb, b); err != nil {
		return false, fmt.Errorf("audit: %w", err)
	}
	return bytes.Equal(ca.Bytes(), cb.Bytes()), nil
}

// Without drops fields that are not the thing's own: values derived at read time (a status)
// or the writer's bookkeeping (updated_at), which the record's time and actor already say.
func (f Fields) Without(names ...string) Fields {
	for _, n := range names {
		delete(f, n)
	}
	return f
}
