package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/auth"
	"github.com/archmap/archmap/store"
	"github.com/archmap/archmap/views"
)

// handlePasswordChange changes the signed-in user's password. The current
// one is asked for, so that a browser left signed in does not let anyone
// take the account; every other session of the account ends, this one
// stays.
func (s *Server) handlePasswordChange(c echo.Context) error {
	ctx := c.Request().Context()
	u := currentUser(c)
	f := &views.Form{Errors: map[string]string{}}
	again := func(status int) error {
		return s.renderAccount(c, status, &views.AccountData{Form: newForm(c), Password: &views.AccountPasswordData{Form: f}})
	}
	// Each check of the current password costs a hash and is a guess
	// (by whoever found the browser signed in): bounded and throttled like
	// sign-ins, and counted with them.
	addr := c.RealIP()
	if !s.logins.allow(addr) {
		f.General = []string{"Too many attempts from your address. Wait a minute, then try again."}
		return again(http.StatusTooManyRequests)
	}
	verdict, err := s.throttle.attempt(ctx, u.Email, addr)
	if err != nil {
		return err
	}
	if verdict.Wait > 0 {
		setThrottled(c, verdict.Wait)
		f.General = []string{verdict.Message}
		return again(http.StatusTooManyRequests)
	}
	ok, err := s.checkPassword(ctx, u.PasswordHash, c.FormValue("current"))
	if err != nil {
		return err
	}
	if !ok {
		f.Errors["current"] = "This is not your current password."
		return again(http.StatusUnprocessableEntity)
	}
	if err := s.throttle.succeeded(ctx, u.Email, addr); err != nil {
		return err
	}
	pw := c.FormValue("password")
	if newPasswordProblem(f, pw, c.FormValue("confirm")) {
		return again(http.StatusUnprocessableEntity)
	}
	hash, err := s.hashPassword(ctx, pw)
	if err != nil {
		return err
	}
	secret, _ := c.Get(sessionSecretKey).(string)
	if err := s.db.SetPassword(ctx, u.ID, hash, auth.HashSecret(secret)); err != nil {
		return err
	}
	s.audit(c, store.AuditPasswordChange, u.Email, "")
	return redirect(c, "/account?password=changed")
}
