// Package kafkaadmin creates and deletes topics and groups and reads offsets for the programs
// under tools/: the shipped processes never administer Kafka, so this stays out of the adapter.
package kafkaadmin

import (
	"context"
	"errors"
	"fmt"
	"time"

	kafkago "github.com/segmentio/kafka-go"
)

// Admin creates and deletes topics and groups and reads offsets: what the benchmark and
// test-setup programs need to set up and watch a topic.
type Admin struct {
	client *kafkago.Client
}

// New talks to brokers.
func New(brokers []string) *Admin {
	return &Admin{client: &kafkago.Client{Addr: kafkago.TCP(brokers...), Timeout: 30 * time.Second}}
}

// CreateTopics creates the first topic with partitions and the others (dead-letter topics)
// with one each, and waits until every partition has a leader.
func (k *Admin) CreateTopics(ctx context.Context, partitions int, topics ...string) error {
	req := &kafkago.CreateTopicsRequest{}
	for i, t := range topics {
		n := partitions
		if i > 0 {
			n = 1 // the dead-letter topic
		}
		req.Topics = append(req.Topics, kafkago.TopicConfig{Topic: t, NumPartitions: n, ReplicationFactor: 1})
	}
	res, err := k.client.CreateTopics(ctx, req)
	if err != nil {
		return err
	}
	var errs []error
	for t, e := range res.Errors {
		if e != nil {
			errs = append(errs, fmt.Errorf("create topic %s: %w", t, e))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	// The broker answers before every partition has a leader: wait until the metadata shows them.
	deadline := time.Now().Add(30 * time.Second)
	for {
		md, err := k.client.Metadata(ctx, &kafkago.MetadataRequest{Topics: topics})
		ready := err == nil
		if ready {
			for _, t := range md.Topics {
				if t.Error != nil || len(t.Partitions) == 0 {
					ready = false
				}
				for _, p := range t.Partitions {
					if p.Error != nil || p.Leader.ID < 0 {
						ready = false
					}
				}
			}
		}
		if ready {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("topics %v have no leaders after 30 s (last error: %v)", topics, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// DeleteTopics deletes topics.
func (k *Admin) DeleteTopics(ctx context.Context, topics ...string) error {
	_, err := k.client.DeleteTopics(ctx, &kafkago.DeleteTopicsRequest{Topics: topics})
	return err
}

// DeleteGroups deletes consumer groups.
func (k *Admin) DeleteGroups(ctx context.Context, groups ...string) error {
	if len(groups) == 0 {
		return nil
	}
	_, err := k.client.DeleteGroups(ctx, &kafkago.DeleteGroupsRequest{GroupIDs: groups})
	return err
}

// EndOffsets returns the sum of the partitions' high watermarks: how many messages the topic
// holds (it was created empty).
func (k *Admin) EndOffsets(ctx context.Context, topic string, partitions int) (int64, error) {
	reqs := make([]kafkago.OffsetRequest, partitions)
	for p := range partitions {
		reqs[p] = kafkago.LastOffsetOf(p)
	}
	res, err := k.client.ListOffsets(ctx, &kafkago.ListOffsetsRequest{Topics: map[string][]kafkago.OffsetRequest{topic: reqs}})
	if err != nil {
		return 0, err
	}
	var n int64
	for _, p := range res.Topics[topic] {
		if p.Error != nil {
			return 0, p.Error
		}
		n += p.LastOffset
	}
	return n, nil
}

// Committed returns the sum of a group's committed offsets on topic: how many messages it has
// applied and committed (the topic was created empty).
func (k *Admin) Committed(ctx context.Context, group, topic string, partitions int) (int64, error) {
	ps := make([]int, partitions)
	for p := range partitions {
		ps[p] = p
	}
	res, err := k.client.OffsetFetch(ctx, &kafkago.OffsetFetchRequest{GroupID: group, Topics: map[string][]int{topic: ps}})
	if err != nil {
		return 0, err
	}
	if res.Error != nil {
		return 0, res.Error
	}
	var n int64
	for _, p := range res.Topics[topic] {
		if p.Error != nil {
			return 0, p.Error
		}
		if p.CommittedOffset > 0 {
			n += p.CommittedOffset
		}
	}
	return n, nil
}
