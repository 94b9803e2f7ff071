// Package lru is the one least-recently-used cache of archmap: the
// server's model snapshots, cached answers and remembered timeouts, and the
// diagram renderer's layouts all live in one of these.
//
// A cache holds values by key up to a total weight (the caller says what a
// value weighs: bytes, entities, one), dropping the least recently used
// first. It is safe for concurrent use. Keys are strings or types made from
// them, so that each cache can take only the keys built for it.
package lru

import (
	"container/list"
	"strings"
	"sync"
)

// Cache holds values of type V under keys of type K.
type Cache[K ~string, V any] struct {
	max    int64
	weight func(K, V) int64

	mu    sync.Mutex
	used  int64
	order *list.List // of *entry[K, V], most recent first
	items map[K]*list.Element
}

type entry[K ~string, V any] struct {
	key    K
	val    V
	weight int64
}

// New makes a cache of at most max total weight, weighing each value with
// weight.
func New[K ~string, V any](max int64, weight func(K, V) int64) *Cache[K, V] {
	return &Cache[K, V]{max: max, weight: weight, order: list.New(), items: map[K]*list.Element{}}
}

// Get returns the value under key and marks it used.
func (c *Cache[K, V]) Get(key K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[key]
	if !ok {
		var zero V
		return zero, false
	}
	c.order.MoveToFront(el)
	return el.Value.(*entry[K, V]).val, true
}

// Add files v under key and returns it, or returns the value already there
// (another caller got there first). A value heavier than the whole bound is
// returned but not kept.
func (c *Cache[K, V]) Add(key K, v V) V {
	w := c.weight(key, v)
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		c.order.MoveToFront(el)
		return el.Value.(*entry[K, V]).val
	}
	if w > c.max {
		return v
	}
	c.items[key] = c.order.PushFront(&entry[K, V]{key: key, val: v, weight: w})
	c.used += w
	for c.used > c.max {
		old := c.order.Remove(c.order.Back()).(*entry[K, V])
		delete(c.items, old.key)
		c.used -= old.weight
	}
	return v
}

// DropPrefix removes every value whose key starts with prefix (all the
// cached values of one workspace when it is deleted) and says how many. It
// walks the whole cache, which is fine for an event as rare as a deletion.
func (c *Cache[K, V]) DropPrefix(prefix string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for key, el := range c.items {
		if strings.HasPrefix(string(key), prefix) {
			c.used -= el.Value.(*entry[K, V]).weight
			c.order.Remove(el)
			delete(c.items, key)
			n++
		}
	}
	return n
}

// Keys lists the keys held, most recent first.
func (c *Cache[K, V]) Keys() []K {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]K, 0, len(c.items))
	for el := c.order.Front(); el != nil; el = el.Next() {
		out = append(out, el.Value.(*entry[K, V]).key)
	}
	return out
}

// Used is the total weight held.
func (c *Cache[K, V]) Used() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.used
}
