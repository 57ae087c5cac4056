package main

import (
	"context"
	"crypto/sha256"
	"fmt"
	"time"

	"bullpen/internal/bullpen"
	"bullpen/internal/contest"
	"bullpen/internal/postgres"
	"bullpen/tools/internal/bench"
	"bullpen/tools/internal/kafkaadmin"
)

// The setup follows tools/ingestbench (a schema, a key prefix, a topic and a group of one's own).

// loadContests are n live contests over every rep, cycling through the three metrics, so
// every event moves every board (the worst case for updates).
func loadContests(n int, now time.Time) []contest.Contest {
	start := now.Add(-time.Hour).Truncate(time.Minute)
	end := now.Add(7 * 24 * time.Hour).Truncate(time.Hour)
	out := make([]contest.Contest, n)
	for i := range out {
		c := contest.Contest{Name: fmt.Sprintf("Load contest %d", i+1), Scope: contest.ScopeRep,
			StartsAt: start, EndsAt: &end, Timezone: "UTC", Period: contest.PeriodNone}
		switch i % 3 {
		case 0:
			c.Metric = contest.MetricRevenue
		case 1:
			c.Metric = contest.MetricDeals
		default:
			c.Metric = contest.MetricPoints
			c.Weights = map[string]bullpen.Fixed{"deal.won": 1000, "call": 100, "meeting": 500, contest.WeightRevenuePerPoint: 100000}
		}
		out[i] = c
	}
	return out
}

// mintDisplayToken stores a display token directly (as POST /tokens does: the SHA-256 of the
// secret) and returns its secret. Every client uses it: one wall-display token, many screens.
func mintDisplayToken(ctx context.Context, db *postgres.DB) (string, error) {
	secret := bench.Name("bp_loadgen_") + bench.Name("")
	h := sha256.Sum256([]byte(secret))
	t := bullpen.Token{ID: bench.Name("tok_"), Role: bullpen.RoleDisplay, Name: "loadgen", CreatedBy: "loadgen"}
	return secret, postgres.InsertToken(ctx, db.Pool, &t, h[:])
}

// cleanup deletes the run's group and topics; failures only leave litter behind.
func cleanup(ctx context.Context, k *kafkaadmin.Admin, group string, topics ...string) {
	_ = k.DeleteGroups(ctx, group)
	_ = k.DeleteTopics(ctx, topics...)
}
