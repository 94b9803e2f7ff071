package server

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/labstack/echo/v4"
	"golang.org/x/oauth2"

	"github.com/archmap/archmap/store"
	"github.com/archmap/archmap/views"
)

// Single sign-on: the authorization code flow of OpenID Connect, with
// PKCE (S256), state and nonce.
//
//  1. GET /auth/oidc/start (the button on /login) makes a random seed, keeps it in a short-lived HttpOnly,
//     SameSite=Lax cookie scoped to /auth/oidc, and redirects to the
//     provider with the state, nonce and PKCE challenge derived from it.
//  2. The provider sends the browser back to GET /auth/oidc/callback with
//     the state and a code. The cookie is cleared whatever happens (one
//     flow, one try); the state must equal the one derived from the
//     browser's seed, so a callback this browser did not start is refused
//     before anything reaches the provider.
//  3. The code is exchanged with the PKCE verifier (the provider refuses a
//     code used before, or one issued for another flow), the ID token is
//     verified by go-oidc (signature, issuer, audience, expiry) and its
//     nonce must be the browser's.
//  4. The email must be verified by the provider. The account is found by
//     the identity (issuer, subject), else by email, else made
//     (store.SignInOIDC), and signed in by startSession, as a password
//     sign-in is.
//
// Nothing of the flow is stored on the server: the seed is the only
// secret, it lives in the browser that started the flow, and the values
// sent to the provider are HMACs of it that do not reveal it.

const (
	oidcCookie     = "archmap_oidc"
	oidcCookiePath = "/auth/oidc"
	oidcFlowTTL    = 10 * time.Minute
	oidcSeedLen    = 32
)

// oidcFlow is one sign-in in progress, derived from the browser's seed.
type oidcFlow struct {
	state, nonce, verifier string
	next                   string // where to go once signed in (safeNext)
}

func newOIDCFlow(seed []byte, next string) oidcFlow {
	derive := func(label string) string {
		m := hmac.New(sha256.New, seed)
		m.Write([]byte("archmap oidc " + label))
		return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
	}
	// The verifier is 43 characters of base64url: the shortest PKCE allows,
	// 256 bits.
	return oidcFlow{state: derive("state"), nonce: derive("nonce"), verifier: derive("pkce verifier"), next: safeNext(next)}
}

// cookieValue is "seed.next", both base64url.
func oidcCookieValue(seed []byte, next string) string {
	return base64.RawURLEncoding.EncodeToString(seed) + "." + base64.RawURLEncoding.EncodeToString([]byte(next))
}

// readOIDCFlow recovers the flow of the browser's cookie; false when there
// is none or it is malformed.
func readOIDCFlow(c echo.Context) (oidcFlow, bool) {
	ck, err := c.Cookie(oidcCookie)
	if err != nil {
		return oidcFlow{}, false
	}
	seedPart, nextPart, ok := strings.Cut(ck.Value, ".")
	if !ok {
		return oidcFlow{}, false
	}
	seed, err := base64.RawURLEncoding.DecodeString(seedPart)
	if err != nil || len(seed) != oidcSeedLen {
		return oidcFlow{}, false
	}
	next, err := base64.RawURLEncoding.DecodeString(nextPart)
	if err != nil {
		return oidcFlow{}, false
	}
	return newOIDCFlow(seed, string(next)), true
}

func (s *Server) setOIDCCookie(c echo.Context, value string, maxAge int) {
	c.SetCookie(&http.Cookie{
		Name:     oidcCookie,
		Value:    value,
		Path:     oidcCookiePath,
		MaxAge:   maxAge,
		HttpOnly: true,
		Secure:   s.secure(c),
		// Lax: the provider's redirect back is a top-level GET from its
		// site, which must carry the cookie; Strict would drop it.
		SameSite: http.SameSiteLaxMode,
	})
}

// handleOIDCStart sends the browser to the provider.
func (s *Server) handleOIDCStart(c echo.Context) error {
	if s.oidc == nil {
		return echo.ErrNotFound
	}
	if currentUser(c) != nil {
		return redirect(c, safeNext(c.QueryParam("next")))
	}
	_, _, oc, err := s.oidc.discover(c.Request().Context())
	if err != nil {
		s.log.Error("single sign-on: the provider cannot be reached", "err", err)
		return s.oidcFailed(c, http.StatusServiceUnavailable, "The sign-in provider cannot be reached. Try again in a moment.")
	}
	seed := make([]byte, oidcSeedLen)
	if _, err := rand.Read(seed); err != nil {
		return err
	}
	flow := newOIDCFlow(seed, c.QueryParam("next"))
	s.setOIDCCookie(c, oidcCookieValue(seed, flow.next), int(oidcFlowTTL/time.Second))
	return redirect(c, oc.AuthCodeURL(flow.state, oidc.Nonce(flow.nonce), oauth2.S256ChallengeOption(flow.verifier)))
}

