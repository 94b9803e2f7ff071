package server

import (
	"context"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/auth"
	"github.com/archmap/archmap/store"
)

// signInGuard applies auth.Throttle to password sign-ins, with the failures
// counted in the database so that every node sees the same ones (the
// loginLimiter in front of it only bounds one node's hashing work).
type signInGuard struct {
	db     *store.DB
	policy auth.Throttle
	now    func() time.Time // tests move it past a lockout
}

func newSignInGuard(db *store.DB) *signInGuard {
	return &signInGuard{db: db, policy: auth.DefaultThrottle(), now: time.Now}
}

// check decides whether a sign-in for email from address may be tried now.
func (g *signInGuard) check(ctx context.Context, email, address string) (auth.Verdict, error) {
	now := g.now()
	c, err := g.db.SignInFailures(ctx, email, address, now.Add(-g.policy.Window), now.Add(-g.policy.KnownFor))
	if err != nil {
		return auth.Verdict{}, err
	}
	return g.policy.Check(auth.Failures(c), now), nil
}

func (g *signInGuard) failed(ctx context.Context, email, address string) error {
	now := g.now()
	return g.db.RecordSignInFailure(ctx, email, address, now, now.Add(-g.policy.Window))
}

func (g *signInGuard) succeeded(ctx context.Context, email, address string) error {
	now := g.now()
	return g.db.RecordSignIn(ctx, email, address, now, now.Add(-g.policy.KnownFor))
}

// setThrottled tells a throttled client when to come back (whole seconds,
// rounded up).
func setThrottled(c echo.Context, wait time.Duration) {
	c.Response().Header().Set("Retry-After", strconv.Itoa(int((wait+time.Second-1)/time.Second)))
}
