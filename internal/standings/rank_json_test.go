package standings

import (
	"encoding/json"
	"testing"

	"bullpen/internal/bullpen"
)

// The hand-written encoding is byte for byte what encoding/json writes, names with every kind
// of character included.
func TestRankChangeJSONIsWhatEncodingJSONWrites(t *testing.T) {
	gap := bullpen.Fixed(12345)
	deals := int64(2)
	names := []string{"Dana", `Zoë "Z" O'Neil`, "tab\there\nnew\\line", "<b>&amp;</b>", "bell\x07\x1f", "sep\u2028\u2029",
		"bad \xff\xfe utf8", "日本語", ""}
	var named []Named
	for i, n := range names {
		named = append(named, Named{RepID: "rep-" + string(rune('a'+i)), Name: n})
	}
	cases := []RankChange{
		{ContestID: "c1", Rank: 3, PreviousRank: 5, Score: 500050, PassedBy: nil, Passed: named, GapToNext: &gap, DealsToNext: &deals},
		{ContestID: "c2", Rank: 1, PreviousRank: 2, Score: -7, PassedBy: named[:2], Passed: []Named{}, GapToNext: nil},
		{ContestID: "c\"3", Rank: 10, PreviousRank: 9, Score: 0, PassedBy: named, Passed: nil},
	}
	for i, c := range cases {
		want, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.AppendJSON(nil); string(got) != string(want) {
			t.Errorf("case %d:\n got %s\nwant %s", i, got, want)
		}
	}
}

func BenchmarkRankChangeJSON(b *testing.B) {
	gap := bullpen.Fixed(12345)
	named := make([]Named, 10)
	for i := range named {
		named[i] = Named{RepID: "rep-00" + string(rune('0'+i)), Name: "Dana Whitfield"}
	}
	c := RankChange{ContestID: "6f1c2e4a-8b7d-4c3e-9f0a-1b2c3d4e5f60", Rank: 31, PreviousRank: 35, Score: 1234500,
		PassedBy: named[:3], Passed: named, GapToNext: &gap}
	b.Run("encoding/json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(c); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("AppendJSON", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = c.AppendJSON(make([]byte, 0, 512))
		}
	})
}
