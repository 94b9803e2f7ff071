package server

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/labstack/echo/v4"
	"golang.org/x/sync/singleflight"
)

// responseCache keeps response bodies that are a pure function of a key —
// a model revision plus the request's options: diagrams, findings, share
// pages — so that reading the same thing again costs a lookup. A body is
// gzip-encoded at most once, on the first request that accepts gzip: a
// diagram's SVG shrinks about six-fold, and copying megabytes per second
// through the network stack was what the load suite's profile showed
// once nothing was computed twice. Bounded in bytes, least recently used
// out first.
type responseCache struct {
	bodies *lru[*cachedBody]
	builds singleflight.Group
	hits   atomic.Int64
}

// Bound of the response cache: about a hundred big diagrams.
const responseCacheBytes = 64 << 20

// cachedBody is one response body and, once asked for, its gzip encoding.
// A big body (see put) is kept gzip-encoded only: raw is nil.
type cachedBody struct {
	raw []byte

	gzOnce sync.Once
	gz     []byte // nil when gzip does not make it smaller
}

func newResponseCache(maxBytes int) *responseCache {
	// A body counts twice its size: room for its gzip encoding, which
	// comes later and is far smaller. A body kept encoded only counts its
	// encoding.
	return &responseCache{bodies: newLRU(maxBytes, func(b *cachedBody) int {
		if b.raw == nil {
			return len(b.gz)
		}
		return 2 * len(b.raw)
	})}
}

// get returns the body filed under key.
func (rc *responseCache) get(key string) (*cachedBody, bool) {
	b, ok := rc.bodies.get(key)
	if ok {
		rc.hits.Add(1)
	}
	return b, ok
}

// put files raw under key and returns it as a cachedBody (or the one
// another request filed first). A body over an eighth of the cache would
// push out most of the rest: it is gzip-encoded at once (the findings of
// a 60 000-service model shrink about fifteen-fold) and kept encoded only,
// so that it is encoded once, not on every request. Only an encoding that
// is itself too big is served without being kept.
func (rc *responseCache) put(key string, raw []byte) *cachedBody {
	b := &cachedBody{raw: raw}
	if 2*len(raw) <= rc.bodies.max/8 {
		return rc.bodies.add(key, b)
	}
	gz := gzipEncode(raw, gzip.DefaultCompression)
	if gz == nil || len(gz) > rc.bodies.max/8 {
		return b
	}
	return rc.bodies.add(key, &cachedBody{gz: gz})
}

// load returns the body filed under key, or builds it once however many
// requests ask for it at the same time (a big model's answer costs
// megabytes to build: sixteen at once must not cost sixteen times that).
func (rc *responseCache) load(key string, build func() ([]byte, error)) (*cachedBody, error) {
	if b, ok := rc.get(key); ok {
		return b, nil
	}
	v, err, _ := rc.builds.Do(key, func() (any, error) {
		if b, ok := rc.bodies.get(key); ok {
			return b, nil
		}
		raw, err := build()
		if err != nil {
			return nil, err
		}
		return rc.put(key, raw), nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*cachedBody), nil
}

// minGzipSize: below it the encoding saves less than it costs.
const minGzipSize = 1024

func (b *cachedBody) gzipped() []byte {
	b.gzOnce.Do(func() {
		if len(b.raw) < minGzipSize {
			return // kept encoded only, or too small to encode
		}
		// Encoded once and sent many times: the smallest encoding pays
		// (a quarter smaller than the fastest, for about 20 ms once).
		b.gz = gzipEncode(b.raw, gzip.BestCompression)
	})
	return b.gz
}

// gzipEncode returns raw gzip-encoded at level, or nil when that is not
// smaller.
func gzipEncode(raw []byte, level int) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, level) // the levels used are valid
	_, _ = zw.Write(raw)                      // writes to a bytes.Buffer cannot fail
	zw.Close()
	if buf.Len() >= len(raw) {
		return nil
	}
	return buf.Bytes()
}

// writeCached answers with a cached body, gzip-encoded when the client
// accepts it.
func writeCached(c echo.Context, status int, contentType string, b *cachedBody) error {
	h := c.Response().Header()
	h.Add("Vary", "Accept-Encoding")
	if acceptsGzip(c.Request()) {
		if gz := b.gzipped(); gz != nil {
			h.Set("Content-Encoding", "gzip")
			return c.Blob(status, contentType, gz)
		}
	}
	if b.raw == nil {
		// Kept encoded only: decoded as it is sent, in small buffers, so
		// that a client without gzip costs CPU but no copy of the body.
		zr, err := gzip.NewReader(bytes.NewReader(b.gz))
		if err != nil {
			return err
		}
		return c.Stream(status, contentType, zr)
	}
	return c.Blob(status, contentType, b.raw)
}

// acceptsGzip reports whether the request's Accept-Encoding allows gzip
// (RFC 9110 §12.5.3): listed by name or as "*", without q=0.
func acceptsGzip(r *http.Request) bool {
	named, star := 0, 0 // 0 absent, 1 allowed, -1 refused (q=0)
	for _, v := range r.Header.Values("Accept-Encoding") {
		for part := range strings.SplitSeq(v, ",") {
			coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
			verdict := 1
			if zeroQuality(params) {
				verdict = -1
			}
			switch strings.ToLower(strings.TrimSpace(coding)) {
			case "gzip", "x-gzip":
				named = verdict
			case "*":
				star = verdict
			}
		}
	}
	if named != 0 {
		return named > 0 // a coding named outright overrides "*"
	}
	return star > 0
}

func zeroQuality(params string) bool {
	for p := range strings.SplitSeq(params, ";") {
		name, val, ok := strings.Cut(strings.TrimSpace(p), "=")
		if ok && strings.EqualFold(strings.TrimSpace(name), "q") {
			q, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
			return err == nil && q == 0
		}
	}
	return false
}
