package server

import (
	"net/http"
	"net/mail"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/auth"
	"github.com/archmap/archmap/store"
	"github.com/archmap/archmap/views"
)

func (s *Server) handleSetupShow(c echo.Context) error {
	need, err := s.needsSetup(c.Request().Context())
	if err != nil {
		return err
	}
	if !need {
		return redirect(c, "/login")
	}
	// The public address defaults to --base-url, else to the origin this
	// request came to (which the page's script replaces by the browser's).
	base := s.cfg.BaseURL
	if base == "" {
		base = s.requestOrigin(c)
	}
	f := &views.Form{Values: map[string]string{"base_url": strings.TrimRight(base, "/")}}
	return render(c, http.StatusOK, views.Layout(s.page(c, "Set up"), views.SetupPage(s.page(c, ""), f)))
}

// handleSetupCreate creates the first account (an administrator) and signs
// it in. Once any account exists, /setup only redirects.
func (s *Server) handleSetupCreate(c echo.Context) error {
	ctx := c.Request().Context()
	need, err := s.needsSetup(ctx)
	if err != nil {
		return err
	}
	if !need {
		return redirect(c, "/login")
	}
	f := &views.Form{Values: map[string]string{
		"email":    strings.TrimSpace(c.FormValue("email")),
		"base_url": strings.TrimSpace(c.FormValue("base_url")),
	}, Errors: map[string]string{}}
	pw, confirm := c.FormValue("password"), c.FormValue("confirm")
	if msg := checkEmail(f.Values["email"]); msg != "" {
		f.Errors["email"] = msg
	}
	if msg := auth.CheckPasswordRules(pw); msg != "" {
		f.Errors["password"] = "The password " + msg + "."
	} else if pw != confirm {
		f.Errors["confirm"] = "The two passwords differ."
	}
	base, msg := CheckBaseURL(f.Values["base_url"])
	if msg != "" {
		f.Errors["base_url"] = msg
	}
	if f.HasErrors() {
		return render(c, http.StatusUnprocessableEntity, views.Layout(s.page(c, "Set up"), views.SetupPage(s.page(c, ""), f)))
	}
	hash, err := s.hashPassword(ctx, pw)
	if err != nil {
		return err
	}
	u, err := s.db.CreateFirstUser(ctx, f.Values["email"], hash)
	if err != nil {
		return err
	}
	s.hasUsers.Store(true)
	if err := s.db.SetInstanceSetting(ctx, store.InstanceBaseURL, base); err != nil {
		return err
	}
	s.rememberBaseURL(base)
	if err := s.startSession(c, u); err != nil {
		return err
	}
	s.audit(c, store.AuditSetup, u.Email, "first administrator")
	return redirect(c, "/")
}

// checkEmail returns why s is not a usable email address, or "".
func checkEmail(s string) string {
	if s == "" {
		return "Enter your email address."
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || len(s) > 254 {
		return "Enter an email address like name@example.com."
	}
	return ""
}
