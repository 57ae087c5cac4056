package wire

import (
	"regexp"
	"strconv"
	"strings"

	"bullpen/internal/bullpen"
)

// Kind is what a channel carries (docs/api.md §4).
type Kind int

const (
	KindFloor Kind = iota
	KindContest
	KindRep
	KindTargets
	KindScreen
)

// Channel is a channel name taken apart: Name is Kind's prefix followed by ID.
type Channel struct {
	Name string
	Kind Kind
	ID   string // contest id, rep id, team id or screen id; "" for the floor
}

// MaxIDLength is the most characters a contest or team id in a channel name may have, as
// anywhere else an id is given (bullpen.ValidID).
const MaxIDLength = bullpen.MaxIDLength

// repIDPattern is what a deal event may carry as rep_id (internal/event).
var repIDPattern = regexp.MustCompile(`^[A-Za-z0-9._:@-]{1,100}$`)

// ParseChannel takes a channel name apart: floor, contest:{id}, rep:{rep_id}, targets:{team_id}
// or screen:{id}.
// An id is printable text: 1 to MaxIDLength characters of UTF-8, no control character.
func ParseChannel(name string) (Channel, error) {
	if name == "floor" {
		return Channel{Name: name, Kind: KindFloor}, nil
	}
	if name == "" {
		return Channel{}, bullpen.Invalid("channel", "channel is required")
	}
	for _, k := range []struct {
		prefix string
		kind   Kind
	}{{"contest:", KindContest}, {"rep:", KindRep}, {"targets:", KindTargets}, {"screen:", KindScreen}} {
		id, ok := strings.CutPrefix(name, k.prefix)
		if !ok {
			continue
		}
		if k.kind == KindRep && !repIDPattern.MatchString(id) {
			return Channel{}, bullpen.Invalid("channel", "%s", "a rep id is 1 to 100 letters, digits or . _ : @ -, not "+quote(id))
		}
		if !bullpen.ValidID(id) {
			return Channel{}, bullpen.Invalid("channel", "an id is 1 to %d characters of printable UTF-8 text, not %s", MaxIDLength, quote(id))
		}
		return Channel{Name: name, Kind: k.kind, ID: id}, nil
	}
	return Channel{}, bullpen.Invalid("channel", "unknown channel %s: contest:{id}, rep:{rep_id}, targets:{team_id}, screen:{id} or floor", quote(name))
}

// quote shows a client's text in a message, cut short so a long name does not make a long error.
func quote(s string) string {
	const show = 120
	if len(s) > show {
		s = strings.ToValidUTF8(s[:show], "") + "…"
	}
	return strconv.Quote(s)
}
