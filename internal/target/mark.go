package target

import (
	"strconv"
	"strings"
)

// markPrefix names a target set among the contests the standings merge is told have changed
// (contest ids are UUIDs, so the two never meet).
const markPrefix = "t:"

// Mark names set id in the merge's marks.
func Mark(setID int64) string { return markPrefix + strconv.FormatInt(setID, 10) }

// ParseMark returns the set a merge mark names, if it names one.
func ParseMark(mark string) (int64, bool) {
	rest, ok := strings.CutPrefix(mark, markPrefix)
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(rest, 10, 64)
	return id, err == nil
}

// removedPrefix names a set that is gone (its last target deleted). The ledger no longer knows
// it, so its mark carries its key: "t-:{id}:{period}/{metric}/{team_id}" (a period and a metric
// hold no slash; the team, last, may).
const removedPrefix = "t-:"

// RemovedMark names set id, removed, in the merge's marks, with its key.
func RemovedMark(setID int64, k SetKey) string {
	return removedPrefix + strconv.FormatInt(setID, 10) + ":" + k.Period + "/" + k.Metric + "/" + k.TeamID
}

// ParseRemovedMark returns the removed set a merge mark names, if it names one.
func ParseRemovedMark(mark string) (int64, SetKey, bool) {
	rest, ok := strings.CutPrefix(mark, removedPrefix)
	if !ok {
		return 0, SetKey{}, false
	}
	num, key, ok := strings.Cut(rest, ":")
	id, err := strconv.ParseInt(num, 10, 64)
	parts := strings.SplitN(key, "/", 3)
	if !ok || err != nil || len(parts) != 3 {
		return 0, SetKey{}, false
	}
	return id, SetKey{Period: parts[0], Metric: parts[1], TeamID: parts[2]}, true
}
