package main

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"bullpen/internal/bullpen"
	"bullpen/internal/config"
	"bullpen/internal/contest"
	"bullpen/internal/postgres"
	"bullpen/internal/redis"
)

// The setup below follows internal/testenv (a schema, a key prefix and topics of one's own), which
// cannot be imported here because it takes a testing.TB.

// Application names tell the benchmark's PostgreSQL backends apart in pg_stat_activity, so
// their CPU time can be read from /proc. The consumer's carries the process id: two runs at
// once (a pair measured side by side, each with a Redis of its own) count their own backends.
const (
	appBench   = "ingestbench"
	appCeiling = "ingestbench-ceiling"
)

var appConsumer = "ingestbench-consumer-" + strconv.Itoa(os.Getpid())

// contestsStarted is how long before now the benchmark's contests started: longer than any
// -span.
const contestsStarted = 7 * 24 * time.Hour

// url is a database URL that uses the schema, for the application name given.
// benchContests are the three live contests of the issue. Their windows cover now and every
// generated occurred_at; the ids are given when they are stored.
func benchContests(now time.Time) []contest.Contest {
	start := now.Add(-contestsStarted).Truncate(time.Hour)
	end := now.Add(30 * 24 * time.Hour).Truncate(time.Hour)
	return []contest.Contest{
		{Name: "Revenue by rep", Metric: contest.MetricRevenue, Scope: contest.ScopeRep,
			StartsAt: start, EndsAt: &end, Timezone: "UTC", Period: contest.PeriodNone},
		{Name: "Deals by team, weekly", Metric: contest.MetricDeals, Scope: contest.ScopeTeam,
			StartsAt: start, EndsAt: &end, Timezone: "America/New_York", Period: contest.PeriodWeek},
		{Name: "Points by rep, daily", Metric: contest.MetricPoints, Scope: contest.ScopeRep,
			Weights:  map[string]bullpen.Fixed{"deal.won": 1000, "call": 100, "meeting": 500, contest.WeightRevenuePerPoint: 100000},
			StartsAt: start, EndsAt: &end, Timezone: "America/New_York", Period: contest.PeriodDay},
	}
}

// normalizedContests returns the contests as the consumer will see them (defaults filled in),
// for the generator's model.
func normalizedContests(defs []contest.Contest) ([]*contest.Contest, error) {
	out := make([]*contest.Contest, len(defs))
	for i := range defs {
		c := defs[i]
		if err := c.Normalize(); err != nil {
			return nil, fmt.Errorf("contest %q: %w", c.Name, err)
		}
		out[i] = &c
	}
	return out, nil
}

// storeReps fills the rep directory, for runs whose events carry no team.
func storeReps(ctx context.Context, db *postgres.DB, g genConfig) error {
	ids, names, teams := make([]string, g.Reps), make([]string, g.Reps), make([]string, g.Reps)
	for r := range g.Reps {
		ids[r], names[r], teams[r] = repID(r), fmt.Sprintf("Rep %d", r), teamID(g.team(r))
	}
	_, err := db.Pool.Exec(ctx, `INSERT INTO reps (rep_id, name, team_id)
		SELECT * FROM unnest($1::text[], $2::text[], $3::text[])`, ids, names, teams)
	return err
}

// baseConfig is the configuration from the environment (docs/api.md §1), validated as the
// consumer does.
func baseConfig() (config.Config, error) {
	cfg, err := config.Load("127.0.0.1:0")
	if err != nil {
		return cfg, err
	}
	cfg.HTTPAddr = "127.0.0.1:0"
	// The events are up to -span (at most 6 days) old and all sent at once, and the model counts
	// every one on the board of its day: the boards must still take them, even one whose day
	// ended in its contest's zone more than BULLPEN_GRACE ago (New York's midnight falls inside
	// the default hour of -span from 05:00 UTC, and refused events failed the verification).
	cfg.Grace = max(cfg.Grace, contestsStarted)
	return cfg, nil
}

// servicePorts returns the ports of PostgreSQL, the first Kafka broker and Redis.
func servicePorts(cfg config.Config) (pg, kafka, redis int) {
	port := func(u *url.URL, def int) int {
		if u == nil || u.Port() == "" {
			return def
		}
		p, _ := strconv.Atoi(u.Port())
		return p
	}
	if pc, err := pgconn.ParseConfig(cfg.DatabaseURL); err == nil {
		pg = int(pc.Port)
	}
	if len(cfg.KafkaBrokers) > 0 {
		if _, p, err := net.SplitHostPort(cfg.KafkaBrokers[0]); err == nil {
			kafka, _ = strconv.Atoi(p)
		}
	}
	u, _ := url.Parse(cfg.RedisURL)
	return pg, kafka, port(u, 6379)
}

// openStore opens the Redis projection under prefix.
func openStore(ctx context.Context, cfg config.Config, prefix string) (*redis.Store, error) {
	return redis.Open(ctx, cfg.RedisURL, prefix)
}
