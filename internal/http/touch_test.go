package http_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"bullpen/internal/bullpen"
	httpapi "bullpen/internal/http"
)

// heldTouches is the token reader with its first write of tokens' use held until released, and
// its writes counted.
type heldTouches struct {
	httpapi.TokenReader
	release      chan struct{}
	writes, uses atomic.Int64
}

func (h *heldTouches) TouchTokens(ctx context.Context, ids []string) error {
	if h.writes.Add(1) == 1 {
		<-h.release
	}
	h.uses.Add(int64(len(ids)))
	return h.TokenReader.TouchTokens(ctx, ids)
}

func withHeldTouches(held *heldTouches) func(*httpapi.Deps) {
	return func(d *httpapi.Deps) { held.TokenReader, d.TokenReader = d.TokenReader, held }
}

// A token's first use is answered without waiting for last_used_at to be written, and the uses
// of many tokens are written together.
func TestTokensUseIsRecordedOffTheRequestPathAndTogether(t *testing.T) {
	held := &heldTouches{release: make(chan struct{})}
	e := newEnvWired(t, withHeldTouches(held))
	const n = 10
	toks := make([]minted, n)
	for i := range toks {
		toks[i] = e.mustMint(adminSecret, bullpen.RoleRep, "r-"+string(rune('a'+i)))
	}
	answered := make(chan struct{})
	go func() {
		defer close(answered)
		for _, m := range toks {
			e.do("GET", "/api/v1/me", m.Token, nil).Want(t, 200, nil)
		}
	}()
	select {
	case <-answered:
	case <-time.After(30 * time.Second):
		close(held.release)
		t.Fatal("the requests waited for their use to be written")
	}
	close(held.release)
	for deadline := time.Now().Add(10 * time.Second); held.uses.Load() < n && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if uses, writes := held.uses.Load(), held.writes.Load(); uses != n || writes > 2 {
		t.Fatalf("%d uses of %d tokens written in %d writes, want all in at most 2", uses, n, writes)
	}
	for _, m := range toks {
		if e.listed(m.ID).LastUsedAt == nil {
			t.Fatalf("token %s's use not recorded", m.ID)
		}
	}
}

// What is queued when the server stops is written as it stops.
func TestTokensUseQueuedAtStopIsWritten(t *testing.T) {
	held := &heldTouches{release: make(chan struct{})}
	close(held.release)
	e := newEnvWired(t, withHeldTouches(held))
	rep := e.mustMint(adminSecret, bullpen.RoleRep, "r-1")
	_, stop := e.serve()
	used := time.Now()
	e.do("GET", "/api/v1/me", rep.Token, nil).Want(t, 200, nil)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if time.Since(used) >= httpapi.TouchWait {
		// The background writer may have written it already: this run cannot tell.
		t.Skip("the server took longer to stop than the writer waits")
	}
	if held.uses.Load() != 1 {
		t.Fatalf("%d uses written as the server stopped, want 1", held.uses.Load())
	}
}
