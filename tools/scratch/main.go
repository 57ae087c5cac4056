// Command scratch gives a test run outside Go (the browser tests) a corner of its own in the
// shared services, as internal/testenv does for Go tests: a migrated PostgreSQL schema, a Redis
// key prefix, Kafka topics and a consumer group, and takes them away again.
//
//	scratch up [-prefix b_] [-partitions 3]   create; print {"schema", "env": {BULLPEN_…}} as JSON
//	scratch down -schema S -redis-prefix P -topics T,T.dlq -group G   drop what up made
//	scratch produce -topic T < events.json   produce a JSON array of events, keyed by rep_id
//
// The services are the ones in BULLPEN_DATABASE_URL, BULLPEN_REDIS_URL and BULLPEN_KAFKA_BROKERS.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"bullpen/internal/config"
	"bullpen/internal/event"
	"bullpen/internal/kafka"
	"bullpen/internal/postgres"
	"bullpen/internal/redis"
	"bullpen/tools/internal/kafkaadmin"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: scratch up|down|produce [flags]")
		os.Exit(2)
	}
	cfg, err := config.Load(":0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "configuration:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	switch os.Args[1] {
	case "up":
		err = up(ctx, cfg, os.Args[2:])
	case "down":
		err = down(ctx, cfg, os.Args[2:])
	case "produce":
		err = produce(ctx, cfg, os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q (up, down or produce)", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "scratch:", err)
		cancel()
		os.Exit(1)
	}
}

func name(prefix string) string {
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

func up(ctx context.Context, cfg config.Config, args []string) error {
	fs := flag.NewFlagSet("up", flag.ContinueOnError)
	prefix := fs.String("prefix", "b_", "prefix of the schema, key prefix, topic and group names")
	partitions := fs.Int("partitions", 3, "partitions of the input topic")
	if err := fs.Parse(args); err != nil {
		return err
	}
	sc, err := postgres.NewScratch(ctx, cfg.DatabaseURL, *prefix)
	if err != nil {
		if sc != nil {
			_ = sc.Drop(context.WithoutCancel(ctx))
		}
		return err
	}
	topic := strings.ReplaceAll(name(*prefix+"deals_"), "_", "-")
	admin := kafkaadmin.New(cfg.KafkaBrokers)
	if err := admin.CreateTopics(ctx, *partitions, topic, topic+".dlq"); err != nil {
		_ = sc.Drop(context.WithoutCancel(ctx))
		return err
	}
	out := map[string]any{
		"schema": sc.Name,
		"env": map[string]string{
			"BULLPEN_DATABASE_URL":    sc.URL(""),
			"BULLPEN_REDIS_PREFIX":    name(*prefix),
			"BULLPEN_KAFKA_TOPIC":     topic,
			"BULLPEN_KAFKA_DLQ_TOPIC": topic + ".dlq",
			"BULLPEN_KAFKA_GROUP":     name(*prefix + "group_"),
		},
	}
	return json.NewEncoder(os.Stdout).Encode(out)
}

func down(ctx context.Context, cfg config.Config, args []string) error {
	fs := flag.NewFlagSet("down", flag.ContinueOnError)
	schema := fs.String("schema", "", "schema to drop")
	prefix := fs.String("redis-prefix", "", "Redis key prefix to delete")
	topics := fs.String("topics", "", "comma-separated topics to delete")
	group := fs.String("group", "", "consumer group to delete")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var errs []error
	if *schema != "" {
		sc := &postgres.Scratch{Base: cfg.DatabaseURL, Name: *schema}
		if err := sc.Drop(ctx); err != nil {
			errs = append(errs, fmt.Errorf("drop schema %s: %w", *schema, err))
		}
	}
	if *prefix != "" {
		store, err := redis.Open(ctx, cfg.RedisURL, *prefix)
		if err == nil {
			err = store.Flush(ctx)
			_ = store.Close()
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("flush redis prefix %s: %w", *prefix, err))
		}
	}
	admin := kafkaadmin.New(cfg.KafkaBrokers)
	if *group != "" {
		if err := admin.DeleteGroups(ctx, *group); err != nil {
			errs = append(errs, fmt.Errorf("delete group %s: %w", *group, err))
		}
	}
	if *topics != "" {
		if err := admin.DeleteTopics(ctx, strings.Split(*topics, ",")...); err != nil {
			errs = append(errs, fmt.Errorf("delete topics %s: %w", *topics, err))
		}
	}
	return errors.Join(errs...)
}

func produce(ctx context.Context, cfg config.Config, args []string) error {
	fs := flag.NewFlagSet("produce", flag.ContinueOnError)
	topic := fs.String("topic", cfg.KafkaTopic, "topic to produce to")
	if err := fs.Parse(args); err != nil {
		return err
	}
	raw, err := io.ReadAll(os.Stdin)
	if err != nil {
		return err
	}
	var events []json.RawMessage
	if err := json.Unmarshal(raw, &events); err != nil {
		return fmt.Errorf("stdin: a JSON array of events: %w", err)
	}
	msgs := make([]event.Record, len(events))
	for i, ev := range events {
		var key struct {
			RepID string `json:"rep_id"`
		}
		_ = json.Unmarshal(ev, &key)
		msgs[i] = event.Record{Key: []byte(key.RepID), Value: ev}
	}
	p := kafka.NewProducer(kafka.Cluster{Brokers: cfg.KafkaBrokers}, *topic)
	err = p.Produce(ctx, msgs...)
	if cerr := p.Close(); err == nil {
		err = cerr
	}
	return err
}
