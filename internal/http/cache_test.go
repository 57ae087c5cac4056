package http

import (
	"testing"
	"time"
)

func TestTTLCacheForgetsAfterItsTTLAndOnDemand(t *testing.T) {
	c := newTTLCache[string, int](time.Second, 3)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c.put("a", 1, t0)
	if v, ok := c.get("a", t0.Add(999*time.Millisecond)); !ok || v != 1 {
		t.Fatalf("within the ttl: %v %v", v, ok)
	}
	if _, ok := c.get("a", t0.Add(time.Second)); ok {
		t.Fatal("kept past its ttl")
	}
	c.put("b", 2, t0)
	c.dropIf(func(v int) bool { return v == 2 })
	if _, ok := c.get("b", t0); ok {
		t.Fatal("dropIf kept a match")
	}
	for i, k := range []string{"x", "y", "z", "w"} {
		c.put(k, i, t0)
	}
	if len(c.m) > 3 {
		t.Fatalf("%d entries, max 3", len(c.m))
	}
}
