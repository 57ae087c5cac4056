package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math/big"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"bullpen/internal/redis"
	"bullpen/internal/testenv"
)

// TestAttainmentAndPaceMatchAnIndependentModel sends random events through Kafka and the real
// consumer, writes targets through the real server, and reads every figure back (PostgreSQL,
// Redis, GET /reps/{id}, its history, the attainment and attainment.board messages) to compare
// it with a model computed here from the events alone: attainmentModel (target_test.go) counts
// the values, target_model_test.go works out periods, percent, pace and a board's order from
// docs/api.md, sharing no code with internal/target or internal/pace.
func TestAttainmentAndPaceMatchAnIndependentModel(t *testing.T) {
	t.Parallel()
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("BULLPEN_MODEL_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("seed %d (BULLPEN_MODEL_SEED=%d runs these events again)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, 11))
	began := time.Now()

	ny, _ := time.LoadLocation("America/New_York")
	berlin, _ := time.LoadLocation("Europe/Berlin")
	m0 := monthOf(began, ny)
	m1 := m0.before()
	q0 := quarterOf(began, berlin)
	q1 := q0.before()
	u0 := monthOf(began, time.UTC)
	// A holiday on the 10th of this month and the last in New York, and of this quarter's first
	// month in Berlin: a weekday one takes a day off the pace; a weekend one changes nothing.
	holidays := map[string]bool{}
	for _, d := range []time.Time{m0.start, m1.start, q0.start} {
		holidays[d.AddDate(0, 0, 9).Format(time.DateOnly)] = true
	}

	cfg := testenv.Config(t)
	cfg.Grace = 120 * 24 * time.Hour // last quarter's sets still take the events sent now
	cfg.Holidays = slices.Sorted(maps.Keys(holidays))
	db, store := openDB(t, cfg), openStore(t, cfg)
	startConsumer(t, cfg)
	base := startServer(t, cfg)
	admin := cfg.AdminToken

	teams := map[string]string{"ana": "east", "bo": "east", "eve": "east", "cy": "west", "dee": "west"}
	reps := slices.Sorted(maps.Keys(teams))
	own := func(v int64) *int64 { return &v }
	sets := []*liveSet{
		{modelSet: modelSet{team: "east", metric: "revenue"}, w: m0, targets: map[string]int64{"ana": 500000, "bo": 300000, "eve": 100000}},
		{modelSet: modelSet{team: "east", metric: "revenue"}, w: m1, targets: map[string]int64{"ana": 400000, "bo": 0}},
		{modelSet: modelSet{team: "east", metric: "points"}, w: q0, own: own(90000), targets: map[string]int64{"ana": 30000, "bo": 20000, "eve": 10000},
			weights: map[string]string{"deal.won": "10", "call": "1.50", "meeting": "5", "revenue_per_point": "250"}},
		{modelSet: modelSet{team: "west", metric: "deals"}, w: u0, own: own(1000), targets: map[string]int64{"cy": 400, "dee": 200}},
		// Written after the first events: counted from the ledger.
		{modelSet: modelSet{team: "east", metric: "deals"}, w: q1, targets: map[string]int64{"ana": 500, "bo": 300}},
	}
	weightsOf := func(w map[string]string) map[string]int64 {
		out := map[string]int64{}
		for k, v := range w {
			out[k] = hundredths(t, json.Number(v))
		}
		return out
	}
	written := map[string]*liveSet{} // by set id
	writeSets := func(list ...*liveSet) {
		t.Helper()
		var body []map[string]any
		for _, s := range list {
			s.start, s.end = s.w.start, s.w.end
			if s.weights != nil {
				s.modelSet.weights = weightsOf(s.weights)
			}
			for _, r := range s.rows() {
				// A rep since moved to another team keeps its stored target; the directory
				// refuses it in a new write to its old team.
				if rep, ok := r["rep_id"].(string); !ok || teams[rep] == s.team {
					body = append(body, r)
				}
			}
		}
		if code, out := call(t, "PUT", base+"/api/v1/targets", admin, body); code != 200 {
			t.Fatalf("PUT /targets: %d %s", code, out)
		}
		for _, s := range list {
			var id int64
			var start, end time.Time
			if err := db.Pool.QueryRow(context.Background(), `SELECT id, starts_at, ends_at FROM target_sets WHERE period = $1 AND metric = $2 AND team_id = $3`,
				s.w.key, s.metric, s.team).Scan(&id, &start, &end); err != nil {
				t.Fatal(err)
			}
			if !start.Equal(s.w.start) || !end.Equal(s.w.end) {
				t.Fatalf("set %s %s %s runs %v – %v, the model says %v – %v", s.w.key, s.metric, s.team, start, end, s.w.start, s.w.end)
			}
			s.id = fmt.Sprint(id)
			written[s.id] = s
		}
	}
	// Events are applied to the model as they are made (an update or a reversal picks a deal
	// the model holds as won); send produces them, and again events already sent, which the
	// ledger must take as the no-ops they are.
	model := &attainmentModel{}
	made := func(e tev) tev { model.apply(e); return e }
	var sent int
	send := func(evs []tev, again ...tev) {
		t.Helper()
		sent += len(evs)
		msgs := make([]kafkago.Message, 0, len(evs)+len(again))
		for _, e := range append(evs, again...) {
			msgs = append(msgs, e.msg())
		}
		produce(t, cfg, msgs...)
		testenv.Eventually(t, 60*time.Second, "the events applied", func() bool { return eventCount(t, db) == sent })
	}
	check := func(when string) {
		t.Helper()
		ms := map[string]modelSet{}
		for id, s := range written {
			ms[id] = s.modelSet
		}
		checkAttainment(t, db, store, model, ms, when)
	}

	// The reps' first events put them in the directory with their teams.
	latest := time.Now().Add(-time.Minute)
	var first []tev
	for _, r := range reps {
		first = append(first, made(tev{id: "hello-" + r, typ: "activity", rep: r, team: teams[r], activity: "email", at: latest}))
	}
	send(first)
	writeSets(sets[:4]...)
	check("after the sets were written")

	// Won deals at random moments of the last two quarters and months (a fifth of them on the
	// edges of the periods: the last second of one, the first of the next, in each set's zone;
	// two fifths in the current month), updates and reversals of deals still won, weighted and
	// unweighted activities.
	earliest := q1.start
	if m1.start.Before(earliest) {
		earliest = m1.start
	}
	edges := []time.Time{}
	for _, w := range []window{m0, m1, q0, u0} {
		edges = append(edges, w.start.Add(-time.Second), w.start)
	}
	thisMonth := m0.start
	if u0.start.After(thisMonth) {
		thisMonth = u0.start
	}
	at := func() time.Time {
		switch rng.IntN(5) {
		case 0:
			if e := edges[rng.IntN(len(edges))]; e.Before(latest) {
				return e
			}
		case 1, 2: // the current periods' pace needs events in them
			if thisMonth.Before(latest) {
				return thisMonth.Add(time.Duration(rng.Int64N(int64(latest.Sub(thisMonth)))))
			}
		}
		return earliest.Add(time.Duration(rng.Int64N(int64(latest.Sub(earliest)))))
	}
	var deals []string // in the order won
	n := 0
	random := func(round string, count int) []tev {
		evs := make([]tev, 0, count)
		for range count {
			n++
			id := fmt.Sprintf("%s-%d", round, n)
			var won []string
			for _, d := range deals {
				if model.deals[d].won {
					won = append(won, d)
				}
			}
			var e tev
			switch k := rng.IntN(100); {
			case k < 15 && len(won) > 0:
				d := won[rng.IntN(len(won))]
				rep := model.deals[d].rep
				e = tev{id: id, typ: "deal.updated", rep: rep, team: teams[rep], deal: d, cents: 100 + rng.Int64N(400000), at: latest}
			case k < 25 && len(won) > 0:
				d := won[rng.IntN(len(won))]
				rep := model.deals[d].rep
				e = tev{id: id, typ: "deal.reversed", rep: rep, team: teams[rep], deal: d, at: latest}
			case k < 70:
				rep := reps[rng.IntN(len(reps))]
				deals = append(deals, "D"+id)
				e = tev{id: id, typ: "deal.won", rep: rep, team: teams[rep], deal: "D" + id, cents: 100 + rng.Int64N(500000), at: at()}
			default:
				rep := reps[rng.IntN(len(reps))]
				act := []string{"call", "email", "meeting", "demo"}[rng.IntN(4)]
				e = tev{id: id, typ: "activity", rep: rep, team: teams[rep], activity: act, at: at()}
			}
			evs = append(evs, made(e))
		}
		return evs
	}

	// Round 1, and a deal ana won in the middle of last month in New York.
	round1 := append(random("r1", 60), made(tev{id: "last-month", typ: "deal.won", rep: "ana", team: "east", deal: "LM", cents: 123456,
		at: m1.start.Add(14 * 24 * time.Hour)}))
	send(round1)
	check("after the first events")

	writeSets(sets[4])
	check("after last quarter's set was counted from the ledger")

	// Round 2: eve moves to west; last month's deal is reversed now; part of round 1 again.
	teams["eve"] = "west"
	round2 := append(random("r2", 60), made(tev{id: "last-month-reversed", typ: "deal.reversed", rep: "ana", team: "east", deal: "LM", at: latest}))
	send(round2, round1[:20]...)
	check("after the second events and a redelivery")

	// The points set gets new weights: counted again from the ledger by them.
	sets[2].weights = map[string]string{"deal.won": "4", "call": "2", "email": "0.25", "demo": "7.50", "revenue_per_point": "120"}
	writeSets(sets[2])
	check("after the points set's weights changed")

	send(random("r3", 40))
	check("after the third events")

	valuesOf := func(s *liveSet) map[string]int64 { return model.values(s.modelSet) }
	checkRepReads(t, base, admin, reps, written, valuesOf, holidays)
	checkMessages(t, store, written, valuesOf, began, holidays)
}

