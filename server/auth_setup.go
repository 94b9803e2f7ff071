package server

import (
	"net/http"
	"net/mail"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/auth"
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
	return render(c, http.StatusOK, views.Layout(s.page(c, "Set up"), views.SetupPage(s.page(c, ""), &views.Form{})))
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
	f := &views.Form{Values: map[string]string{"email": strings.TrimSpace(c.FormValue("email"))}, Errors: map[string]string{}}
	pw, confirm := c.FormValue("password"), c.FormValue("confirm")
	if msg := checkEmail(f.Values["email"]); msg != "" {
		f.Errors["email"] = msg
	}
	if msg := auth.CheckPasswordRules(pw); msg != "" {
		f.Errors["password"] = "The password " + msg + "."
	} else if pw != confirm {
		f.Errors["confirm"] = "The two passwords differ."
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
	if err := s.startSession(c, u); err != nil {
		return err
	}
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
