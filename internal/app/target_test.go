package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"bullpen/internal/bullpen"
	"bullpen/internal/postgres"
	"bullpen/internal/redis"
	"bullpen/internal/service"
	"bullpen/internal/target"
	"bullpen/internal/testenv"
)

// attainmentModel is an independent model of attainment: it replays the events the test sent
// (in order, each once) and sums, for a set, each rep's won deals and weighted activities that
// its rules count. It shares no code with the consumer.
type attainmentModel struct {
	deals map[string]*modelDeal
	acts  []modelActivity
}

type modelDeal struct {
	rep, team string
	cents     int64
	units     int64
	wonAt     time.Time
	won       bool
}

type modelActivity struct {
	rep, team, activity string
	at                  time.Time
}

type modelSet struct {
	team, metric string
	start, end   time.Time
	weights      map[string]int64 // hundredths
}

// apply replays one event: teams are the ones the events name (every event here names one).
func (m *attainmentModel) apply(e tev) {
	if m.deals == nil {
		m.deals = map[string]*modelDeal{}
	}
	switch e.typ {
	case "deal.won":
		if d := m.deals[e.deal]; d != nil && d.won {
			return
		}
		m.deals[e.deal] = &modelDeal{rep: e.rep, team: e.team, cents: e.cents, units: 1, wonAt: e.at, won: true}
	case "deal.updated":
		if d := m.deals[e.deal]; d != nil && d.won {
			d.cents = e.cents
		}
	case "deal.reversed":
		if d := m.deals[e.deal]; d != nil {
			d.won = false
		}
	case "activity":
		m.acts = append(m.acts, modelActivity{rep: e.rep, team: e.team, activity: e.activity, at: e.at})
	}
}

// values is what each rep has scored for s, in hundredths.
func (m *attainmentModel) values(s modelSet) map[string]int64 {
	out := map[string]int64{}
	in := func(t time.Time) bool { return !t.Before(s.start) && t.Before(s.end) }
	for _, d := range m.deals {
		if !d.won || d.team != s.team || !in(d.wonAt) {
			continue
		}
		switch s.metric {
		case "revenue":
			out[d.rep] += d.cents
		case "deals":
			out[d.rep] += 100
		case "points":
			p := s.weights["deal.won"]
			if rpp := s.weights["revenue_per_point"]; rpp > 0 {
				// Points for revenue, each deal rounded half up to the cent: cents/rpp points.
				p += (d.cents*100*2 + rpp) / (2 * rpp)
			}
			out[d.rep] += p
		}
	}
	if s.metric == "points" {
		for _, a := range m.acts {
			if w, ok := s.weights[a.activity]; ok && a.activity != "revenue_per_point" && a.team == s.team && in(a.at) {
				out[a.rep] += w
			}
		}
	}
	return out
}

// tev is an event of this test.
type tev struct {
	id, typ, rep, team, deal, activity string
	cents                              int64
	at                                 time.Time
}

func (e tev) msg() kafkago.Message {
	m := ev{"event_id": e.id, "type": e.typ, "team_id": e.team, "occurred_at": e.at.Format(time.RFC3339Nano)}
	if e.deal != "" {
		m["deal_id"] = e.deal
	}
	if e.typ == "deal.won" || e.typ == "deal.updated" {
		m["amount"] = fmt.Sprintf("%d.%02d", e.cents/100, e.cents%100)
	}
	if e.activity != "" {
		m["activity"] = e.activity
	}
	return msg(e.rep, m)
}

