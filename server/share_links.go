package server

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/store"
	"github.com/archmap/archmap/views"
)

// The share tab of a workspace (/w/{slug}/shares) makes, lists and revokes
// its share links in the browser; the API does the same under
// /api/v1/workspaces/{slug}/shares.

func (s *Server) handleShareLinks(c echo.Context) error {
	// The default choice is the API's default lifetime (7 days).
	f := &views.Form{Values: map[string]string{"expires_in": "7d"}, Errors: map[string]string{}}
	d := &views.ShareLinksData{Form: f}
	if c.QueryParam("revoked") == "1" {
		d.Notice = "The link was revoked: it opens nothing any more."
	}
	return s.renderShareLinks(c, http.StatusOK, d)
}

// handleShareLinkCreate makes a link and shows its address this once, on
// the page itself: the token is stored nowhere, so no redirect could show it.
func (s *Server) handleShareLinkCreate(c echo.Context) error {
	f := newForm(c, "expires_in", "pin", "pin_revision")
	d, err := parseExpiresIn(f.Values["expires_in"])
	var revision int64
	if v := f.Values["pin_revision"]; err == nil && v != "" {
		revision, err = revisionParam(v) // from the History tab
	}
	if err == nil {
		var token string
		var sh *store.Share
		if token, sh, err = s.createShare(c.Request().Context(), c.Param("slug"), d, f.Values["pin"] != "", revision); err == nil {
			s.audit(c, store.AuditShareCreate, c.Param("slug"), shareDetail(sh.ID))
			c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
			fresh := &views.Form{Values: map[string]string{"expires_in": f.Values["expires_in"]}, Errors: map[string]string{}}
			return s.renderShareLinks(c, http.StatusOK, &views.ShareLinksData{Form: fresh, NewURL: s.shareURL(c, token)})
		}
	}
	if addError(f, err) {
		return s.renderShareLinks(c, http.StatusUnprocessableEntity, &views.ShareLinksData{Form: f})
	}
	return err
}

func (s *Server) handleShareLinkRevoke(c echo.Context) error {
	id, err := parseID(c, "id")
	if err != nil {
		return err
	}
	slug := c.Param("slug")
	if err := s.db.RevokeShare(c.Request().Context(), slug, id); err != nil {
		return err
	}
	s.audit(c, store.AuditShareRevoke, slug, shareDetail(id))
	return redirect(c, views.WorkspaceURL(slug, "shares")+"?revoked=1")
}

func (s *Server) renderShareLinks(c echo.Context, status int, d *views.ShareLinksData) error {
	ctx := c.Request().Context()
	ws, err := s.db.GetWorkspace(ctx, c.Param("slug"))
	if err != nil {
		return err
	}
	list, err := s.db.ListShares(ctx, ws.Slug)
	if err != nil {
		return err
	}
	now := time.Now()
	for _, sh := range list {
		d.Links = append(d.Links, views.ShareLinkRow{
			ID: sh.ID, CreatedAt: sh.CreatedAt, ExpiresAt: sh.ExpiresAt,
			Expired:        !sh.ExpiresAt.IsZero() && !sh.ExpiresAt.After(now),
			PinnedRevision: sh.PinnedRevision, LastUsedAt: sh.LastUsedAt,
		})
	}
	p := s.workspacePage(c, ws, "share")
	p.Notice = d.Notice
	return render(c, status, views.Layout(p, views.ShareLinksPage(p, d)))
}
