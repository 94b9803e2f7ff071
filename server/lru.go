package server

import (
	"container/list"
	"strings"
	"sync"
)

// lru holds values by key up to a total weight, dropping the least recently
// used first; safe for concurrent use. The model snapshots and the cached
// answers are both kept in one.
type lru[V any] struct {
	max    int
	weight func(V) int

	mu    sync.Mutex
	used  int
	order *list.List // of *lruEntry[V], most recent first
	items map[string]*list.Element
}

type lruEntry[V any] struct {
	key    string
	val    V
	weight int
}

func newLRU[V any](max int, weight func(V) int) *lru[V] {
	return &lru[V]{max: max, weight: weight, order: list.New(), items: map[string]*list.Element{}}
}

func (c *lru[V]) get(key string) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[key]
	if !ok {
		var zero V
		return zero, false
	}
	c.order.MoveToFront(el)
	return el.Value.(*lruEntry[V]).val, true
}

// add files v under key and returns it, or returns the value already there
// (another request got there first). A value heavier than the whole bound
// is returned but not kept.
func (c *lru[V]) add(key string, v V) V {
	w := c.weight(v)
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		c.order.MoveToFront(el)
		return el.Value.(*lruEntry[V]).val
	}
	if w > c.max {
		return v
	}
	c.items[key] = c.order.PushFront(&lruEntry[V]{key: key, val: v, weight: w})
	c.used += w
	for c.used > c.max {
		old := c.order.Remove(c.order.Back()).(*lruEntry[V])
		delete(c.items, old.key)
		c.used -= old.weight
	}
	return v
}

// dropPrefix removes every value whose key starts with prefix: all the
// cached answers of one workspace when it is deleted. It walks the whole
// cache, which is fine for an event as rare as a deletion.
func (c *lru[V]) dropPrefix(prefix string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for key, el := range c.items {
		if strings.HasPrefix(key, prefix) {
			c.used -= el.Value.(*lruEntry[V]).weight
			c.order.Remove(el)
			delete(c.items, key)
			n++
		}
	}
	return n
}

// keys lists the keys held, most recent first (for tests).
func (c *lru[V]) keys() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]string, 0, len(c.items))
	for el := c.order.Front(); el != nil; el = el.Next() {
		out = append(out, el.Value.(*lruEntry[V]).key)
	}
	return out
}