func TestAttainmentFollowsTheLedgerExactly(t *testing.T) {
	t.Parallel()
	cfg := testenv.Config(t)
	berlin, _ := time.LoadLocation("Europe/Berlin")
	// November is past: let its sets still take events, however long ago it ended.
	cfg.Grace = time.Since(time.Date(2026, 11, 1, 0, 0, 0, 0, berlin)) + 7*24*time.Hour
	db, store := openDB(t, cfg), openStore(t, cfg)
	db.Grace = cfg.Grace // the sets' recount, here, follows the consumer's rules
	addr := startConsumer(t, cfg)
	nov := func(day, h, m int) time.Time { return time.Date(2026, 11, day, h, m, 0, 0, berlin) }
	model := &attainmentModel{}
	var sent []tev
	send := func(evs ...tev) {
		t.Helper()
		msgs := make([]kafkago.Message, len(evs))
		for i, e := range evs {
			msgs[i] = e.msg()
			model.apply(e)
		}
		sent = append(sent, evs...)
		produce(t, cfg, msgs...)
		testenv.Eventually(t, 30*time.Second, "the events applied", func() bool { return eventCount(t, db) == len(sent) })
	}

	// Before any target exists: the sets created below count these from the ledger.
	send(
		tev{id: "a1", typ: "deal.won", rep: "ana", team: "east", deal: "D1", cents: 100000, at: nov(10, 9, 0)},
		tev{id: "a2", typ: "deal.won", rep: "bo", team: "east", deal: "D2", cents: 50000, at: nov(12, 9, 0)},
		tev{id: "a3", typ: "deal.won", rep: "cy", team: "west", deal: "D3", cents: 30000, at: nov(12, 10, 0)},
		tev{id: "a4", typ: "activity", rep: "ana", team: "east", activity: "call", at: nov(11, 9, 0)},
		tev{id: "a5", typ: "deal.won", rep: "ana", team: "east", deal: "D0", cents: 29999, at: nov(20, 9, 0)},
	)

	targets := service.NewTargets(service.TargetDeps{Store: db, Projection: store, Timezone: "UTC", Logger: testenv.Logger(t)})
	weights := map[string]bullpen.Fixed{"deal.won": 1000, "call": 150, "revenue_per_point": 30000}
	rows := []target.Target{
		{Period: "2026-11", Metric: "revenue", TeamID: "east", RepID: "ana", Target: 500000, Timezone: "Europe/Berlin"},
		{Period: "2026-11", Metric: "revenue", TeamID: "east", RepID: "bo", Target: 300000},
		{Period: "2026-11", Metric: "points", TeamID: "east", RepID: "ana", Target: 5000, Timezone: "Europe/Berlin", Weights: weights},
		{Period: "2026-11", Metric: "deals", TeamID: "west", RepID: "cy", Target: 1000},
		{Period: "2026-Q4", Metric: "revenue", TeamID: "east", Target: 1000000, Timezone: "Europe/Berlin"},
	}
	if _, err := targets.Put(context.Background(), &target.Request{Rows: rows}, "test"); err != nil {
		t.Fatal(err)
	}
	sets := map[string]modelSet{}
	for _, st := range mustSets(t, db) {
		w := map[string]int64{}
		for k, v := range st.Set.Weights {
			w[k] = int64(v)
		}
		sets[fmt.Sprint(st.Set.ID)] = modelSet{team: st.Set.TeamID, metric: st.Set.Metric, start: st.Set.Start, end: st.Set.End, weights: w}
	}
	checkAttainment(t, db, store, model, sets, "after the sets were created mid-period")

	// The batches after: updates, reversals, activities, and the edges of November in Berlin
	// (CET, UTC+1): 2026-11-01T00:00 local is 2026-10-31T23:00Z; 2026-12-01T00:00 local is
	// 2026-11-30T23:00Z.
	utc := func(s string) time.Time { at, _ := time.Parse(time.RFC3339, s); return at }
	send(
		tev{id: "b1", typ: "deal.updated", rep: "ana", team: "east", deal: "D1", cents: 123456, at: nov(21, 9, 0)},
		tev{id: "b2", typ: "deal.reversed", rep: "bo", team: "east", deal: "D2", at: nov(22, 9, 0)},
		tev{id: "b3", typ: "deal.won", rep: "ana", team: "east", deal: "E1", cents: 10001, at: utc("2026-10-31T23:00:00Z")},
		tev{id: "b4", typ: "deal.won", rep: "bo", team: "east", deal: "E2", cents: 77700, at: utc("2026-10-31T22:59:59Z")},
		tev{id: "b5", typ: "deal.won", rep: "bo", team: "east", deal: "E3", cents: 20000, at: utc("2026-11-30T22:59:59Z")},
		tev{id: "b6", typ: "deal.won", rep: "ana", team: "east", deal: "E4", cents: 40000, at: utc("2026-11-30T23:00:00Z")},
		tev{id: "b7", typ: "activity", rep: "ana", team: "east", activity: "call", at: nov(23, 9, 0)},
		tev{id: "b8", typ: "activity", rep: "ana", team: "east", activity: "email", at: nov(23, 9, 5)},
		tev{id: "b9", typ: "activity", rep: "bo", team: "east", activity: "call", at: nov(23, 9, 10)},
		tev{id: "b10", typ: "deal.won", rep: "cy", team: "west", deal: "E5", cents: 100, at: nov(24, 9, 0)},
		tev{id: "b11", typ: "deal.won", rep: "ana", team: "west", deal: "E6", cents: 99900, at: nov(25, 9, 0)}, // ana moved west
		tev{id: "b12", typ: "deal.updated", rep: "ana", team: "west", deal: "D0", cents: 59999, at: nov(26, 9, 0)},
	)
	checkAttainment(t, db, store, model, sets, "after updates, reversals and the edges")

	// A set whose rules change mid-period is counted again from the ledger by its new rules.
	weights = map[string]bullpen.Fixed{"deal.won": 500, "call": 200, "email": 25, "revenue_per_point": 7000}
	if _, err := targets.Put(context.Background(), &target.Request{Rows: []target.Target{
		{Period: "2026-11", Metric: "points", TeamID: "east", RepID: "bo", Target: 2500, Weights: weights}}}, "test"); err != nil {
		t.Fatal(err)
	}
	for id, s := range sets {
		if s.metric == "points" {
			s.weights = map[string]int64{"deal.won": 500, "call": 200, "email": 25, "revenue_per_point": 7000}
			sets[id] = s
		}
	}
	checkAttainment(t, db, store, model, sets, "after the points set's weights changed")

	// A redelivery of batches already applied changes nothing.
	before := appliedEvents(t, addr)
	msgs := make([]kafkago.Message, len(sent))
	for i, e := range sent {
		msgs[i] = e.msg()
	}
	produce(t, cfg, msgs...)
	testenv.Eventually(t, 30*time.Second, "the redelivery read", func() bool {
		return consumerEvents(t, addr, "duplicate") >= len(sent)
	})
	if appliedEvents(t, addr) != before || eventCount(t, db) != len(sent) {
		t.Fatalf("a redelivery applied events again")
	}
	checkAttainment(t, db, store, model, sets, "after a redelivery")

	// The hand-worked figure the model must agree with, for ana on east's revenue set: D1
	// updated to 1234.56, E1 (the first moment of November in Berlin) 100.01, D0 updated to
	// 599.99 (the update came once ana was in west; the deal was won for east, and its east row
	// moves). E4 is December in Berlin; E6 was judged by west.
	for id, s := range sets {
		if s.team == "east" && s.metric == "revenue" && s.end.Sub(s.start) < 40*24*time.Hour {
			if got := model.values(s)["ana"]; got != 123456+10001+59999 {
				t.Fatalf("the model gives ana %d on set %s", got, id)
			}
		}
	}

	// The live side: the board of east's revenue set and ana's attainment went out. November is
	// over: the projection is the value, and the whole gap is needed on the one day there is.
	testenv.Eventually(t, 10*time.Second, "east's attainment board", func() bool {
		// ana 1934.56 and bo 200.00 (D2 reversed; E3 the last second of November in Berlin, E2
		// still October there) of 5000 + 3000.
		b, ok := lastMessage(t, store, "targets:east", "attainment.board", `"metric":"revenue","timezone":"Europe/Berlin","start":"2026-10-31T23:00:00Z","end":"2026-11-30T23:00:00Z"`)
		return ok && strings.Contains(b, `"team":{"period":"2026-11","metric":"revenue","value":2134.56,"target":8000,"pct":26.68,"projected":2134.56,"needed_per_day":5865.44,"own":false}`)
	})
	testenv.Eventually(t, 10*time.Second, "ana's attainment", func() bool {
		_, ok := lastMessage(t, store, "rep:ana", "attainment", `{"period":"2026-11","metric":"revenue","value":1934.56,"target":5000,"pct":38.69,"projected":1934.56,"needed_per_day":3065.44}`)
		return ok
	})
}

