package bullpen

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Rate is a request limit: Count requests per Per, shared by every replica. The zero Rate is no
// limit.
type Rate struct {
	Count int
	Per   time.Duration
}

// Off reports whether the rate limits nothing.
func (r Rate) Off() bool { return r.Count <= 0 || r.Per <= 0 }

func (r Rate) String() string {
	if r.Off() {
		return "off"
	}
	unit := map[time.Duration]string{time.Second: "s", time.Minute: "m", time.Hour: "h"}[r.Per]
	return fmt.Sprintf("%d/%s", r.Count, unit)
}

// ParseRate reads a limit written as N/s, N/m or N/h (N at least 1), or "off".
func ParseRate(s string) (Rate, error) {
	s = strings.TrimSpace(s)
	if strings.EqualFold(s, "off") {
		return Rate{}, nil
	}
	n, unit, ok := strings.Cut(s, "/")
	count, err := strconv.Atoi(n)
	per := map[string]time.Duration{"s": time.Second, "m": time.Minute, "h": time.Hour}[unit]
	if !ok || err != nil || count < 1 || per == 0 {
		return Rate{}, fmt.Errorf("%q is not a rate such as 50/s, 600/m or off", s)
	}
	return Rate{Count: count, Per: per}, nil
}

// RateDecision is what a limiter decided about a request: allowed, or refused until RetryAfter
// has passed.
type RateDecision struct {
	Allowed    bool
	RetryAfter time.Duration
}
