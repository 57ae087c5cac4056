package http

import (
	"testing"
	"time"
)

func TestTTLCacheForgetsAfterItsTTLAndOnDemand(t *testing.T) {
	c := newTTLCache[string, int](time.Second, 3)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	put := func(k string, v int) { c.putFrom(k, v, t0, c.gen) }
	get := func(k string, now time.Time) (int, bool) {
		v, ok, _, _ := c.lookup(k, now, false)
		return v, ok
	}
	put("a", 1)
	if v, ok := get("a", t0.Add(999*time.Millisecond)); !ok || v != 1 {
		t.Fatalf("within the ttl: %v %v", v, ok)
	}
	if _, ok := get("a", t0.Add(time.Second)); ok {
		t.Fatal("kept past its ttl")
	}
	put("b", 2)
	c.dropIf(func(v int) bool { return v == 2 })
	if _, ok := get("b", t0); ok {
		t.Fatal("dropIf kept a match")
	}
	for i, k := range []string{"x", "y", "z", "w"} {
		put(k, i)
	}
	if len(c.m) > 3 {
		t.Fatalf("%d entries, max 3", len(c.m))
	}
}
