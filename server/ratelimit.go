package server

import (
	"time"

	"github.com/labstack/echo/v4/middleware"
	"golang.org/x/time/rate"
)

// loginLimiter bounds password guesses per client address: a burst of
// loginBurst attempts, then one every loginEvery. Echo's memory store keeps a
// token bucket per address and forgets idle ones.
type loginLimiter struct {
	store *middleware.RateLimiterMemoryStore
}

const (
	loginBurst = 10
	loginEvery = 6 * time.Second
)

func newLoginLimiter() *loginLimiter { return newLoginLimiterEvery(loginEvery) }

func newLoginLimiterEvery(every time.Duration) *loginLimiter {
	return &loginLimiter{store: middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
		Rate:      rate.Every(every),
		Burst:     loginBurst,
		ExpiresIn: 15 * time.Minute,
	})}
}

// allow takes one attempt from ip's bucket and reports whether one was left.
func (l *loginLimiter) allow(ip string) bool {
	ok, err := l.store.Allow(ip)
	return ok && err == nil
}
