package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/auth"
	"github.com/archmap/archmap/store"
	"github.com/archmap/archmap/topology"
	"github.com/archmap/archmap/views"
)

// A one-time password link (/password/{token}) lets its holder set the
// password of one account, once, before it expires: a new account's first
// password or a reset an admin made. Setting it ends the account's
// sessions and signs the holder in with a new one.

// passwordLink finds the link of the request; every unusable link is the
// same 404.
func (s *Server) passwordLink(c echo.Context) (*store.PasswordLink, []byte, error) {
	// The address holds a secret: it must not leave in a Referer.
	c.Response().Header().Set("Referrer-Policy", "no-referrer")
	token := c.Param("token")
	if !auth.WellFormed(token) {
		return nil, nil, topology.Errorf(topology.ENOTFOUND, "This link does not work: it was used already, it expired, or it never existed. Ask an administrator for a new one.")
	}
	hash := auth.HashSecret(token)
	l, err := s.db.GetPasswordLink(c.Request().Context(), hash)
	return l, hash, err
}

func (s *Server) handlePasswordLinkShow(c echo.Context) error {
	l, _, err := s.passwordLink(c)
	if err != nil {
		return err
	}
	return s.renderPasswordLink(c, http.StatusOK, l, &views.Form{})
}

func (s *Server) handlePasswordLinkSet(c echo.Context) error {
	l, hash, err := s.passwordLink(c)
	if err != nil {
		return err
	}
	f := &views.Form{Errors: map[string]string{}}
	pw := c.FormValue("password")
	if newPasswordProblem(f, pw, c.FormValue("confirm")) {
		return s.renderPasswordLink(c, http.StatusUnprocessableEntity, l, f)
	}
	ctx := c.Request().Context()
	pwHash, err := s.hashPassword(ctx, pw)
	if err != nil {
		return err
	}
	u, err := s.db.UsePasswordLink(ctx, hash, pwHash)
	if err != nil {
		return err
	}
	if err := s.startSession(c, u); err != nil {
		return err
	}
	s.audit(c, store.AuditPasswordSet, u.Email, l.Purpose)
	return redirect(c, "/")
}

// newPasswordProblem puts on f what is wrong with a new password and its
// confirmation, and says whether anything is.
func newPasswordProblem(f *views.Form, pw, confirm string) bool {
	if msg := auth.CheckPasswordRules(pw); msg != "" {
		f.Errors["password"] = "The password " + msg + "."
	} else if pw != confirm {
		f.Errors["confirm"] = "The two passwords differ."
	}
	return f.HasErrors()
}

func (s *Server) renderPasswordLink(c echo.Context, status int, l *store.PasswordLink, f *views.Form) error {
	p := s.page(c, "Set your password")
	d := &views.PasswordLinkData{Email: l.User.Email, Invite: l.Purpose == store.PurposeInvite, Token: c.Param("token"), Form: f}
	return render(c, status, views.Layout(p, views.PasswordLinkPage(p, d)))
}
