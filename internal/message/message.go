// Package message is what the live channels carry: the type of every message the consumer
// queues and the typed data of those that are no domain entity of their own, and Encode, the one
// place a message's data becomes the JSON its channel sends. Contests, incentives and standings
// travel as their own types (contest.Contest, incentive.Incentive, standings.Standings,
// standings.RankChange). Plain Go, no I/O.
package message

import (
	"encoding/json"
	"time"

	"bullpen/internal/bullpen"
)

// Types of the messages queued for the live channels.
const (
	TypeCelebration       = "celebration"        // floor: a deal won
	TypeReward            = "reward"             // rep: points added (Points)
	TypeClawback          = "clawback"           // rep: points taken back (Points)
	TypeRank              = "rank"               // rep: its place on a board moved (standings.RankChange)
	TypeUpdate            = "update"             // contest: the standings (standings.Standings)
	TypeIncentiveLaunched = "incentive.launched" // floor: the incentive
	TypeIncentiveWon      = "incentive.won"      // floor: IncentiveWon
	TypeIncentiveEnded    = "incentive.ended"    // floor: the incentive
	TypeContestStarted    = "contest.started"    // floor: the contest
	TypeContestEnded      = "contest.ended"      // floor: the contest
	TypeContestFinal      = "contest.final"      // floor: the contest
	TypeScreen            = "screen"             // screen: the screen whole (screen.Screen), or gone (screen.Removed)
)

// Points is the data of reward and clawback: the whole points that entered or left a rep's
// balance, the balance once they had, and what they came from.
type Points struct {
	Points      int64                `json:"points"`
	Balance     int64                `json:"balance"`
	Reason      bullpen.LedgerReason `json:"reason"`
	Note        string               `json:"note"`
	IncentiveID string               `json:"incentive_id,omitempty"`
	ContestID   string               `json:"contest_id,omitempty"`
	PeriodKey   string               `json:"period_key,omitempty"` // the board of a prize
	DealID      string               `json:"deal_id,omitempty"`
	EventID     string               `json:"event_id,omitempty"`
}

// PointsFor is a rep's reward when p adds points and its clawback when p takes some away.
func PointsFor(repID string, p Points) bullpen.Notice {
	typ := TypeReward
	if p.Points < 0 {
		typ = TypeClawback
	}
	return bullpen.Notice{Channel: bullpen.RepChannel(repID), Type: typ, Data: &p}
}

// Celebration is the floor's message for a deal won.
type Celebration struct {
	RepID      string        `json:"rep_id"`
	Name       string        `json:"name"`
	TeamID     string        `json:"team_id"`
	DealID     string        `json:"deal_id"`
	Amount     bullpen.Fixed `json:"amount"`
	EventID    string        `json:"event_id"`
	OccurredAt time.Time     `json:"occurred_at"`
}

// Celebrate is the floor's celebration of a deal won.
func Celebrate(c Celebration) bullpen.Notice {
	return bullpen.Notice{Channel: bullpen.ChannelFloor, Type: TypeCelebration, Data: &c}
}

// IncentiveWon is the floor's message for a place won in a spot incentive.
type IncentiveWon struct {
	IncentiveID string `json:"incentive_id"`
	RepID       string `json:"rep_id"`
	Name        string `json:"name"`
	TeamID      string `json:"team_id"`
	DealID      string `json:"deal_id"`
	Points      int64  `json:"points"`
	Note        string `json:"note"`
}

// Won tells the floor of a place won.
func Won(w IncentiveWon) bullpen.Notice {
	return bullpen.Notice{Channel: bullpen.ChannelFloor, Type: TypeIncentiveWon, Data: &w}
}

// Floor is a message of type typ for the floor whose data is a domain entity as the API shows
// it: a contest for contest.*, an incentive for incentive.launched and incentive.ended.
func Floor(typ string, entity any) bullpen.Notice {
	return bullpen.Notice{Channel: bullpen.ChannelFloor, Type: typ, Data: entity}
}

