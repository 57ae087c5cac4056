package http

import (
	"testing"
	"time"

	"bullpen/internal/bullpen"
)

// A read that began before the watcher heard of a change is not kept: the change may be the
// token's own, and the watcher had nothing to forget when it heard of it. One that began after
// is kept, and trusted while the watcher follows the log.
func TestATokenReadAcrossAChangeIsNotKept(t *testing.T) {
	now := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	var k tokenMemory
	k.heard(10, nil, true, now)
	mark := k.mark()
	k.heard(11, []string{"tok_ana"}, true, now) // ana's token revoked while it was being read
	k.put("h-ana", bullpen.Token{ID: "tok_ana"}, now, mark)
	if _, ok, _ := k.get("h-ana", now); ok {
		t.Fatal("a token read across a change was kept")
	}
	k.put("h-ana", bullpen.Token{ID: "tok_ana"}, now, k.mark())
	if _, ok, _ := k.get("h-ana", now.Add(time.Hour)); ok {
		t.Fatal("trusted an hour on without a read of the log")
	}
	k.heard(11, nil, true, now.Add(time.Hour))
	if _, ok, _ := k.get("h-ana", now.Add(time.Hour)); !ok {
		t.Fatal("a token read after the change is not trusted while the log is followed")
	}
	k.heard(5, nil, false, now.Add(time.Hour)) // another database, or a log that lost changes
	if _, ok, _ := k.get("h-ana", now.Add(time.Hour)); ok {
		t.Fatal("kept a token across a read of the log that was not complete")
	}
}