// checkRepReads compares what GET /reps/{id} (the current periods' attainment, with pace) and
// GET /reps/{id}/history (every target of the rep) say with the model.
func checkRepReads(t *testing.T, base, admin string, reps []string, written map[string]*liveSet, valuesOf func(*liveSet) map[string]int64, holidays map[string]bool) {
	t.Helper()
	for _, rep := range reps {
		t0 := time.Now()
		code, body := call(t, "GET", base+"/api/v1/reps/"+rep, admin, nil)
		t1 := time.Now()
		var v struct {
			Attainment []attainmentJSON `json:"attainment"`
		}
		if code != 200 || json.Unmarshal(body, &v) != nil {
			t.Fatalf("GET /reps/%s: %d %s", rep, code, body)
		}
		var want []string
		for _, s := range written {
			if _, ok := s.targets[rep]; ok && !t0.Before(s.start) && t1.Before(s.end) {
				want = append(want, s.w.key+" "+s.metric)
			}
		}
		var got []string
		for _, a := range v.Attainment {
			got = append(got, a.Period+" "+a.Metric)
			s := find(t, written, a.Period, a.Metric, teamOfSet(written, rep, a.Period, a.Metric))
			if m := a.mismatch(t, valuesOf(s)[rep], s.targets[rep]); m != "" {
				t.Errorf("GET /reps/%s %s %s: %s", rep, a.Period, a.Metric, m)
			}
			if m := a.paceMismatch(t, valuesOf(s)[rep], s.targets[rep], s.w, t0, t1, holidays); m != "" {
				t.Errorf("GET /reps/%s %s %s: %s", rep, a.Period, a.Metric, m)
			}
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("GET /reps/%s lists %v, the model %v", rep, got, want)
		}

		// Its history: every target of the rep, current or past, exact.
		code, body = call(t, "GET", base+"/api/v1/reps/"+rep+"/history", admin, nil)
		var h struct {
			Targets []attainmentJSON `json:"targets"`
		}
		if code != 200 || json.Unmarshal(body, &h) != nil {
			t.Fatalf("GET /reps/%s/history: %d %s", rep, code, body)
		}
		n := 0
		for _, s := range written {
			if _, ok := s.targets[rep]; ok {
				n++
			}
		}
		if len(h.Targets) != n {
			t.Errorf("the history of %s lists %d targets, the model %d", rep, len(h.Targets), n)
		}
		for _, a := range h.Targets {
			s := find(t, written, a.Period, a.Metric, teamOfSet(written, rep, a.Period, a.Metric))
			if m := a.mismatch(t, valuesOf(s)[rep], s.targets[rep]); m != "" {
				t.Errorf("the history of %s, %s %s: %s", rep, a.Period, a.Metric, m)
			}
		}
	}
}