// Appender is data that writes its own JSON, exactly as encoding/json would: a message sent by
// the thousand a second, where reflection would cost several times as much.
type Appender interface {
	AppendJSON(b []byte) []byte
}

// Encode turns a notice into what its channel carries. Every message the consumer queues or
// publishes goes through it, so a payload has one encoding wherever it is sent from.
func Encode(n bullpen.Notice) (bullpen.Queued, error) {
	q := bullpen.Queued{Channel: n.Channel, Type: n.Type}
	if a, ok := n.Data.(Appender); ok {
		q.Data = a.AppendJSON(make([]byte, 0, 512))
		return q, nil
	}
	data, err := json.Marshal(n.Data)
	if err != nil {
		return bullpen.Queued{}, err
	}
	q.Data = data
	return q, nil
}

// Types of the attainment messages (docs/api.md §4).
const (
	TypeAttainment      = "attainment"       // rep: its attainment of one target (Attainment)
	TypeAttainmentBoard = "attainment.board" // targets: a team's set ranked by percent (AttainmentBoard), or gone (BoardRemoved)
)

// Attainment is where a rep (or a team) stands against one target: value ÷ target, and at the
// run rate so far where it is heading and what it needs per remaining selling day.
type Attainment struct {
	Period       string         `json:"period"`
	Metric       string         `json:"metric"`
	Value        bullpen.Fixed  `json:"value"`
	Target       bullpen.Fixed  `json:"target"`
	Pct          *float64       `json:"pct"` // percent, two decimals; null for a target of 0
	Projected    *bullpen.Fixed `json:"projected,omitempty"`
	NeededPerDay *bullpen.Fixed `json:"needed_per_day,omitempty"`
}

// AttainmentLine is one rep's line of an attainment board.
type AttainmentLine struct {
	Rank  int    `json:"rank"`
	RepID string `json:"rep_id"`
	Name  string `json:"name"`
	Attainment
}

// TeamAttainment is a team's own line: its target is its own (Own) or the sum of its reps'.
type TeamAttainment struct {
	Attainment
	Own bool `json:"own"`
}

// AttainmentBoard is a team's target set: the team's line and its reps' ranked by percent.
// Every one is whole, so any one can be drawn alone.
type AttainmentBoard struct {
	TeamID   string           `json:"team_id"`
	Period   string           `json:"period"`
	Metric   string           `json:"metric"`
	Timezone string           `json:"timezone"`
	Start    time.Time        `json:"start"`
	End      time.Time        `json:"end"`
	Team     TeamAttainment   `json:"team"`
	Reps     []AttainmentLine `json:"reps"`
}

// AttainmentOf is a rep's attainment message.
func AttainmentOf(repID string, a Attainment) bullpen.Notice {
	return bullpen.Notice{Channel: bullpen.RepChannel(repID), Type: TypeAttainment, Data: &a}
}

// Board is a team's attainment board message.
func Board(b AttainmentBoard) bullpen.Notice {
	return bullpen.Notice{Channel: bullpen.TargetsChannel(b.TeamID), Type: TypeAttainmentBoard, Data: &b}
}

// BoardRemoved is the attainment board of a set that is gone (its last target deleted): it
// names the set, and a page drops its board.
type BoardRemoved struct {
	TeamID  string `json:"team_id"`
	Period  string `json:"period"`
	Metric  string `json:"metric"`
	Removed bool   `json:"removed"` // always true
}

// RemovedBoard is the attainment.board message of a removed set.
func RemovedBoard(teamID, period, metric string) bullpen.Notice {
	return bullpen.Notice{Channel: bullpen.TargetsChannel(teamID), Type: TypeAttainmentBoard,
		Data: &BoardRemoved{TeamID: teamID, Period: period, Metric: metric, Removed: true}}
}

// TypeAchievement is a badge awarded or revoked (achievement.Badge), on the rep's channel and
// the floor.
const TypeAchievement = "achievement"
