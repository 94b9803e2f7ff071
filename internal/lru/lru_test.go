package lru

import (
	"fmt"
	"slices"
	"sync"
	"testing"
)

func TestCacheKeepsTheRecentWithinItsWeight(t *testing.T) {
	c := New(10, func(_ string, v int) int64 { return int64(v) })
	c.Add("a", 4)
	c.Add("b", 4)
	if _, ok := c.Get("a"); !ok { // a is now the most recent
		t.Fatal("a is missing")
	}
	c.Add("c", 4) // 12 > 10: the least recent, b, goes
	if _, ok := c.Get("b"); ok {
		t.Error("b outlived a more recently used value")
	}
	if got := c.Keys(); !slices.Equal(got, []string{"c", "a"}) {
		t.Errorf("keys %v", got)
	}
	if c.Used() != 8 {
		t.Errorf("used %d, want 8", c.Used())
	}
	// A value heavier than the bound is handed back, not kept.
	if v := c.Add("huge", 11); v != 11 {
		t.Errorf("Add returned %d", v)
	}
	if _, ok := c.Get("huge"); ok {
		t.Error("a value over the bound was kept")
	}
	// The first value filed under a key wins.
	if v := c.Add("a", 1); v != 4 {
		t.Errorf("a second Add returned %d, want the first value 4", v)
	}
}

func TestDropPrefix(t *testing.T) {
	type key string
	c := New(100, func(key, int) int64 { return 1 })
	for _, k := range []key{"w1:a", "w1:b", "w12:a", "w2:a"} {
		c.Add(k, 0)
	}
	if n := c.DropPrefix("w1:"); n != 2 {
		t.Errorf("dropped %d, want 2 (w12: is another workspace)", n)
	}
	if got := c.Keys(); len(got) != 2 || c.Used() != 2 {
		t.Errorf("left %v, used %d", got, c.Used())
	}
}

func TestCacheIsSafeForConcurrentUse(t *testing.T) {
	c := New(50, func(string, int) int64 { return 1 })
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 500; i++ {
				k := fmt.Sprint(g, ":", i%70)
				c.Add(k, i)
				c.Get(k)
				if i%100 == 0 {
					c.DropPrefix(fmt.Sprint(g, ":"))
				}
			}
		}(g)
	}
	wg.Wait()
	if c.Used() > 50 || int(c.Used()) != len(c.Keys()) {
		t.Errorf("used %d with %d keys", c.Used(), len(c.Keys()))
	}
}
