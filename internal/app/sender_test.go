package app_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"bullpen/internal/testenv"
)

// An event posted to the API reaches the ledger with the token that sent it; one written to
// the topic by anyone else has no sender, whatever its body says.
func TestEventsRecordTheTokenThatSentThem(t *testing.T) {
	t.Parallel()
	cfg := testenv.Config(t)
	db := openDB(t, cfg)
	startConsumer(t, cfg)
	base := startServer(t, cfg)

	code, body := call(t, "POST", base+"/api/v1/tokens", cfg.AdminToken, map[string]any{"role": "ingest", "name": "CRM bridge"})
	if code != 201 {
		t.Fatalf("mint: %d %s", code, body)
	}
	var ingest struct{ ID, Token string }
	_ = json.Unmarshal(body, &ingest)

	code, body = call(t, "POST", base+"/api/v1/events", ingest.Token, []map[string]any{
		{"event_id": "api-1", "type": "deal.won", "occurred_at": "2026-06-02T10:00:00Z", "rep_id": "rep-1", "deal_id": "D1", "amount": 10},
	})
	if code != 202 {
		t.Fatalf("post events: %d %s", code, body)
	}
	produce(t, cfg, msg("rep-2", ev{"event_id": "crm-1", "type": "deal.won", "deal_id": "D2", "amount": 20, "sent_by": ingest.ID}))
	testenv.Eventually(t, 20*time.Second, "both events in the ledger", func() bool { return eventCount(t, db) == 2 })

	rows, err := db.Pool.Query(context.Background(), `SELECT event_id, coalesce(sent_by, '(none)') FROM events ORDER BY event_id`)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for rows.Next() {
		var id, by string
		if err := rows.Scan(&id, &by); err != nil {
			t.Fatal(err)
		}
		got[id] = by
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if got["api-1"] != ingest.ID || got["crm-1"] != "(none)" {
		t.Fatalf("senders %v: want api-1 by %s, crm-1 by none", got, ingest.ID)
	}

	code, body = call(t, "GET", base+"/api/v1/audit?entity=events&actor="+ingest.ID, cfg.AdminToken, nil)
	var page struct {
		Items []struct {
			Action string `json:"action"`
			Actor  struct{ Name string }
			Detail json.RawMessage `json:"detail"`
		} `json:"items"`
	}
	_ = json.Unmarshal(body, &page)
	if code != 200 || len(page.Items) != 1 || page.Items[0].Action != "events.post" || page.Items[0].Actor.Name != "CRM bridge" ||
		string(page.Items[0].Detail) != `{"count":1}` {
		t.Fatalf("the post in the audit trail: %d %s", code, body)
	}
}
