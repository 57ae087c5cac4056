package live

import (
	"context"
	"encoding/json"
	"strconv"

	"bullpen/internal/bullpen"
	"bullpen/internal/contest"
	"bullpen/internal/flight"
	"bullpen/internal/live/wire"
)

type subscribedMessage struct {
	Type    string `json:"type"`
	Channel string `json:"channel"`
	Seq     int64  `json:"seq"`
	Epoch   string `json:"epoch"`
}

type snapshotMessage struct {
	Type      string          `json:"type"`
	Channel   string          `json:"channel"`
	Seq       int64           `json:"seq"`
	Epoch     string          `json:"epoch"`
	Data      json.RawMessage `json:"data"`
	Recovered *bool           `json:"recovered,omitempty"`
}

// frame is the message as json.Marshal writes it, but with Data copied as it is. Data is JSON
// this server made, read once for all the sockets that ask at the same seq; json.Marshal would
// check and compact it again for each of them: 51 µs for a 50-row board against 2.8 µs
// (BenchmarkSnapshotFrame), about 4 % of the server's CPU in the morning rush.
func (m snapshotMessage) frame() []byte {
	b := make([]byte, 0, len(m.Data)+len(m.Channel)+96)
	b = append(b, `{"type":`...)
	b = append(b, mustJSON(m.Type)...)
	b = append(b, `,"channel":`...)
	b = append(b, mustJSON(m.Channel)...)
	b = append(b, `,"seq":`...)
	b = strconv.AppendInt(b, m.Seq, 10)
	b = append(b, `,"epoch":`...)
	b = append(b, mustJSON(m.Epoch)...)
	b = append(b, `,"data":`...)
	if len(m.Data) == 0 {
		b = append(b, "null"...)
	} else {
		b = append(b, m.Data...)
	}
	if m.Recovered != nil {
		b = append(b, `,"recovered":`...)
		b = strconv.AppendBool(b, *m.Recovered)
	}
	return append(b, '}')
}

type floorSnapshot struct {
	Items []json.RawMessage `json:"items"`
}

// snapshotFrame is the snapshot message of a channel at st, with "recovered": false when it
// answers a resume that could not be served from the history. A fresh subscription to a shared
// channel takes the frame kept for st's epoch and seq if there is one (snapcache.go).
func (l *Live) snapshotFrame(ctx context.Context, ch wire.Channel, st bullpen.ChannelState, k *contest.Contest, unrecovered bool) ([]byte, error) {
	keep := sharedSnapshot(ch.Kind) && !unrecovered
	at := l.deps.Now()
	if keep {
		if f, ok := l.snaps.get(ch.Name, st.Epoch, st.Seq, at); ok {
			return f, nil
		}
	}
	data, err := l.snapshotData(ctx, ch, st, k)
	if err != nil {
		return nil, err
	}
	snap := snapshotMessage{Type: "snapshot", Channel: ch.Name, Seq: st.Seq, Epoch: st.Epoch, Data: data}
	if unrecovered {
		f := false
		snap.Recovered = &f
	}
	frame := snap.frame()
	if keep {
		l.snaps.put(ch.Name, st.Epoch, st.Seq, at, frame)
	}
	return frame, nil
}

// snapshotData is what a channel holds now, at least as new as st (it is read after st). The
// floor's comes from the history itself. A contest's and a rep's are built once for all the
// sockets that ask at the same seq.
func (l *Live) snapshotData(ctx context.Context, ch wire.Channel, st bullpen.ChannelState, k *contest.Contest) (json.RawMessage, error) {
	key := "snapshot|" + ch.Name + "|" + st.Epoch + "|" + strconv.FormatInt(st.Seq, 10)
	return flight.Do(ctx, &l.flight, key, func(ctx context.Context) (json.RawMessage, error) {
		if ch.Kind == wire.KindFloor {
			hist := st.History
			if len(hist) > floorItems {
				hist = hist[len(hist)-floorItems:]
			}
			snap := floorSnapshot{Items: make([]json.RawMessage, len(hist))}
			for i, m := range hist {
				snap.Items[i] = json.RawMessage(m)
			}
			return mustJSON(snap), nil
		}
		if ch.Kind == wire.KindContest {
			if k == nil {
				var err error
				if k, err = l.deps.Snapshots.Contest(ctx, ch.ID); err != nil {
					return nil, err
				}
			}
			return l.deps.Snapshots.ContestSnapshot(ctx, k, snapshotRows)
		}
		if ch.Kind == wire.KindTargets {
			return l.deps.Snapshots.TargetsSnapshot(ctx, ch.ID)
		}
		if ch.Kind == wire.KindScreen {
			return l.deps.Snapshots.ScreenSnapshot(ctx, ch.ID)
		}
		return l.deps.Snapshots.RepSnapshot(ctx, ch.ID)
	})
}
