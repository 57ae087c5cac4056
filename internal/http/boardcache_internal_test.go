package http

import (
	"bytes"
	"fmt"
	"testing"
	"time"
)

func TestBoardCacheHoldsItsBytesOldestOut(t *testing.T) {
	c := newBoardCache(time.Second, 1000)
	now := time.Now()
	key := func(i int) boardKey {
		return boardKey{contest: fmt.Sprint("c", i%3), period: "all", limit: 50, offset: i}
	}
	body := bytes.Repeat([]byte("x"), 300)
	for i := range 10 {
		c.put(key(i), body, c.gen(key(i).contest), now)
		if n, b := c.size(); b > 1000 || n > 3 {
			t.Fatalf("after %d puts: %d entries, %d bytes; want at most 1000 bytes", i+1, n, b)
		}
	}
	// The last three are kept, the older ones are out.
	for i := range 10 {
		_, ok := c.get(key(i), now)
		if ok != (i >= 7) {
			t.Errorf("page %d kept: %v", i, ok)
		}
	}
	// A body over the whole bound is not kept, and puts nothing out.
	c.put(key(11), bytes.Repeat([]byte("x"), 1001), c.gen(key(11).contest), now)
	if n, _ := c.size(); n != 3 {
		t.Fatalf("%d entries after an oversized put, want 3", n)
	}
}

func TestBoardCacheForgetsByAgeAndByDrop(t *testing.T) {
	c := newBoardCache(time.Second, 1<<20)
	now := time.Now()
	a := boardKey{contest: "a", period: "all", limit: 50}
	b := boardKey{contest: "b", period: "all", limit: 50}
	c.put(a, []byte("a"), c.gen("a"), now)
	c.put(b, []byte("b"), c.gen("b"), now)
	if _, ok := c.get(a, now.Add(999*time.Millisecond)); !ok {
		t.Fatal("a page younger than the max age was not kept")
	}
	if _, ok := c.get(a, now.Add(time.Second)); ok {
		t.Fatal("a page as old as the max age was served")
	}
	c.put(a, []byte("a"), c.gen("a"), now) // served past its age, it was put out
	c.drop("b")
	if _, ok := c.get(b, now); ok {
		t.Fatal("a dropped contest's page was served")
	}
	if _, ok := c.get(a, now); !ok {
		t.Fatal("another contest's drop dropped this one's page")
	}
	c.drop("a")
	if n, bytes := c.size(); n != 0 || bytes != 0 {
		t.Fatalf("%d entries, %d bytes left", n, bytes)
	}
}

func TestBoardCacheKeepsNothingReadBeforeADrop(t *testing.T) {
	c := newBoardCache(time.Second, 1<<20)
	now := time.Now()
	k := boardKey{contest: "a", period: "all", limit: 50}
	g := c.gen("a") // a read begins
	c.drop("a")     // the board changes meanwhile
	c.put(k, []byte("old"), g, now)
	if _, ok := c.get(k, now); ok {
		t.Fatal("a page read before its contest's drop was kept")
	}
	g = c.gen("a")
	c.dropAll()
	c.put(k, []byte("old"), g, now)
	if _, ok := c.get(k, now); ok {
		t.Fatal("a page read before everything was dropped was kept")
	}
	c.put(k, []byte("new"), c.gen("a"), now)
	if body, ok := c.get(k, now); !ok || string(body) != "new" {
		t.Fatalf("a page read after the drops: %q %v", body, ok)
	}
}
