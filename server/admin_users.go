package server

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/auth"
	"github.com/archmap/archmap/store"
	"github.com/archmap/archmap/topology"
	"github.com/archmap/archmap/views"
)

// The admin users page (/admin/users): admins create accounts, which get a
// one-time link to set their password; they disable and enable accounts,
// make new password links, and grant and revoke admin rights. Everyone
// else gets 404 there, as for an address that does not exist.

// passwordLinkTTL is how long a one-time password link works.
const passwordLinkTTL = 72 * time.Hour

// requireAdmin lets only admins through, and answers everyone else as if
// the address did not exist.
func (s *Server) requireAdmin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if u := currentUser(c); u == nil || !u.Admin {
			return echo.ErrNotFound
		}
		return next(c)
	}
}

func (s *Server) handleAdminUsers(c echo.Context) error {
	return s.renderAdminUsers(c, http.StatusOK, &views.AdminUsersData{Form: newForm(c)})
}

// handleAdminUserCreate creates an account without a password and shows
// its one-time link this once, on the page: the token is stored nowhere.
func (s *Server) handleAdminUserCreate(c echo.Context) error {
	f := newForm(c, "email", "admin")
	token, hash, err := auth.NewSecret()
	if err != nil {
		return err
	}
	expires := time.Now().Add(passwordLinkTTL)
	u, err := s.db.CreateInvitedUser(c.Request().Context(), f.Values["email"], f.Values["admin"] != "", hash, expires)
	if err != nil {
		if addError(f, err) {
			return s.renderAdminUsers(c, http.StatusUnprocessableEntity, &views.AdminUsersData{Form: f})
		}
		return err
	}
	detail := "user"
	if u.Admin {
		detail = "admin"
	}
	s.audit(c, store.AuditUserCreate, u.Email, detail)
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return s.renderAdminUsers(c, http.StatusOK, &views.AdminUsersData{
		Form: newForm(c), NewLink: s.passwordLinkURL(c, token), NewLinkEmail: u.Email, LinkExpires: expires,
	})
}

// handleAdminUserReset makes a new one-time link for an account. The old
// password keeps working until the link is used; the sessions end then.
func (s *Server) handleAdminUserReset(c echo.Context) error {
	id, err := parseID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	u, err := s.db.GetUser(ctx, id)
	if err != nil {
		return err
	}
	token, hash, err := auth.NewSecret()
	if err != nil {
		return err
	}
	expires := time.Now().Add(passwordLinkTTL)
	if err := s.db.CreatePasswordLink(ctx, id, store.PurposeReset, hash, expires); err != nil {
		return err
	}
	s.audit(c, store.AuditPasswordReset, u.Email, "")
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return s.renderAdminUsers(c, http.StatusOK, &views.AdminUsersData{
		Form: newForm(c), NewLink: s.passwordLinkURL(c, token), NewLinkEmail: u.Email, NewLinkReset: true, LinkExpires: expires,
	})
}

// handleAdminUserDisabled disables or enables an account. A refusal (the
// last admin) is shown on the account's row.
func (s *Server) handleAdminUserDisabled(disabled bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := parseID(c, "id")
		if err != nil {
			return err
		}
		u, err := s.db.SetUserDisabled(c.Request().Context(), id, disabled)
		if err != nil {
			return s.refuseOnRow(c, id, err)
		}
		action, notice := store.AuditUserEnable, "enabled"
		if disabled {
			action, notice = store.AuditUserDisable, "disabled"
		}
		s.audit(c, action, u.Email, "")
		return s.redirectAfter(c, u, notice)
	}
}

// redirectAfter goes back to the list, or home when admins changed
// themselves out of it (the list is no longer theirs to see).
func (s *Server) redirectAfter(c echo.Context, u *store.User, notice string) error {
	if u.ID == currentUser(c).ID && (!u.Admin || u.Disabled()) {
		return redirect(c, "/")
	}
	return redirect(c, "/admin/users?done="+notice)
}

// handleAdminUserAdmin grants (admin=1) or revokes (admin=0) admin rights.
func (s *Server) handleAdminUserAdmin(c echo.Context) error {
	id, err := parseID(c, "id")
	if err != nil {
		return err
	}
	admin := c.FormValue("admin") == "1"
	u, err := s.db.SetUserAdmin(c.Request().Context(), id, admin)
	if err != nil {
		return s.refuseOnRow(c, id, err)
	}
	detail, notice := "revoked", "unadmin"
	if admin {
		detail, notice = "granted", "admin"
	}
	s.audit(c, store.AuditUserAdmin, u.Email, detail)
	return s.redirectAfter(c, u, notice)
}

// refuseOnRow shows why an action on an account was refused next to the
// account, or passes on errors that are not the admin's to fix.
func (s *Server) refuseOnRow(c echo.Context, id int64, err error) error {
	if topology.ErrorCode(err) != topology.ECONFLICT {
		return err
	}
	d := &views.AdminUsersData{Form: newForm(c)}
	return s.renderAdminUsersWith(c, http.StatusConflict, d, id, sentence(topology.ErrorMessage(err)))
}

func (s *Server) renderAdminUsers(c echo.Context, status int, d *views.AdminUsersData) error {
	return s.renderAdminUsersWith(c, status, d, 0, "")
}

// doneNotices are the messages a redirect after an action may ask for: the
// query names one, so nobody can put words of their own on the page.
var doneNotices = map[string]string{
	"enabled":  "The account is enabled.",
	"disabled": "The account is disabled: its sessions and API tokens no longer work.",
	"admin":    "The account is now an admin.",
	"unadmin":  "The account is no longer an admin.",
}

func (s *Server) renderAdminUsersWith(c echo.Context, status int, d *views.AdminUsersData, errID int64, errMsg string) error {
	list, err := s.db.ListUsers(c.Request().Context())
	if err != nil {
		return err
	}
	me := currentUser(c)
	for _, u := range list {
		row := views.UserRow{
			ID: u.ID, Email: u.Email, Admin: u.Admin, Disabled: u.Disabled(), Pending: len(u.PasswordHash) == 0,
			CreatedAt: u.CreatedAt, Self: u.ID == me.ID,
		}
		if u.ID == errID {
			row.Error = errMsg
		}
		d.Users = append(d.Users, row)
	}
	if msg := doneNotices[c.QueryParam("done")]; msg != "" && d.Notice == "" {
		d.Notice = msg
	}
	p := s.page(c, "Users")
	return render(c, status, views.Layout(p, views.AdminUsersPage(p, d)))
}

// passwordLinkURL is the address of a one-time link, built from the public
// address like share links (never from the request's Host).
func (s *Server) passwordLinkURL(c echo.Context, token string) string {
	return s.baseURL(c.Request().Context()) + "/password/" + token
}
