package server

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/auth"
	"github.com/archmap/archmap/store"
	"github.com/archmap/archmap/topology"
)

// A session is a random id (an auth secret) in an HttpOnly cookie; the
// database holds only its hash, so a leaked database file signs nobody in.
const (
	sessionCookie = "archmap_session"
	sessionTTL    = 30 * 24 * time.Hour
	userKey       = "user"
)

// loadSession puts the signed-in user, if any, into the context. An unknown
// or expired session id just means "signed out": its cookie is cleared.
func (s *Server) loadSession(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ck, err := c.Cookie(sessionCookie)
		if err != nil || ck.Value == "" {
			return next(c)
		}
		u, err := s.db.GetSessionUser(c.Request().Context(), auth.HashSecret(ck.Value))
		switch {
		case topology.ErrorCode(err) == topology.ENOTFOUND:
			s.clearSessionCookie(c)
		case err != nil:
			return err
		default:
			c.Set(sessionSecretKey, ck.Value)
			attributeChanges(c, u, u.Email)
		}
		return next(c)
	}
}

// currentUser returns the signed-in user or nil.
func currentUser(c echo.Context) *store.User {
	u, _ := c.Get(userKey).(*store.User)
	return u
}

// startSession signs u in with a fresh session id. Any session the browser
// held before is deleted, so an id planted before login is worthless after it.
func (s *Server) startSession(c echo.Context, u *store.User) error {
	ctx := c.Request().Context()
	if old, err := c.Cookie(sessionCookie); err == nil && old.Value != "" {
		if err := s.db.DeleteSession(ctx, auth.HashSecret(old.Value)); err != nil {
			return err
		}
	}
	secret, hash, err := auth.NewSecret()
	if err != nil {
		return err
	}
	expires := time.Now().Add(sessionTTL)
	if err := s.db.CreateSession(ctx, u.ID, hash, expires); err != nil {
		return err
	}
	c.SetCookie(&http.Cookie{
		Name:     sessionCookie,
		Value:    secret,
		Path:     "/",
		Expires:  expires,
		MaxAge:   int(sessionTTL / time.Second),
		HttpOnly: true,
		Secure:   s.secure(c),
		SameSite: http.SameSiteLaxMode,
	})
	c.Set(userKey, u)
	// The CSRF token changes with the session: one learnt before sign-in
	// (or planted in the sign-in form) is worthless after it.
	c.Set(sessionSecretKey, secret)
	c.Set(csrfContextKey, sessionCSRFToken(secret))
	return nil
}

// endSession deletes the browser's session and its cookie.
func (s *Server) endSession(c echo.Context) error {
	if ck, err := c.Cookie(sessionCookie); err == nil && ck.Value != "" {
		if err := s.db.DeleteSession(c.Request().Context(), auth.HashSecret(ck.Value)); err != nil {
			return err
		}
	}
	s.clearSessionCookie(c)
	return nil
}

func (s *Server) clearSessionCookie(c echo.Context) {
	c.SetCookie(&http.Cookie{
		Name:     sessionCookie,
		Value:    "",
		Path:     "/",
		MaxAge:   -1,
		HttpOnly: true,
		Secure:   s.secure(c),
		SameSite: http.SameSiteLaxMode,
	})
}
