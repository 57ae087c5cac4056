package message_test

import (
	"testing"
	"time"

	"bullpen/internal/bullpen"
	"bullpen/internal/message"
)

func TestEncodeWritesEachPayloadAsTheScreensReadIt(t *testing.T) {
	at := time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name    string
		notice  bullpen.Notice
		channel string
		typ     string
		data    string
	}{
		{"a reward names what it came from and leaves out the rest",
			message.PointsFor("ana", message.Points{Points: 200, Balance: 450, Reason: bullpen.ReasonIncentive, Note: "200 points",
				IncentiveID: "i1", DealID: "D1", EventID: "e1"}),
			"rep:ana", "reward",
			`{"points":200,"balance":450,"reason":"incentive","note":"200 points","incentive_id":"i1","deal_id":"D1","event_id":"e1"}`},
		{"points taken away are a clawback",
			message.PointsFor("ana", message.Points{Points: -5, Balance: 0, Reason: bullpen.ReasonAdjustment, Note: "correction"}),
			"rep:ana", "clawback", `{"points":-5,"balance":0,"reason":"adjustment","note":"correction"}`},
		{"a prize names its contest and board",
			message.PointsFor("bo", message.Points{Points: 500, Balance: 500, Reason: bullpen.ReasonPrize, Note: "1st place",
				ContestID: "c1", PeriodKey: "all"}),
			"rep:bo", "reward", `{"points":500,"balance":500,"reason":"prize","note":"1st place","contest_id":"c1","period_key":"all"}`},
		{"a celebration's amount is a plain number without trailing zeros",
			message.Celebrate(message.Celebration{RepID: "ana", Name: "Ana <3", TeamID: "east", DealID: "D1", Amount: 4825050,
				EventID: "e1", OccurredAt: at}),
			"floor", "celebration",
			`{"rep_id":"ana","name":"Ana \u003c3","team_id":"east","deal_id":"D1","amount":48250.5,"event_id":"e1","occurred_at":"2026-06-01T10:00:00Z"}`},
		{"a win keeps empty names and teams",
			message.Won(message.IncentiveWon{IncentiveID: "i1", RepID: "cy", DealID: "D9", Points: 100, Note: "100 points"}),
			"floor", "incentive.won",
			`{"incentive_id":"i1","rep_id":"cy","name":"","team_id":"","deal_id":"D9","points":100,"note":"100 points"}`},
		{"data that writes its own JSON is asked to",
			bullpen.Notice{Channel: "rep:ana", Type: message.TypeRank, Data: appender(`{"rank":1}`)},
			"rep:ana", "rank", `{"rank":1}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q, err := message.Encode(tc.notice)
			if err != nil {
				t.Fatal(err)
			}
			if q.Channel != tc.channel || q.Type != tc.typ || string(q.Data) != tc.data {
				t.Fatalf("got %s %s %s\nwant %s %s %s", q.Channel, q.Type, q.Data, tc.channel, tc.typ, tc.data)
			}
		})
	}
}

type appender string

func (a appender) AppendJSON(b []byte) []byte { return append(b, a...) }

func TestEncodeFailsOnDataJSONCannotHold(t *testing.T) {
	if _, err := message.Encode(bullpen.Notice{Channel: "floor", Type: "x", Data: func() {}}); err == nil {
		t.Fatal("a func encoded")
	}
}
