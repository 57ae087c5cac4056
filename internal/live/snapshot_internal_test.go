package live

import (
	"bytes"
	"encoding/json"
	"strconv"
	"testing"
)

// A snapshot's frame is what json.Marshal writes for it, byte for byte, when its data is
// compact JSON as the snapshot readers make it: with and without "recovered", with no data,
// and with names that need escaping.
func TestSnapshotFrameIsWhatMarshalWrites(t *testing.T) {
	no := false
	data := json.RawMessage(`{"contest_id":"c1","entries":[{"rank":1,"rep_id":"rep-17","name":"Ana \"Ace\" Ruiz","score":"1200.50"}],"total":1}`)
	for _, m := range []snapshotMessage{
		{Type: "snapshot", Channel: "contest:c1", Seq: 42, Epoch: "a1b2c3", Data: data},
		{Type: "snapshot", Channel: "rep:rep-17", Seq: 0, Epoch: "", Data: data, Recovered: &no},
		{Type: "snapshot", Channel: "rep:ana\u00e9\"<x>", Seq: -1, Epoch: "e\\1", Data: nil},
		{Type: "snapshot", Channel: "floor", Seq: 9007199254740993, Epoch: "x", Data: json.RawMessage(`{"items":[]}`)},
	} {
		want, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		if got := m.frame(); !bytes.Equal(got, want) {
			t.Errorf("frame\n %s\nwant what json.Marshal writes\n %s", got, want)
		}
	}
}

// BenchmarkSnapshotFrame compares the frame of a contest snapshot of 50 rows (about 7 KB, what
// every socket subscribing to a busy board gets) with json.Marshal's.
func BenchmarkSnapshotFrame(b *testing.B) {
	var rows bytes.Buffer
	rows.WriteString(`{"contest_id":"c1","entries":[`)
	for i := range 50 {
		if i > 0 {
			rows.WriteByte(',')
		}
		rows.WriteString(`{"rank":` + strconv.Itoa(i+1) + `,"rep_id":"rep-00` + strconv.Itoa(i) + `","team_id":"east","name":"Rep Number ` + strconv.Itoa(i) + `","score":"123456.78","deals":12,"reached_at":"2026-12-03T09:12:31.123456Z"}`)
	}
	rows.WriteString(`],"total":3000}`)
	m := snapshotMessage{Type: "snapshot", Channel: "contest:7a7a7d7c-4532-48ab-b440-d33f6f985cc7", Seq: 1234, Epoch: "a1b2c3d4e5f6", Data: rows.Bytes()}
	b.Run("frame", func(b *testing.B) {
		b.SetBytes(int64(len(m.Data)))
		for b.Loop() {
			_ = m.frame()
		}
	})
	b.Run("json.Marshal", func(b *testing.B) {
		b.SetBytes(int64(len(m.Data)))
		for b.Loop() {
			_ = mustJSON(m)
		}
	})
}
