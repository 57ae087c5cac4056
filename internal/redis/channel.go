package redis

import (
	"context"
	"crypto/rand"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	goredis "github.com/redis/go-redis/v9"

	"bullpen/internal/bullpen"
)

//go:embed publish.lua
var publishSource string

var publishScript = goredis.NewScript(publishSource)

// repHistoryLength is what a rep's own channel keeps: a rep's feed is mostly rank messages, a
// floor may have thousands of reps, and a rep back after a longer gap gets a snapshot of where
// it stands anyway. (500 messages of ~0.5 KB for each of 2000 reps was ~0.5 GB of Redis.)
const repHistoryLength = 100

// historyLength is how many messages channel keeps.
func historyLength(channel string) int {
	if strings.HasPrefix(channel, "rep:") {
		return repHistoryLength
	}
	return bullpen.HistoryLength
}

// A channel's state lives in Redis, shared by every server replica: a counter (seq), an epoch
// that changes when the state was lost, a bounded history, and a pub/sub channel on which each
// new message is announced to the nodes. All keys of a channel share one hash tag.
func (s *Store) channelTag(channel string) string { return "{" + s.prefix + ":ch:" + channel + "}" }
func (s *Store) seqKey(channel string) string     { return s.channelTag(channel) + seqSuffix }
func (s *Store) epochKey(channel string) string   { return s.channelTag(channel) + epochSuffix }
func (s *Store) historyKey(channel string) string { return s.channelTag(channel) + historySuffix }

const seqSuffix, epochSuffix, historySuffix, noticeSuffix = ":seq", ":epoch", ":hist", ":notice"

// NoticeChannel is the pub/sub channel on which a channel's messages are announced.
func (s *Store) NoticeChannel(channel string) string { return s.channelTag(channel) + noticeSuffix }

// Publish numbers a message, stores it in the channel's history and announces it, in one
// script; it returns the message as sent: {"type","channel","seq","epoch","data"}. data must be
// a JSON value; typ and channel must need no JSON escaping (they are names the service makes).
func (s *Store) Publish(ctx context.Context, channel, typ string, data []byte) (string, error) {
	c := newPublishCall()
	c.add(s.channelTag(channel), bullpen.Queued{Channel: channel, Type: typ, Data: data})
	keys, args := c.keys, c.withEpoch(newEpoch())
	msg, err := publishScript.EvalSha(ctx, s.rdb, keys, args...).Text()
	if isNoScript(err) {
		if err := publishScript.Load(ctx, s.rdb).Err(); err != nil {
			return "", fmt.Errorf("redis: publish to %s: %w", channel, err)
		}
		msg, err = publishScript.EvalSha(ctx, s.rdb, keys, args...).Text()
	}
	if err != nil {
		return msg, fmt.Errorf("redis: publish to %s: %w", channel, err)
	}
	return msg, nil
}

// A call of the publishing script takes up to publishCallMessages messages and, past the
// first, up to publishCallBytes of their data. Redis runs a script to its end before anything
// else, so a call is kept short (a page of 500 in one would hold every request for
// milliseconds); 32 small messages already share most of a call's own cost.
const publishCallMessages, publishCallBytes = 32, 32 << 10

// publishCall is one call's keys and arguments; args[0] (ARGV[1]) is the fresh epoch, set
// when the call is sent.
type publishCall struct {
	keys  []string
	args  []any
	bytes int
}

func newPublishCall() publishCall { return publishCall{args: []any{nil}} }

// withEpoch is the call's arguments with epoch as the fresh one.
func (c *publishCall) withEpoch(epoch string) []any {
	c.args[0] = epoch
	return c.args
}

func (c *publishCall) full(next bullpen.Queued) bool {
	n := len(c.keys) / 3
	return n >= publishCallMessages || n > 0 && c.bytes+len(next.Data) > publishCallBytes
}

func (c *publishCall) add(tag string, m bullpen.Queued) {
	c.keys = append(c.keys, tag+seqSuffix, tag+epochSuffix, tag+historySuffix)
	c.args = append(c.args, m.Type, m.Channel, m.Data, historyLength(m.Channel), tag+noticeSuffix)
	c.bytes += len(m.Data)
}

// publishCalls splits a page into script calls, each channel's messages in their order. On a
// single server a call takes the page as it comes, whatever the channels; on a cluster a
// call's keys must share a slot, so it takes one channel's messages (a floor's celebrations,
// say), and a channel with one message in the page has a call of its own, as before.
func (s *Store) publishCalls(msgs []bullpen.Queued) []publishCall {
	var calls []publishCall
	if _, cluster := s.rdb.(*goredis.ClusterClient); !cluster {
		for _, m := range msgs {
			if len(calls) == 0 || calls[len(calls)-1].full(m) {
				calls = append(calls, newPublishCall())
			}
			calls[len(calls)-1].add(s.channelTag(m.Channel), m)
		}
		return calls
	}
	open := map[string]int{} // a channel's call being filled
	for _, m := range msgs {
		i, ok := open[m.Channel]
		if !ok || calls[i].full(m) {
			i = len(calls)
			open[m.Channel] = i
			calls = append(calls, newPublishCall())
		}
		calls[i].add(s.channelTag(m.Channel), m)
	}
	return calls
}

