package diagram

import (
	"container/list"
	"sync"
)

// lruCache holds rendered outputs up to a total size in bytes, dropping the
// least recently used first. A nil *lruCache (disabled) holds nothing.
type lruCache struct {
	mu    sync.Mutex
	limit int64
	size  int64
	order *list.List               // front: most recently used
	items map[string]*list.Element // key → element holding *cacheEntry
}

type cacheEntry struct {
	key string
	val []byte
}

// entryOverhead approximates the bookkeeping of one entry, so that many
// tiny outputs cannot grow the cache past its bound.
const entryOverhead = 128

func newLRUCache(limit int64) *lruCache {
	if limit <= 0 {
		return nil
	}
	return &lruCache{limit: limit, order: list.New(), items: map[string]*list.Element{}}
}

func (c *lruCache) get(key string) ([]byte, bool) {
	if c == nil {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[key]
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(e)
	return e.Value.(*cacheEntry).val, true
}

// add stores val under key. A value bigger than an eighth of the cache is
// not kept: it would evict most of the rest for one diagram.
func (c *lruCache) add(key string, val []byte) {
	if c == nil {
		return
	}
	n := cost(key, val)
	if n > c.limit/8 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[key]; ok {
		c.order.MoveToFront(e)
		return
	}
	c.items[key] = c.order.PushFront(&cacheEntry{key: key, val: val})
	c.size += n
	for c.size > c.limit {
		e := c.order.Back()
		ent := e.Value.(*cacheEntry)
		c.order.Remove(e)
		delete(c.items, ent.key)
		c.size -= cost(ent.key, ent.val)
	}
}

func cost(key string, val []byte) int64 { return int64(len(key) + len(val) + entryOverhead) }