// oidcRefusal is a callback that signs nobody in: what the user is told,
// and the reason for the log and the audit.
type oidcRefusal struct {
	status int
	msg    string
	reason string
}

const msgStartAgain = "This sign-in was not started in this browser, or took too long. Start again from the sign-in page."

// handleOIDCCallback finishes the flow handleOIDCStart began.
func (s *Server) handleOIDCCallback(c echo.Context) error {
	if s.oidc == nil {
		return echo.ErrNotFound
	}
	flow, ok := readOIDCFlow(c)
	// One flow, one try: the cookie goes whatever the outcome, so a
	// replayed callback URL finds no state to match.
	s.setOIDCCookie(c, "", -1)
	if !ok {
		return s.refuseStrayOIDC(c, "no sign-in in progress in this browser")
	}
	q := c.QueryParams()
	if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(flow.state)) != 1 {
		return s.refuseStrayOIDC(c, "state does not match")
	}
	if e := q.Get("error"); e != "" {
		// The provider's description is its text, not ours: logged, not shown.
		return s.refuseOIDC(c, "", oidcRefusal{http.StatusUnauthorized, "The sign-in provider did not sign you in (" + providerError(e) + ").",
			"provider error " + e + ": " + q.Get("error_description")})
	}
	code := q.Get("code")
	if code == "" {
		return s.refuseOIDC(c, "", oidcRefusal{http.StatusBadRequest, msgStartAgain, "no code"})
	}
	id, refusal := s.oidcIdentity(c.Request().Context(), code, flow)
	if refusal != nil {
		return s.refuseOIDC(c, id.Email, *refusal)
	}
	u, out, err := s.db.SignInOIDC(c.Request().Context(), id)
	if err != nil {
		return err
	}
	if msg := signInRefused(u); msg != "" {
		return s.refuseOIDC(c, u.Email, oidcRefusal{http.StatusForbidden, msg, "account may not sign in"})
	}
	if err := s.startSession(c, u); err != nil {
		return err
	}
	s.noteOIDCSignIn(c, u, out)
	return redirect(c, flow.next)
}

// oidcIdentity exchanges the code and reads who the provider vouches for.
func (s *Server) oidcIdentity(ctx context.Context, code string, flow oidcFlow) (store.OIDCSignIn, *oidcRefusal) {
	var id store.OIDCSignIn
	provider, verifier, oc, err := s.oidc.discover(ctx)
	if err != nil {
		s.log.Error("single sign-on: the provider cannot be reached", "err", err)
		return id, &oidcRefusal{http.StatusServiceUnavailable, "The sign-in provider cannot be reached. Try again in a moment.", "discovery failed"}
	}
	ctx, cancel := context.WithTimeout(s.oidc.ctx(ctx), 20*time.Second)
	defer cancel()
	tok, err := oc.Exchange(ctx, code, oauth2.VerifierOption(flow.verifier))
	if err != nil {
		return id, &oidcRefusal{http.StatusUnauthorized, "The sign-in provider did not accept this sign-in (each one works once). Start again from the sign-in page.",
			"code exchange refused: " + err.Error()}
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok || raw == "" {
		return id, &oidcRefusal{http.StatusUnauthorized, "The sign-in provider sent no ID token.", "no id_token in the token response"}
	}
	idt, err := verifier.Verify(ctx, raw)
	if err != nil {
		return id, &oidcRefusal{http.StatusUnauthorized, "The sign-in provider's answer could not be verified.", "ID token refused: " + err.Error()}
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(flow.nonce)) != 1 {
		return id, &oidcRefusal{http.StatusUnauthorized, "The sign-in provider's answer belongs to another sign-in. Start again from the sign-in page.", "nonce does not match"}
	}
	id.Issuer, id.Subject = idt.Issuer, idt.Subject
	claims := map[string]json.RawMessage{}
	if err := idt.Claims(&claims); err != nil {
		return id, &oidcRefusal{http.StatusUnauthorized, "The sign-in provider's answer could not be read.", "ID token claims: " + err.Error()}
	}
	// Providers that keep the email out of the ID token (it is optional
	// there) give it at the userinfo endpoint, for the same subject.
	if _, ok := claims["email"]; !ok {
		ui, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
		if err != nil {
			return id, &oidcRefusal{http.StatusUnauthorized, "The sign-in provider did not tell your email address.", "userinfo: " + err.Error()}
		}
		if ui.Subject != idt.Subject {
			return id, &oidcRefusal{http.StatusUnauthorized, "The sign-in provider's answer could not be verified.", "userinfo subject differs from the ID token's"}
		}
		more := map[string]json.RawMessage{}
		if err := ui.Claims(&more); err != nil {
			return id, &oidcRefusal{http.StatusUnauthorized, "The sign-in provider's answer could not be read.", "userinfo claims: " + err.Error()}
		}
		for k, v := range more {
			if _, ok := claims[k]; !ok || k == "email" || k == "email_verified" {
				claims[k] = v
			}
		}
	}
	var email string
	_ = json.Unmarshal(claims["email"], &email)
	id.Email = email
	if email == "" {
		return id, &oidcRefusal{http.StatusUnauthorized, "The sign-in provider did not tell your email address (ask for the email scope).", "no email claim"}
	}
	if !claimTrue(claims["email_verified"]) {
		return id, &oidcRefusal{http.StatusForbidden, "Your email address is not verified at the sign-in provider. Verify it there, then sign in again.", "email not verified"}
	}
	if !s.oidc.cfg.domainAllowed(email) {
		return id, &oidcRefusal{http.StatusForbidden, "Accounts of your email domain may not sign in here.", "email domain not allowed"}
	}
	if g := s.oidc.cfg.AdminGroup; g != "" {
		admin := claimHas(claims[s.oidc.cfg.groupsClaim()], g)
		id.Admin = &admin
	}
	return id, nil
}

// claimTrue reads a boolean claim; some providers send "true" as a string.
func claimTrue(raw json.RawMessage) bool {
	var b bool
	if json.Unmarshal(raw, &b) == nil {
		return b
	}
	var s string
	return json.Unmarshal(raw, &s) == nil && s == "true"
}

// claimHas reports whether a claim, a list of strings or one string, holds v.
func claimHas(raw json.RawMessage, v string) bool {
	var list []string
	if json.Unmarshal(raw, &list) == nil {
		for _, x := range list {
			if x == v {
				return true
			}
		}
		return false
	}
	var one string
	return json.Unmarshal(raw, &one) == nil && one == v
}

// providerError names the standard error codes a user may meet; others
// are shown as a code only.
func providerError(code string) string {
	switch code {
	case "access_denied":
		return "access denied"
	case "login_required", "interaction_required", "consent_required":
		return "you need to sign in at the provider first"
	case "temporarily_unavailable", "server_error":
		return "the provider had a problem; try again"
	}
	return "error " + strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r == '_' {
			return r
		}
		return -1
	}, code)
}

