// Package redis is the live projection: leaderboards as sorted sets and the rep directory,
// written from the absolute values the ledger returned, so a replay converges. It can be
// thrown away and rebuilt from PostgreSQL at any time.
package redis

import (
	"context"
	_ "embed"
	"fmt"
	"strings"

	goredis "github.com/redis/go-redis/v9"
)

// Store is the projection in one Redis database or one Redis Cluster, every key under one
// prefix. Keys that one script or transaction uses together share a hash tag, so they live in
// one slot of a cluster (docs/architecture.md, "Redis keys").
type Store struct {
	rdb    goredis.UniversalClient
	prefix string
	reps   *repMemo // directory entries decoded lately, by their JSON
}

// Open connects to url (a server's or a cluster's, see NewClient) and checks that Redis answers.
func Open(ctx context.Context, url, prefix string) (*Store, error) {
	rdb, err := NewClient(url, nil)
	if err != nil {
		return nil, err
	}
	if err := rdb.Ping(ctx).Err(); err != nil {
		_ = rdb.Close()
		return nil, fmt.Errorf("connect to redis: %w", err)
	}
	return &Store{rdb: rdb, prefix: prefix, reps: newRepMemo()}, nil
}

// Close closes the client.
func (s *Store) Close() error {
	if err := s.rdb.Close(); err != nil {
		return fmt.Errorf("redis: close: %w", err)
	}
	return nil
}

// Client exposes the underlying client (tests, health checks).
func (s *Store) Client() goredis.UniversalClient { return s.rdb }

// Ping checks that Redis answers (for /readyz).
func (s *Store) Ping(ctx context.Context) error {
	if err := s.rdb.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("redis: ping: %w", err)
	}
	return nil
}

// contestTag is the hash tag every key of one contest shares, so a contest lives in one slot
// of a Redis Cluster.
func (s *Store) contestTag(contestID string) string { return "{" + s.prefix + ":c:" + contestID + "}" }

func (s *Store) boardKey(contestID, periodKey string) string {
	return s.contestTag(contestID) + ":" + periodKey + ":z"
}

func (s *Store) membersKey(contestID, periodKey string) string {
	return s.contestTag(contestID) + ":" + periodKey + ":m"
}

func (s *Store) periodsKey(contestID string) string { return s.contestTag(contestID) + ":periods" }

func (s *Store) finishersKey(contestID, periodKey string) string {
	return s.contestTag(contestID) + ":" + periodKey + ":f"
}

func (s *Store) repsKey() string       { return s.prefix + ":reps" }
func (s *Store) generationKey() string { return s.prefix + ":generation" }

// Generation returns the ledger generation the projection was built from ("" if none: Redis
// is empty or was lost).
func (s *Store) Generation(ctx context.Context) (string, error) {
	g, err := s.rdb.Get(ctx, s.generationKey()).Result()
	if err == goredis.Nil {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("redis: read generation: %w", err)
	}
	return g, nil
}

// SetGeneration records that the projection is complete for the ledger generation g.
func (s *Store) SetGeneration(ctx context.Context, g string) error {
	if err := s.rdb.Set(ctx, s.generationKey(), g, 0).Err(); err != nil {
		return fmt.Errorf("redis: set generation: %w", err)
	}
	return nil
}

// Flush deletes every key of the projection, on every master of a cluster.
func (s *Store) Flush(ctx context.Context) error {
	if err := ForEachMaster(ctx, s.rdb, s.flushNode); err != nil {
		return fmt.Errorf("redis: flush: %w", err)
	}
	return nil
}

// flushNode deletes the projection's keys that one server holds.
func (s *Store) flushNode(ctx context.Context, node *goredis.Client) error {
	for _, pattern := range []string{s.prefix + ":*", "{" + s.prefix + ":*"} {
		iter := node.Scan(ctx, 0, pattern, 1000).Iterator()
		var batch []string
		for iter.Next(ctx) {
			batch = append(batch, iter.Val())
			if len(batch) == 1000 {
				if err := unlink(ctx, node, batch); err != nil {
					return err
				}
				batch = batch[:0]
			}
		}
		if err := iter.Err(); err != nil {
			return err
		}
		if err := unlink(ctx, node, batch); err != nil {
			return err
		}
	}
	return nil
}

// unlink deletes keys with one UNLINK each, in one round trip: on a cluster node the keys of
// one command must share a slot, and a page of SCAN spans many.
func unlink(ctx context.Context, node *goredis.Client, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	_, err := node.Pipelined(ctx, func(p goredis.Pipeliner) error {
		for _, k := range keys {
			p.Unlink(ctx, k)
		}
		return nil
	})
	return err
}

func isNoScript(err error) bool { return err != nil && strings.HasPrefix(err.Error(), "NOSCRIPT") }
