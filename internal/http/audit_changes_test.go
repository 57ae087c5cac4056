package http_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"bullpen/internal/bullpen"
	"bullpen/internal/event"
)

// js is fields as compact JSON with sorted names, or "null".
func js(t *testing.T, f map[string]json.RawMessage) string {
	t.Helper()
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// only is the one record of the trail about entity, checked to be the given action.
func (e *env) only(entity, action string) auditEntry {
	e.t.Helper()
	for _, it := range e.audit("entity", entity).Items {
		if it.Action == action {
			return it
		}
	}
	e.t.Fatalf("no %s of %s in the trail", action, entity)
	return auditEntry{}
}

func TestAuditRecordsAContestsLifeFieldByField(t *testing.T) {
	e := newEnv(t)
	mgr := e.mustMint(adminSecret, bullpen.RoleManager, "")
	var c contestView
	e.do("POST", "/api/v1/contests", mgr.Token, contestBody("Sprint", time.Now().Add(2*time.Hour))).Want(t, 201, &c)
	e.do("PATCH", "/api/v1/contests/"+c.ID, mgr.Token, map[string]any{"name": "Sprint 2", "prizes": []map[string]any{{"rank": 1, "points": 300}}}).Want(t, 200, nil)
	e.do("PATCH", "/api/v1/contests/"+c.ID, mgr.Token, map[string]any{"name": "Sprint 2"}).Want(t, 200, nil) // changes nothing
	e.do("POST", "/api/v1/contests/"+c.ID+"/cancel", adminSecret, nil).Want(t, 200, nil)

	p := e.audit("entity", "contest:"+c.ID)
	if got := actions(p); !same(got, []string{"contest.cancel contest:" + c.ID, "contest.update contest:" + c.ID, "contest.create contest:" + c.ID}) {
		t.Fatalf("trail %q: a patch that changes nothing records nothing", got)
	}
	cancel, update, create := p.Items[0], p.Items[1], p.Items[2]

	if create.Before != nil || string(create.After["name"]) != `"Sprint"` || string(create.After["metric"]) != `"revenue"` ||
		string(create.After["id"]) != `"`+c.ID+`"` || create.Actor.TokenID != mgr.ID || create.Actor.Role != "manager" {
		t.Fatalf("a creation is its after, whole: %+v", create)
	}
	for _, derived := range []string{"status", "updated_at", "updated_by"} {
		if _, ok := create.After[derived]; ok {
			t.Errorf("the creation records %s", derived)
		}
	}

	if b, a := js(t, update.Before), js(t, update.After); b != `{"name":"Sprint","prizes":[{"rank":1,"points":500}]}` ||
		a != `{"name":"Sprint 2","prizes":[{"rank":1,"points":300}]}` {
		t.Fatalf("the patch's fields: %s → %s", b, a)
	}
	if string(update.Detail) != `{"name":"Sprint 2","prizes":[{"rank":1,"points":300}]}` {
		t.Fatalf("the patch as asked: %s", update.Detail)
	}

	if cancel.After != nil || string(cancel.Before["name"]) != `"Sprint 2"` || string(cancel.Before["starts_at"]) == "" ||
		cancel.Actor.TokenID != bullpen.AdminTokenID || cancel.Actor.Role != "admin" {
		t.Fatalf("a cancel is its before, whole: %+v", cancel)
	}
	if _, ok := cancel.Before["cancelled_at"]; ok {
		t.Fatalf("the before of a cancel holds its cancel")
	}
}

func TestAuditRecordsAnIncentivesEndAndALedgerAdjustment(t *testing.T) {
	e := newEnv(t)
	e.seedFloor()
	i := e.mustCreateIncentive(incentiveBody("First to close"))
	var ended struct {
		EndedAt string `json:"ended_at"`
	}
	e.do("POST", "/api/v1/incentives/"+i.ID+"/end", adminSecret, nil).Want(t, 200, &ended)
	end := e.only("incentive:"+i.ID, "incentive.end")
	if b, a := js(t, end.Before), js(t, end.After); b != `{"ended_at":null}` || a != `{"ended_at":"`+ended.EndedAt+`"}` {
		t.Fatalf("the end: %s → %s (ended_at %s)", b, a, ended.EndedAt)
	}
	launch := e.only("incentive:"+i.ID, "incentive.launch")
	if launch.Before != nil || string(launch.After["title"]) != `"First to close"` || launch.After["winners"] != nil {
		t.Fatalf("the launch %+v", launch)
	}

	e.mustAdjust(adminSecret, "ana", 25, "contest help")
	adj := e.only("ledger:ana", "ledger.adjust")
	if adj.Before != nil || string(adj.After["points"]) != "25" || string(adj.After["note"]) != `"contest help"` || string(adj.After["rep_id"]) != `"ana"` {
		t.Fatalf("the adjustment %+v", adj)
	}
}

func TestAuditRecordsATokensMintingAndRevocation(t *testing.T) {
	e := newEnv(t)
	mgr := e.mustMint(adminSecret, bullpen.RoleManager, "")
	disp := e.mustMint(mgr.Token, bullpen.RoleDisplay, "")
	var rotated struct {
		RotatedAt string `json:"rotated_at"`
		Until     string `json:"previous_secret_until"`
	}
	e.do("POST", "/api/v1/tokens/"+disp.ID+"/rotate", mgr.Token, map[string]any{"overlap": "1h"}).Want(t, 200, &rotated)
	e.do("DELETE", "/api/v1/tokens/"+disp.ID, mgr.Token, nil).Want(t, 204, nil)
	mint := e.only("token:"+disp.ID, "token.create")
	if mint.Before != nil || string(mint.After["role"]) != `"display"` || string(mint.After["created_by"]) != `"`+mgr.ID+`"` {
		t.Fatalf("the minting %+v", mint)
	}
	rot := e.only("token:"+disp.ID, "token.rotate")
	if b, a := js(t, rot.Before), js(t, rot.After); b != `{"previous_secret_until":null,"rotated_at":null}` ||
		a != `{"previous_secret_until":"`+rotated.Until+`","rotated_at":"`+rotated.RotatedAt+`"}` {
		t.Fatalf("the rotation: %s → %s (answered %+v)", b, a, rotated)
	}
	revoke := e.only("token:"+disp.ID, "token.revoke")
	if revoke.After != nil || string(revoke.Before["id"]) != `"`+disp.ID+`"` || string(revoke.Before["name"]) != `"display for tests"` ||
		revoke.Actor.TokenID != mgr.ID {
		t.Fatalf("the revocation %+v", revoke)
	}
	for _, f := range []string{"token", "hash"} {
		if _, ok := mint.After[f]; ok {
			t.Fatalf("the trail keeps the token's %s", f)
		}
	}
}

func TestAuditRecordsTargetsByTarget(t *testing.T) {
	e := newEnv(t)
	month := e.seedFloor()
	set := "targets:" + month + "/revenue/east"
	row := func(rep string, target any) map[string]any {
		return map[string]any{"period": month, "metric": "revenue", "team_id": "east", "rep_id": rep, "target": target}
	}
	e.do("PUT", "/api/v1/targets", adminSecret, []map[string]any{row("ana", "2000"), row("bo", 1000)}).Want(t, 200, nil)
	e.do("PUT", "/api/v1/targets", adminSecret, []map[string]any{row("ana", "2500.5"), row("bo", 1000)}).Want(t, 200, nil)
	e.do("DELETE", "/api/v1/targets?period="+month+"&metric=revenue&team_id=east&rep_id=bo", adminSecret, nil).Want(t, 204, nil)

	p := e.audit("entity", set)
	if got := actions(p); !same(got, []string{"targets.delete " + set, "targets.put " + set, "targets.put " + set}) {
		t.Fatalf("trail %q", got)
	}
	del, changed, created := p.Items[0], p.Items[1], p.Items[2]
	if created.Before != nil || js(t, created.After) != `{"target.ana":2000,"target.bo":1000,"timezone":"UTC","weights":null}` {
		t.Fatalf("a new set: %s → %s", js(t, created.Before), js(t, created.After))
	}
	if b, a := js(t, changed.Before), js(t, changed.After); b != `{"target.ana":2000}` || a != `{"target.ana":2500.5}` {
		t.Fatalf("one target changed: %s → %s", b, a)
	}
	if del.After != nil || js(t, del.Before) != `{"target.bo":1000}` || string(del.Detail) != `{"set_removed":false}` {
		t.Fatalf("a removal: %s → %s, %s", js(t, del.Before), js(t, del.After), del.Detail)
	}
}

func TestPostEventsRecordsItsSender(t *testing.T) {
	e := newEnv(t)
	ingest := e.mustMint(adminSecret, bullpen.RoleIngest, "")
	e.do("POST", "/api/v1/events", ingest.Token, "["+goodEvent+","+otherEvent+"]").Want(t, 202, nil)
	e.do("POST", "/api/v1/events", adminSecret, "["+goodEvent+"]").Want(t, 202, nil)
	msgs := e.producer.produced()
	if len(msgs) != 3 || msgs[0].SentBy != ingest.ID || msgs[1].SentBy != ingest.ID || msgs[2].SentBy != bullpen.AdminTokenID {
		t.Fatalf("produced %+v", msgs)
	}
	p := e.audit("entity", "events")
	if len(p.Items) != 2 {
		t.Fatalf("one record per post: %q", actions(p))
	}
	post := p.Items[1]
	if post.Action != "events.post" || post.Entity != "events" || post.Actor.TokenID != ingest.ID || post.Actor.Role != "ingest" ||
		string(post.Detail) != `{"count":2}` || post.Before != nil || post.After != nil {
		t.Fatalf("the ingest token's post %+v", post)
	}
	if got := e.audit("actor", bullpen.AdminTokenID, "entity", "events").Items; len(got) != 1 || string(got[0].Detail) != `{"count":1}` {
		t.Fatalf("the admin's post %+v", got)
	}
}

func TestLedgerEntriesNameTheSenderOfTheirEvent(t *testing.T) {
	e := newEnv(t)
	e.seedFloor()
	e.mustCreateIncentive(incentiveBody("First to close $5k+"))
	at := time.Now().UTC().Format(time.RFC3339Nano)
	apply := func(sentBy, raw string) {
		ev, err := event.Decode([]byte(raw), "USD")
		if err != nil {
			t.Fatal(err)
		}
		ev.SentBy = sentBy
		if _, err := e.db.ApplyBatch(context.Background(), []event.Event{ev}, []string{"test"}); err != nil {
			t.Fatal(err)
		}
	}
	apply("tok_crm", `{"event_id":"big-ana","type":"deal.won","occurred_at":"`+at+`","rep_id":"ana","deal_id":"B1","amount":6000}`)
	apply("", `{"event_id":"big-bo","type":"deal.won","occurred_at":"`+at+`","rep_id":"bo","deal_id":"B2","amount":7000}`)
	for rep, want := range map[string]string{"ana": "tok_crm", "bo": ""} {
		var v struct {
			Entries []struct {
				EventID     string  `json:"event_id"`
				EventSentBy *string `json:"event_sent_by"`
			} `json:"entries"`
		}
		e.do("GET", "/api/v1/reps/"+rep+"/ledger", adminSecret, nil).Want(t, 200, &v)
		if len(v.Entries) != 1 || v.Entries[0].EventID != "big-"+rep {
			t.Fatalf("%s's ledger %+v", rep, v.Entries)
		}
		got := v.Entries[0].EventSentBy
		if want == "" && got != nil || want != "" && (got == nil || *got != want) {
			t.Fatalf("%s's reward names its event's sender %v, want %q", rep, got, want)
		}
	}
}