// checkMessages compares each rep's last attainment message of each set, and each set's last
// board, with the model; the merge sends them within its interval, so it waits for them. Their
// pace was worked out at some moment since began.
func checkMessages(t *testing.T, store *redis.Store, written map[string]*liveSet, valuesOf func(*liveSet) map[string]int64, began time.Time, holidays map[string]bool) {
	t.Helper()
	for _, s := range written {
		values := valuesOf(s)
		part := fmt.Sprintf(`"period":%q,"metric":%q`, s.w.key, s.metric)
		for _, rep := range slices.Sorted(maps.Keys(s.targets)) {
			var last string
			ok := eventually(10*time.Second, func() bool {
				data, found := lastMessage(t, store, "rep:"+rep, "attainment", part)
				var a attainmentJSON
				if !found || json.Unmarshal([]byte(data), &a) != nil {
					last = "no message"
					return false
				}
				last = a.mismatch(t, values[rep], s.targets[rep])
				if last == "" {
					last = a.paceMismatch(t, values[rep], s.targets[rep], s.w, began, time.Now(), holidays)
				}
				return last == ""
			})
			if !ok {
				t.Errorf("rep:%s attainment of %s %s: %s", rep, s.w.key, s.metric, last)
			}
		}
		var last string
		ok := eventually(10*time.Second, func() bool {
			data, found := lastMessage(t, store, "targets:"+s.team, "attainment.board", part+`,"timezone"`)
			var b struct {
				Team attainmentJSON `json:"team"`
				Reps []struct {
					Rank  int    `json:"rank"`
					RepID string `json:"rep_id"`
					attainmentJSON
				} `json:"reps"`
			}
			if !found || json.Unmarshal([]byte(data), &b) != nil {
				last = "no board"
				return false
			}
			var team int64
			for _, v := range values {
				team += v
			}
			if last = b.Team.mismatch(t, team, s.teamTarget()); last != "" {
				last = "team: " + last
				return false
			}
			var order []string
			for i, r := range b.Reps {
				order = append(order, r.RepID)
				if m := r.mismatch(t, values[r.RepID], s.targets[r.RepID]); m != "" || r.Rank != i+1 {
					last = fmt.Sprintf("%s at rank %d: %s", r.RepID, r.Rank, m)
					return false
				}
			}
			if want := ranked(s, values); !slices.Equal(order, want) {
				last = fmt.Sprintf("order %v, the model %v", order, want)
				return false
			}
			return true
		})
		if !ok {
			t.Errorf("targets:%s board of %s %s: %s", s.team, s.w.key, s.metric, last)
		}
	}
}

