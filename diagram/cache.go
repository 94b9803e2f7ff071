package diagram

import "github.com/archmap/archmap/internal/lru"

// outputCache holds rendered outputs up to a total size in bytes, in the
// project's one LRU (internal/lru). A nil *outputCache (disabled) holds
// nothing.
type outputCache struct {
	limit int64
	c     *lru.Cache[string, []byte]
}

// entryOverhead approximates the bookkeeping of one entry, so that many
// tiny outputs cannot grow the cache past its bound.
const entryOverhead = 128

func newOutputCache(limit int64) *outputCache {
	if limit <= 0 {
		return nil
	}
	return &outputCache{limit: limit, c: lru.New(limit, cost)}
}

func (c *outputCache) get(key string) ([]byte, bool) {
	if c == nil {
		return nil, false
	}
	return c.c.Get(key)
}

// add stores val under key. A value bigger than an eighth of the cache is
// not kept: it would evict most of the rest for one diagram.
func (c *outputCache) add(key string, val []byte) {
	if c == nil || cost(key, val) > c.limit/8 {
		return
	}
	c.c.Add(key, val)
}

func cost(key string, val []byte) int64 { return int64(len(key) + len(val) + entryOverhead) }