// checkAttainment compares every attainment row in PostgreSQL and in Redis with the model,
// and each team's value (the sum of its set's rows) too.
func checkAttainment(t *testing.T, db *postgres.DB, store *redis.Store, m *attainmentModel, sets map[string]modelSet, when string) {
	t.Helper()
	want := map[string]string{}
	var ids []int64
	for id, s := range sets {
		var team int64
		for rep, v := range m.values(s) {
			want[id+"/"+rep] = fmt.Sprint(v)
			team += v
		}
		want[id+"/team"] = fmt.Sprint(team)
		var n int64
		fmt.Sscan(id, &n)
		ids = append(ids, n)
	}
	read := func() (map[string]string, map[string]string) {
		pg, rd := map[string]string{}, map[string]string{}
		rows, err := db.Pool.Query(context.Background(), `SELECT set_id, rep_id, value FROM attainment WHERE value <> 0`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		teams := map[string]int64{}
		for rows.Next() {
			var id, v int64
			var rep string
			if err := rows.Scan(&id, &rep, &v); err != nil {
				t.Fatal(err)
			}
			pg[fmt.Sprintf("%d/%s", id, rep)] = fmt.Sprint(v)
			teams[fmt.Sprint(id)] += v
		}
		for id := range sets {
			pg[id+"/team"] = fmt.Sprint(teams[id])
		}
		vals, err := store.Attainment(context.Background(), ids)
		if err != nil {
			t.Fatal(err)
		}
		for id, reps := range vals {
			rd[fmt.Sprintf("%d/team", id)] = fmt.Sprint(int64(target.TeamValue(reps)))
			for rep, v := range reps {
				if v != 0 {
					rd[fmt.Sprintf("%d/%s", id, rep)] = fmt.Sprint(int64(v))
				}
			}
		}
		return pg, rd
	}
	var pg, rd map[string]string
	ok := func() bool {
		pg, rd = read()
		return same(pg, want) && same(rd, want)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !ok() && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if !same(pg, want) {
		t.Fatalf("%s: PostgreSQL holds\n%v\nthe model says\n%v", when, flat(pg), flat(want))
	}
	if !same(rd, want) {
		t.Fatalf("%s: Redis holds\n%v\nthe model says\n%v", when, flat(rd), flat(want))
	}
}

func same(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func flat(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k+"="+m[k])
	}
	sort.Strings(keys)
	return strings.Join(keys, " ")
}

func mustSets(t *testing.T, db *postgres.DB) []target.Stored {
	t.Helper()
	var out []target.Stored
	for _, p := range []string{"2026-11", "2026-Q4"} {
		sets, err := db.TargetSets(context.Background(), target.Filter{Period: p})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, sets...)
	}
	if len(out) != 4 {
		t.Fatalf("%d sets", len(out))
	}
	return out
}

// lastMessage finds, in a channel's history, the latest message of type typ whose data holds
// part; it returns that data.
func lastMessage(t *testing.T, store *redis.Store, channel, typ, part string) (string, bool) {
	t.Helper()
	st, err := store.ChannelTail(context.Background(), channel, -1, 500)
	if err != nil {
		t.Fatal(err)
	}
	for i := len(st.History) - 1; i >= 0; i-- {
		var m struct {
			Type string          `json:"type"`
			Data json.RawMessage `json:"data"`
		}
		if json.Unmarshal([]byte(st.History[i]), &m) == nil && m.Type == typ && strings.Contains(string(m.Data), part) {
			return string(m.Data), true
		}
	}
	return "", false
}
