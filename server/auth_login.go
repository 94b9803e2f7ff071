package server

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/store"
	"github.com/archmap/archmap/topology"
	"github.com/archmap/archmap/views"
)

func (s *Server) handleLoginShow(c echo.Context) error {
	if currentUser(c) != nil {
		return redirect(c, safeNext(c.QueryParam("next")))
	}
	f := &views.Form{Values: map[string]string{"next": safeNext(c.QueryParam("next"))}}
	return render(c, http.StatusOK, views.Layout(s.page(c, "Sign in"), views.LoginPage(s.page(c, ""), f, s.signInOptions())))
}

// signInOptions are the ways of signing in the login page offers.
func (s *Server) signInOptions() views.SignInOptions {
	o := views.SignInOptions{Password: !s.cfg.NoPasswordSignIn}
	if s.oidc != nil {
		o.SSO = s.oidc.cfg.buttonName()
	}
	return o
}

// handleLogin checks email and password and starts a new session. Attempts
// are rate-limited per client address (this node's hashing work), and
// failures are throttled per account and address across nodes
// (signin_throttle.go); an unknown email costs as much time as a wrong
// password and gets the same answer, throttling included.
func (s *Server) handleLogin(c echo.Context) error {
	ctx := c.Request().Context()
	email := strings.TrimSpace(c.FormValue("email"))
	addr := c.RealIP()
	f := &views.Form{Values: map[string]string{"email": email, "next": safeNext(c.FormValue("next"))}}
	again := func(status int, msg string) error {
		f.General = []string{msg}
		return render(c, status, views.Layout(s.page(c, "Sign in"), views.LoginPage(s.page(c, ""), f, s.signInOptions())))
	}
	if s.cfg.NoPasswordSignIn {
		// Refused before any password is looked at: no guessing either.
		s.audit(c, store.AuditSignInFailed, email, "password sign-in is off")
		return again(http.StatusForbidden, "Password sign-in is turned off on this server. Sign in with "+s.oidc.cfg.buttonName()+".")
	}
	if !s.logins.allow(addr) {
		s.audit(c, store.AuditSignInFailed, email, "too many attempts from the address")
		return again(http.StatusTooManyRequests, "Too many sign-in attempts from your address. Wait a minute, then try again.")
	}
	verdict, err := s.throttle.attempt(ctx, email, addr)
	if err != nil {
		return err
	}
	if verdict.Wait > 0 {
		setThrottled(c, verdict.Wait)
		s.audit(c, store.AuditSignInFailed, email, "throttled: "+verdict.Message)
		return again(http.StatusTooManyRequests, verdict.Message)
	}
	u, err := s.db.GetUserByEmail(ctx, email)
	var hash []byte // none: checked all the same, so unknown emails take as long
	switch {
	case err == nil && len(u.PasswordHash) > 0: // empty: invited, no password set yet
		hash = u.PasswordHash
	case err != nil && topology.ErrorCode(err) != topology.ENOTFOUND:
		return err
	}
	ok, err := s.checkPassword(ctx, hash, c.FormValue("password"))
	if err != nil {
		return err
	}
	if !ok || hash == nil {
		s.audit(c, store.AuditSignInFailed, email, "wrong email or password")
		return again(http.StatusUnauthorized, "Wrong email or password.")
	}
	// Said only to whoever knows the password.
	if msg := signInRefused(u); msg != "" {
		s.audit(c, store.AuditSignInFailed, email, msg)
		return again(http.StatusForbidden, msg)
	}
	if err := s.throttle.succeeded(ctx, email, addr); err != nil {
		return err
	}
	if err := s.startSession(c, u); err != nil {
		return err
	}
	s.audit(c, store.AuditSignIn, u.Email, "password")
	return redirect(c, f.Values["next"])
}

func (s *Server) handleLogout(c echo.Context) error {
	if err := s.endSession(c); err != nil {
		return err
	}
	return redirect(c, "/login")
}

// safeNext returns next when it is a path on this site, else "/": the login
// form must not become an open redirect.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.Contains(next, `\`) {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return "/"
	}
	return u.RequestURI()
}

// hashPassword and checkPassword run argon2id under a semaphore: each hash
// takes 64 MiB, so a flood of logins must queue rather than exhaust memory.
// A nil hash is an account that does not exist (see auth.Hasher.Verify).
func (s *Server) hashPassword(ctx context.Context, pw string) ([]byte, error) {
	if err := s.acquireHashing(ctx); err != nil {
		return nil, err
	}
	defer func() { <-s.hashing }()
	return s.cfg.Passwords.Hash(pw)
}

func (s *Server) checkPassword(ctx context.Context, hash []byte, pw string) (bool, error) {
	if err := s.acquireHashing(ctx); err != nil {
		return false, err
	}
	defer func() { <-s.hashing }()
	return s.cfg.Passwords.Verify(hash, pw)
}

func (s *Server) acquireHashing(ctx context.Context) error {
	select {
	case s.hashing <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