// hundredths reads a JSON number of the API as hundredths; it must have at most 2 places.
func hundredths(t *testing.T, n json.Number) int64 {
	t.Helper()
	r, ok := new(big.Rat).SetString(string(n))
	if !ok {
		t.Fatalf("%q is no number", n)
	}
	r.Mul(r, big.NewRat(100, 1))
	if !r.IsInt() {
		t.Fatalf("%q has more than 2 places", n)
	}
	return r.Num().Int64()
}

// attainmentJSON is an attainment as the API and the messages carry it.
type attainmentJSON struct {
	Period       string       `json:"period"`
	Metric       string       `json:"metric"`
	Value        json.Number  `json:"value"`
	Target       json.Number  `json:"target"`
	Pct          *json.Number `json:"pct"`
	Projected    *json.Number `json:"projected"`
	NeededPerDay *json.Number `json:"needed_per_day"`
}

// mismatch says how a (value, target, pct) read differs from the model's; "" when it does not.
func (a attainmentJSON) mismatch(t *testing.T, value, target int64) string {
	t.Helper()
	got := fmt.Sprintf("value %d target %d", hundredths(t, a.Value), hundredths(t, a.Target))
	want := fmt.Sprintf("value %d target %d", value, target)
	if p, ok := pctOf(value, target); ok {
		want += fmt.Sprintf(" pct %d", p)
	}
	if a.Pct != nil {
		got += fmt.Sprintf(" pct %d", hundredths(t, *a.Pct))
	}
	if got != want {
		return fmt.Sprintf("%s, the model says %s", got, want)
	}
	return ""
}

// paceMismatch says how the pace read differs from the model's, which moves with the clock:
// the read was made at some moment in [from, to], so each figure must lie between the model's
// at the two ends.
func (a attainmentJSON) paceMismatch(t *testing.T, value, target int64, w window, from, to time.Time, holidays map[string]bool) string {
	t.Helper()
	if a.Projected == nil || a.NeededPerDay == nil {
		return "no pace"
	}
	p0, n0 := paceOf(value, target, w, from, holidays)
	p1, n1 := paceOf(value, target, w, to, holidays)
	p, n := hundredths(t, *a.Projected), hundredths(t, *a.NeededPerDay)
	if p < min(p0, p1) || p > max(p0, p1) || n < min(n0, n1) || n > max(n0, n1) {
		return fmt.Sprintf("projected %d needed %d, the model says projected %d–%d needed %d–%d", p, n, p0, p1, n0, n1)
	}
	return ""
}

// eventually polls cond for up to timeout and says whether it came true.
func eventually(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(50 * time.Millisecond)
	}
	return true
}

// teamOfSet is the team of the set holding rep's target of period and metric.
func teamOfSet(sets map[string]*liveSet, rep, period, metric string) string {
	for _, s := range sets {
		if _, ok := s.targets[rep]; ok && s.w.key == period && s.metric == metric {
			return s.team
		}
	}
	return ""
}

func find(t *testing.T, sets map[string]*liveSet, period, metric, team string) *liveSet {
	t.Helper()
	for _, s := range sets {
		if s.w.key == period && s.metric == metric && s.team == team {
			return s
		}
	}
	t.Fatalf("no set %s %s of team %q was written", period, metric, team)
	return nil
}
