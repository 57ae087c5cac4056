package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"bullpen/internal/app"
	"bullpen/internal/config"
	"bullpen/internal/openapitest"
	"bullpen/internal/testenv"
)

// startServer runs the real server wiring on a free port and returns its base URL.
func startServer(t *testing.T, cfg config.Config) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- app.RunServer(ctx, cfg, ln, app.Logger("warn")) }()
	base := "http://" + ln.Addr().String()
	testenv.Eventually(t, 20*time.Second, "the server", func() bool {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
		}
		return err == nil && resp.StatusCode == 200
	})
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("server: %v", err)
		}
	})
	return base
}

func call(t *testing.T, method, url, token string, body any) (int, []byte) {
	t.Helper()
	var r io.Reader
	var sent []byte
	if body != nil {
		sent, _ = json.Marshal(body)
		r = bytes.NewReader(sent)
	}
	req, _ := http.NewRequest(method, url, r)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	// The real wiring answers as docs/openapi.json says.
	openapitest.Check(t, openapitest.Exchange{Method: method, Path: req.URL.RequestURI(), Header: req.Header, Body: sent,
		Status: resp.StatusCode, ResHeader: resp.Header, ResBody: out})
	return resp.StatusCode, out
}

type standings struct {
	Status  string `json:"status"`
	Total   int    `json:"total"`
	Entries []struct {
		Rank   int     `json:"rank"`
		RepID  string  `json:"rep_id"`
		Name   string  `json:"name"`
		TeamID *string `json:"team_id"`
		Score  float64 `json:"score"`
	} `json:"entries"`
}

// scores is rep -> score in hundredths.
func (st standings) scores() map[string]int64 {
	out := make(map[string]int64, len(st.Entries))
	for _, e := range st.Entries {
		out[e.RepID] = int64(e.Score*100 + 0.5)
	}
	return out
}

func TestEndToEndDealsInStandingsOut(t *testing.T) {
	t.Parallel()
	cfg := testenv.Config(t)
	startConsumer(t, cfg)
	base := startServer(t, cfg)
	admin := cfg.AdminToken

	// Events recorded before the contest exists count too.
	produce(t, cfg, msg("rep-1", ev{"event_id": "early", "type": "deal.won", "deal_id": "E1", "amount": 1000, "rep_name": "Ana Ruiz", "team_id": "east"}))
	testenv.Eventually(t, 20*time.Second, "the early deal", func() bool {
		code, body := call(t, "GET", base+"/api/v1/reps/rep-1", admin, nil)
		return code == 200 && bytes.Contains(body, []byte("Ana Ruiz"))
	})

	code, body := call(t, "POST", base+"/api/v1/contests", admin, map[string]any{
		"name": "June revenue", "metric": "revenue", "starts_at": "2026-06-01T00:00:00Z", "ends_at": "2099-01-01T00:00:00Z",
	})
	if code != 201 {
		t.Fatalf("create contest: %d %s", code, body)
	}
	var c struct{ ID, Status string }
	_ = json.Unmarshal(body, &c)
	if c.Status != "live" {
		t.Fatalf("contest status %q, want live", c.Status)
	}

	produce(t, cfg,
		msg("rep-2", ev{"event_id": "w2", "type": "deal.won", "deal_id": "E2", "amount": "2500.50", "rep_name": "Bo Chen", "team_id": "west"}),
		msg("rep-1", ev{"event_id": "u1", "type": "deal.updated", "deal_id": "E1", "amount": 1200}),
	)
	// And through the API, which validates and produces to the same topic.
	code, body = call(t, "POST", base+"/api/v1/events", admin, []map[string]any{
		{"event_id": "w3", "type": "deal.won", "occurred_at": "2026-06-02T10:00:00Z", "rep_id": "rep-3", "deal_id": "E3", "amount": 99.99, "rep_name": "Cy Diaz"},
	})
	if code != 202 {
		t.Fatalf("post events: %d %s", code, body)
	}

	want := []struct {
		rep, name string
		score     float64
	}{{"rep-2", "Bo Chen", 2500.50}, {"rep-1", "Ana Ruiz", 1200}, {"rep-3", "Cy Diaz", 99.99}}
	// The three events travel on different partitions: rep-1's update can land after the other
	// two, so the board is waited on until it is whole, and then checked row by row.
	var st standings
	settled := func() bool {
		if len(st.Entries) != len(want) {
			return false
		}
		for i, w := range want {
			e := st.Entries[i]
			if e.Rank != i+1 || e.RepID != w.rep || e.Name != w.name || e.Score != w.score {
				return false
			}
		}
		return true
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		code, body := call(t, "GET", base+"/api/v1/contests/"+c.ID+"/leaderboard", admin, nil)
		st = standings{}
		_ = json.Unmarshal(body, &st)
		if code == 200 && st.Total == 3 && settled() || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if st.Total != 3 {
		t.Fatalf("standings total %d, want 3: %+v", st.Total, st.Entries)
	}
	for i, w := range want {
		if i >= len(st.Entries) {
			t.Fatalf("row %d missing: %+v", i, st.Entries)
		}
		e := st.Entries[i]
		if e.Rank != i+1 || e.RepID != w.rep || e.Name != w.name || e.Score != w.score {
			t.Errorf("row %d: %+v, want %+v", i, e, w)
		}
	}
	// The last row with one row each side: the window shifts up to keep three rows.
	code, body = call(t, "GET", base+"/api/v1/contests/"+c.ID+"/leaderboard?around=rep-3&radius=1", admin, nil)
	st = standings{}
	_ = json.Unmarshal(body, &st)
	if code != 200 || len(st.Entries) != 3 || st.Entries[0].RepID != "rep-2" || st.Entries[2].RepID != "rep-3" {
		t.Fatalf("around rep-3 (last): %d %s", code, body)
	}
}
