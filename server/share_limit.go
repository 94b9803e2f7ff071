package server

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// failureLimiter bounds how many failed share-token lookups one client
// address may make: a burst, then one per interval. Only failures take from
// the bucket and only failures are refused when it is empty, so a visitor
// with a good link is never slowed, whoever shares the address.
type failureLimiter struct {
	every time.Duration
	burst int

	mu      sync.Mutex
	clients map[string]*failureBucket
	swept   time.Time
}

type failureBucket struct {
	lim  *rate.Limiter
	seen time.Time
}

const (
	shareFailureBurst = 20
	shareFailureEvery = 3 * time.Second
	// A bucket idle this long is full again anyway; it is dropped.
	failureIdle = 30 * time.Minute
)

func newFailureLimiter(burst int, every time.Duration) *failureLimiter {
	return &failureLimiter{every: every, burst: burst, clients: map[string]*failureBucket{}}
}

// blocked reports whether ip has used up its failures for now.
func (l *failureLimiter) blocked(ip string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.clients[ip]
	return b != nil && b.lim.TokensAt(now) < 1
}

// fail records a failed lookup by ip.
func (l *failureLimiter) fail(ip string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > failureIdle {
		for k, b := range l.clients {
			if now.Sub(b.seen) > failureIdle {
				delete(l.clients, k)
			}
		}
		l.swept = now
	}
	b := l.clients[ip]
	if b == nil {
		b = &failureBucket{lim: rate.NewLimiter(rate.Every(l.every), l.burst)}
		l.clients[ip] = b
	}
	b.seen = now
	b.lim.AllowN(now, 1)
}
