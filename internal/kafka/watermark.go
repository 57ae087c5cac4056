package kafka

import (
	"context"
	"fmt"
	"time"

	kafkago "github.com/segmentio/kafka-go"
)

// Watermark tells whether the consumer group has applied every record that reached the topic
// before a moment: a board becomes final only when nothing that arrived in time is still
// waiting to be applied. It reads the broker's record timestamps (the topic must use
// LogAppendTime, so they are arrival times) and the group's committed offsets, which move only
// after a batch is applied.
type Watermark struct {
	client *kafkago.Client
	topic  string
	group  string
}

// NewWatermark returns a watermark for the group reading topic.
func NewWatermark(c Cluster, topic, group string) *Watermark {
	return &Watermark{
		client: &kafkago.Client{Addr: kafkago.TCP(c.Brokers...), Timeout: 10 * time.Second, Transport: c.Transport()},
		topic:  topic,
		group:  group,
	}
}

// AppliedBefore reports whether every record appended before t has been applied (committed).
func (w *Watermark) AppliedBefore(ctx context.Context, t time.Time) (bool, error) {
	meta, err := w.client.Metadata(ctx, &kafkago.MetadataRequest{Topics: []string{w.topic}})
	if err != nil {
		return false, fmt.Errorf("metadata: %w", err)
	}
	if len(meta.Topics) != 1 || meta.Topics[0].Error != nil {
		return false, fmt.Errorf("metadata of %s: %v", w.topic, meta.Topics)
	}
	var parts []int
	var byTime, last []kafkago.OffsetRequest
	for _, p := range meta.Topics[0].Partitions {
		parts = append(parts, p.ID)
		byTime = append(byTime, kafkago.TimeOffsetOf(p.ID, t))
		last = append(last, kafkago.LastOffsetOf(p.ID))
	}
	if len(parts) == 0 {
		// Metadata without partitions (a broker still starting): nothing can be said yet.
		return false, fmt.Errorf("metadata of %s lists no partitions", w.topic)
	}
	// The first offset appended at or after t, per partition; where there is none, the end.
	target := map[int]int64{}
	ends, err := w.listOffsets(ctx, last)
	if err != nil {
		return false, err
	}
	for _, p := range ends {
		target[p.Partition] = p.LastOffset
	}
	found, err := w.listOffsets(ctx, byTime)
	if err != nil {
		return false, err
	}
	for _, p := range found {
		for off := range p.Offsets {
			if off >= 0 {
				target[p.Partition] = off
			}
		}
	}
	committed, err := w.client.OffsetFetch(ctx, &kafkago.OffsetFetchRequest{GroupID: w.group, Topics: map[string][]int{w.topic: parts}})
	if err != nil {
		return false, fmt.Errorf("offset fetch: %w", err)
	}
	if committed.Error != nil {
		return false, fmt.Errorf("offset fetch: %w", committed.Error)
	}
	done := map[int]int64{}
	for _, p := range committed.Topics[w.topic] {
		if p.Error != nil {
			return false, fmt.Errorf("offset fetch partition %d: %w", p.Partition, p.Error)
		}
		done[p.Partition] = p.CommittedOffset
	}
	for _, p := range parts {
		if target[p] > 0 && done[p] < target[p] {
			return false, nil
		}
	}
	return true, nil
}

func (w *Watermark) listOffsets(ctx context.Context, reqs []kafkago.OffsetRequest) ([]kafkago.PartitionOffsets, error) {
	res, err := w.client.ListOffsets(ctx, &kafkago.ListOffsetsRequest{Topics: map[string][]kafkago.OffsetRequest{w.topic: reqs}})
	if err != nil {
		return nil, fmt.Errorf("list offsets: %w", err)
	}
	for _, p := range res.Topics[w.topic] {
		if p.Error != nil {
			return nil, fmt.Errorf("list offsets partition %d: %w", p.Partition, p.Error)
		}
	}
	return res.Topics[w.topic], nil
}