// PublishQueued publishes messages, each channel's in order, in one pipeline of a few script
// calls (one round trip for a whole outbox page, and a call for many messages). A node that
// lost its scripts (restarted) refuses its calls, and those alone are sent again once the
// script is loaded: a call runs whole or not at all, so nothing is published twice, and one
// channel's calls all go to one node.
func (s *Store) PublishQueued(ctx context.Context, msgs []bullpen.Queued) error {
	if len(msgs) == 0 {
		return nil
	}
	calls := s.publishCalls(msgs)
	for loaded := false; ; loaded = true {
		cmds, err := s.rdb.Pipelined(ctx, func(p goredis.Pipeliner) error {
			// One fresh epoch serves every channel of the page that has none: an epoch only has
			// to differ from the same channel's earlier ones.
			fresh := newEpoch()
			for i := range calls {
				publishScript.EvalSha(ctx, p, calls[i].keys, calls[i].withEpoch(fresh)...)
			}
			return nil
		})
		if err == nil {
			return nil
		}
		var again []publishCall
		other := false // a failure the script's loading does not cure: the page fails
		for i, cmd := range cmds {
			switch {
			case isNoScript(cmd.Err()) && i < len(calls):
				again = append(again, calls[i])
			case cmd.Err() != nil:
				other = true
			}
		}
		if loaded || other || len(again) == 0 {
			return fmt.Errorf("redis: publish %d queued messages: %w", len(msgs), err)
		}
		if err := publishScript.Load(ctx, s.rdb).Err(); err != nil {
			return fmt.Errorf("redis: publish %d queued messages: %w", len(msgs), err)
		}
		calls = again
	}
}

func newEpoch() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// ChannelState is where a channel stands (the type is the domain's: the socket subsystem reads
// it without knowing Redis).
type ChannelState = bullpen.ChannelState

// Channel reads a channel's epoch, seq and history (its length's worth, as ChannelTail gives at
// most) in one transaction, so they agree.
func (s *Store) Channel(ctx context.Context, channel string) (ChannelState, error) {
	var epoch *goredis.StringCmd
	var seq *goredis.StringCmd
	var hist *goredis.StringSliceCmd
	_, err := s.rdb.TxPipelined(ctx, func(p goredis.Pipeliner) error {
		epoch = p.Get(ctx, s.epochKey(channel))
		seq = p.Get(ctx, s.seqKey(channel))
		hist = p.LRange(ctx, s.historyKey(channel), -int64(historyLength(channel)), -1)
		return nil
	})
	if err != nil && !errors.Is(err, goredis.Nil) {
		return ChannelState{}, fmt.Errorf("redis: read channel %s: %w", channel, err)
	}
	st := ChannelState{Epoch: epoch.Val(), History: hist.Val()}
	if v := seq.Val(); v != "" {
		st.Seq, _ = strconv.ParseInt(v, 10, 64)
	}
	return st, nil
}

//go:embed tail.lua
var tailSource string

var tailScript = goredis.NewScript(tailSource)

// ChannelTail reads a channel's epoch and seq and only the history a subscriber needs: the
// messages after since (since < 0: none) and at least the latest min. Reading the whole history
// for every subscribe was the cost of a reconnect storm.
func (s *Store) ChannelTail(ctx context.Context, channel string, since int64, min int) (ChannelState, error) {
	keys := []string{s.seqKey(channel), s.epochKey(channel), s.historyKey(channel)}
	keep := historyLength(channel)
	res, err := tailScript.EvalSha(ctx, s.rdb, keys, since, min, keep).StringSlice()
	if isNoScript(err) {
		if err := tailScript.Load(ctx, s.rdb).Err(); err != nil {
			return ChannelState{}, fmt.Errorf("redis: read the tail of channel %s: %w", channel, err)
		}
		res, err = tailScript.EvalSha(ctx, s.rdb, keys, since, min, keep).StringSlice()
	}
	if err != nil {
		return ChannelState{}, fmt.Errorf("redis: read the tail of channel %s: %w", channel, err)
	}
	st := ChannelState{Epoch: res[0], History: res[2:]}
	st.Seq, _ = strconv.ParseInt(res[1], 10, 64)
	return st, nil
}
