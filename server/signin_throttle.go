package server

import (
	"context"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/auth"
	"github.com/archmap/archmap/store"
)

// signInGuard applies auth.Throttle to password checks — sign-ins, and the
// current password on the account page — with the failures counted in the
// database so that every node sees the same ones (the loginLimiter in
// front of it only bounds one node's hashing work).
type signInGuard struct {
	db     *store.DB
	policy auth.Throttle
	now    func() time.Time // tests move it past a lockout
}

func newSignInGuard(db *store.DB) *signInGuard {
	return &signInGuard{db: db, policy: auth.DefaultThrottle(), now: time.Now}
}

func (g *signInGuard) window() store.SignInWindow {
	now := g.now()
	return store.SignInWindow{Now: now, Since: now.Add(-g.policy.Window), KnownSince: now.Add(-g.policy.KnownFor)}
}

// attempt decides whether a password for email may be checked now from
// address. When it may, the attempt is already counted as a failure, and
// succeeded takes it back; when not, the verdict says for how long and
// nothing is counted, so a lockout ends on time whatever an attacker keeps
// sending.
func (g *signInGuard) attempt(ctx context.Context, email, address string) (auth.Verdict, error) {
	w := g.window()
	var v auth.Verdict
	_, _, err := g.db.AttemptSignIn(ctx, email, address, w, func(c store.SignInCounts) bool {
		v = g.policy.Check(auth.Failures(c), w.Now)
		return v.Wait <= 0
	})
	return v, err
}

func (g *signInGuard) succeeded(ctx context.Context, email, address string) error {
	return g.db.RecordSignIn(ctx, email, address, g.window())
}

// setThrottled tells a throttled client when to come back (whole seconds,
// rounded up).
func setThrottled(c echo.Context, wait time.Duration) {
	c.Response().Header().Set("Retry-After", strconv.Itoa(int((wait+time.Second-1)/time.Second)))
}
