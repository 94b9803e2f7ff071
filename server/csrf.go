package server

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/auth"
	"github.com/archmap/archmap/topology"
)

// CSRF: every state-changing browser request carries a token, as the form
// field _csrf or (htmx) the header X-CSRF-Token, and the token must be the
// one of the browser's session.
//
//   - Signed in, the token is derived from the session's secret
//     (HMAC-SHA256 keyed by it): it is bound to that session, changes at every
//     sign-in with the session id, and survives a restart with the session,
//     with nothing more stored. The session secret cannot be recovered from
//     the token, which pages show.
//   - Signed out (the sign-in and setup forms), the token is a random value
//     in its own SameSite=Strict cookie (double submit), so that a login form
//     cannot be posted from another site either.
//
// Besides the token, a request a browser marks as cross-site
// (Sec-Fetch-Site, or an Origin that is not ours) is refused by
// net/http's CrossOriginProtection, so a leaked token is not enough from
// another site.
//
// Echo's CSRF middleware keeps one double-submit cookie for the browser's
// whole life, signed in or not, and lets browsers that send Sec-Fetch-Site
// through without a token; it cannot bind the token to the session.

const (
	csrfContextKey = "csrf"
	csrfCookie     = "archmap_csrf"
	// sessionSecretKey holds the session cookie's value once loadSession
	// has found its session, for the token derived from it.
	sessionSecretKey = "session.secret"
)

// sessionCSRFToken is the CSRF token of the session whose secret is given.
func sessionCSRFToken(secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("archmap csrf token v1"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (s *Server) csrf(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		token, err := s.csrfTokenFor(c)
		if err != nil {
			return err
		}
		c.Set(csrfContextKey, token)
		r := c.Request()
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
			return next(c)
		}
		sent := r.Header.Get("X-CSRF-Token")
		if sent == "" {
			sent = c.FormValue("_csrf")
		}
		if s.crossOrigin.Check(r) != nil || sent == "" || !csrfMatches(sent, token) {
			return topology.Errorf(topology.EFORBIDDEN, "This form has expired or was sent from another site. Reload the page and try again.")
		}
		return next(c)
	}
}

// csrfTokenFor is the token the request must carry: its session's, or
// when signed out its browser's (the cookie, made here when missing).
func (s *Server) csrfTokenFor(c echo.Context) (string, error) {
	if secret, ok := c.Get(sessionSecretKey).(string); ok {
		return sessionCSRFToken(secret), nil
	}
	if ck, err := c.Cookie(csrfCookie); err == nil && auth.WellFormed(ck.Value) {
		return ck.Value, nil
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	token := base64.RawURLEncoding.EncodeToString(b)
	c.SetCookie(&http.Cookie{
		Name:     csrfCookie,
		Value:    token,
		Path:     "/",
		HttpOnly: true,
		Secure:   s.secure(c),
		SameSite: http.SameSiteStrictMode,
	})
	return token, nil
}
