package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/auth"
	"github.com/archmap/archmap/store"
	"github.com/archmap/archmap/views"
)

func (s *Server) handleAccountShow(c echo.Context) error {
	return s.renderAccount(c, http.StatusOK, &views.AccountData{Form: newForm(c)})
}

// handleTokenCreate makes a token and shows it on the page this once. The
// answer is a page, not a redirect, because the token exists nowhere else.
func (s *Server) handleTokenCreate(c echo.Context) error {
	u := currentUser(c)
	f := newForm(c, "name")
	token, hash, err := auth.NewSecret()
	if err != nil {
		return err
	}
	t, err := s.db.CreateAPIToken(c.Request().Context(), u.ID, f.Values["name"], hash)
	if err != nil {
		if addError(f, err) {
			return s.renderAccount(c, http.StatusUnprocessableEntity, &views.AccountData{Form: f})
		}
		return err
	}
	s.audit(c, store.AuditTokenCreate, t.Name, tokenDetail(t.ID))
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return s.renderAccount(c, http.StatusOK, &views.AccountData{Form: newForm(c), NewToken: token, NewName: t.Name})
}

func (s *Server) handleTokenDelete(c echo.Context) error {
	id, err := parseID(c, "id")
	if err != nil {
		return err
	}
	if err := s.db.DeleteAPIToken(c.Request().Context(), currentUser(c).ID, id); err != nil {
		return err
	}
	s.audit(c, store.AuditTokenDelete, "", tokenDetail(id))
	return redirect(c, "/account")
}

func (s *Server) renderAccount(c echo.Context, status int, d *views.AccountData) error {
	u := currentUser(c)
	list, err := s.db.ListAPITokens(c.Request().Context(), u.ID)
	if err != nil {
		return err
	}
	d.Email = u.Email
	for _, t := range list {
		d.Tokens = append(d.Tokens, views.TokenRow{ID: t.ID, Name: t.Name, CreatedAt: t.CreatedAt, LastUsedAt: t.LastUsedAt})
	}
	p := s.page(c, "Your account")
	return render(c, status, views.Layout(p, views.AccountPage(p, d)))
}
