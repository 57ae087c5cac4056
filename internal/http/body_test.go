package http_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"bullpen/internal/bullpen"
)

func TestBodiesInAnotherMediaTypeAre415AndChangeNothing(t *testing.T) {
	e := newEnv(t)
	body := contestBody("Sprint", time.Now().Add(time.Hour))
	for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", "", "application/jsonx", "text/csv"} {
		t.Run(ct, func(t *testing.T) {
			e.do("POST", "/api/v1/contests", adminSecret, body, "Content-Type", ct).WantError(t, 415, bullpen.EInvalid, "Content-Type")
		})
	}
	var list struct{ Items []json.RawMessage }
	if e.do("GET", "/api/v1/contests", adminSecret, nil).Want(t, 200, &list); len(list.Items) != 0 {
		t.Fatalf("a refused body created %d contests", len(list.Items))
	}
	// The media type's parameters and case do not matter.
	e.do("POST", "/api/v1/contests", adminSecret, body, "Content-Type", "Application/JSON; charset=utf-8").Want(t, 201, nil)
}

func TestEachEndpointHasABodyLimitThatFitsIt(t *testing.T) {
	e := newEnv(t)
	// A contest is a few hundred bytes: 300 KB is refused by its endpoint's own limit, and the
	// answer names the limit.
	big := contestBody("Sprint", time.Now().Add(time.Hour))
	big["name"] = strings.Repeat("x", 300<<10)
	r := e.do("POST", "/api/v1/contests", adminSecret, big)
	if er := r.WantError(t, 413, bullpen.EInvalid, ""); !strings.Contains(er.Error.Message, "262144") {
		t.Fatalf("413 without the limit: %q", er.Error.Message)
	}
	// The same size is fine for a batch of events: it gets as far as reading the events.
	events := `[` + strings.Repeat(`{"event_id":"e","type":"activity","rep_id":"r","activity":"a-long-activity-name"},`, 4_000) + `{}]`
	if len(events) < 300<<10 {
		t.Fatalf("the batch is only %d bytes", len(events))
	}
	e.do("POST", "/api/v1/events", adminSecret, events).WantError(t, 400, bullpen.EInvalid, "0.occurred_at")
}