// refuseOIDC renders the failure page and records the failure. No session
// is made; the session the browser had, if any, is left as it was.
func (s *Server) refuseOIDC(c echo.Context, email string, r oidcRefusal) error {
	s.log.Warn("single sign-on refused", "reason", r.reason, "email", email, "ip", c.RealIP())
	s.noteOIDCFailure(c, email, r.reason)
	return s.oidcFailed(c, r.status, r.msg)
}

// refuseStrayOIDC refuses a callback this browser did not start. Anyone
// can send those, as many as they like, for free: past a budget per
// address they are no longer written to the audit log (only to the
// server log), so that they cannot flood it.
func (s *Server) refuseStrayOIDC(c echo.Context, reason string) error {
	if s.oidc.strays.allow(c.RealIP()) {
		return s.refuseOIDC(c, "", oidcRefusal{http.StatusBadRequest, msgStartAgain, reason})
	}
	s.log.Warn("single sign-on refused (not audited: too many from the address)", "reason", reason, "ip", c.RealIP())
	return s.oidcFailed(c, http.StatusBadRequest, msgStartAgain)
}

func (s *Server) oidcFailed(c echo.Context, status int, msg string) error {
	return render(c, status, views.Layout(s.page(c, "Sign-in failed"), views.SignInFailedPage(msg)))
}

// signInRefused is the one place every sign-in path asks whether an
// account may sign in; it says why not, or "".
func signInRefused(u *store.User) string {
	if u.Disabled() {
		return "This account is disabled. Ask an administrator to enable it."
	}
	return ""
}

// noteOIDCSignIn records a sign-in and what it changed, as done by the
// user just signed in.
func (s *Server) noteOIDCSignIn(c echo.Context, u *store.User, out store.OIDCOutcome) {
	cfg := s.oidc.cfg
	switch {
	case out.Created:
		s.audit(c, store.AuditUserCreate, u.Email, "at the first single sign-on")
	case out.Linked:
		s.audit(c, store.AuditSSOLink, u.Email, "single sign-on identity linked by verified email")
	}
	switch {
	case out.AdminChanged && u.Admin:
		s.audit(c, store.AuditAdminSync, u.Email, "made admin: in the group "+cfg.AdminGroup)
	case out.AdminChanged:
		s.audit(c, store.AuditAdminSync, u.Email, "no longer admin: not in the group "+cfg.AdminGroup)
	case out.AdminKept:
		s.audit(c, store.AuditAdminSync, u.Email, "kept admin though not in the group "+cfg.AdminGroup+": the last admin")
	}
	s.audit(c, store.AuditSignIn, u.Email, "single sign-on")
}

func (s *Server) noteOIDCFailure(c echo.Context, email, reason string) {
	s.audit(c, store.AuditSignInFailed, email, "single sign-on: "+reason)
}
