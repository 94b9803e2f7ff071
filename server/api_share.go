package server

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/store"
	"github.com/archmap/archmap/topology"
)

type shareInput struct {
	ExpiresIn string `json:"expires_in"`
	Pin       bool   `json:"pin"`
	// Revision pins the link to that revision of the history (pin may be
	// left out then); absent, a pinned link shows the current revision.
	Revision int64 `json:"revision"`
}

// shareCreated is the answer to a new share link; the URL holds the token,
// which is never shown again.
type shareCreated struct {
	ID        int64      `json:"id"`
	URL       string     `json:"url"`
	ExpiresAt *time.Time `json:"expires_at"` // null: never
}

// shareItem is a link in a list: never its token, which is not stored.
type shareItem struct {
	store.Share
	Expired bool `json:"expired"`
}

func (s *Server) handleAPIShareCreate(c echo.Context) error {
	var in shareInput
	if err := decodeJSON(c, &in, true); err != nil {
		return err
	}
	// Left out, a link expires as the share tab's default does; a link
	// for ever must be asked for ("never").
	d := defaultShareLifetime
	if strings.TrimSpace(in.ExpiresIn) != "" {
		var err error
		if d, err = parseExpiresIn(in.ExpiresIn); err != nil {
			return err
		}
	}
	if in.Revision < 0 {
		return topology.Errorf(topology.EINVALID, "revision: want a revision number of at least 1, got %d", in.Revision)
	}
	token, sh, err := s.createShare(c.Request().Context(), c.Param("slug"), d, in.Pin, in.Revision)
	if err != nil {
		return err
	}
	s.audit(c, store.AuditShareCreate, c.Param("slug"), shareDetail(sh.ID))
	out := shareCreated{ID: sh.ID, URL: s.shareURL(c, token)}
	if !sh.ExpiresAt.IsZero() {
		out.ExpiresAt = &sh.ExpiresAt
	}
	// The answer carries a secret: no cache may keep it.
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return writeJSON(c, http.StatusCreated, out)
}

func (s *Server) handleAPIShareList(c echo.Context) error {
	list, err := s.db.ListShares(c.Request().Context(), c.Param("slug"))
	if err != nil {
		return err
	}
	now := time.Now()
	items := make([]shareItem, len(list))
	for i, sh := range list {
		items[i] = shareItem{Share: sh, Expired: !sh.ExpiresAt.IsZero() && !sh.ExpiresAt.After(now)}
	}
	return writeJSON(c, http.StatusOK, listBody[shareItem]{Items: items, Total: len(items)})
}

func (s *Server) handleAPIShareDelete(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id < 1 {
		return topology.Errorf(topology.ENOTFOUND, "share %s not found", strconv.Quote(c.Param("id")))
	}
	if err := s.db.RevokeShare(c.Request().Context(), c.Param("slug"), id); err != nil {
		return err
	}
	s.audit(c, store.AuditShareRevoke, c.Param("slug"), shareDetail(id))
	return c.NoContent(http.StatusNoContent)
}
