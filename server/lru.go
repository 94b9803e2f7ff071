package server

import (
	"container/list"
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
