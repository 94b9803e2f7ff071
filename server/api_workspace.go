package server

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/store"
)

// apiWorkspacePath is the API address of a workspace.
func apiWorkspacePath(slug string, parts ...string) string {
	return "/api/v1/workspaces/" + url.PathEscape(slug) + strings.Join(append([]string{""}, parts...), "/")
}

// listBody is the answer of every list route: the items and, for the
// paginated ones, where the page starts and how many there are in all.
type listBody[T any] struct {
	Items  []T `json:"items"`
	Total  int `json:"total"`
	Offset int `json:"offset"`
	Limit  int `json:"limit,omitempty"`
}

func (s *Server) handleAPIWorkspaceList(c echo.Context) error {
	list, err := s.db.ListWorkspaces(c.Request().Context())
	if err != nil {
		return err
	}
	if list == nil {
		list = []store.Workspace{}
	}
	return writeJSON(c, http.StatusOK, listBody[store.Workspace]{Items: list, Total: len(list)})
}

type workspaceInput struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

func (s *Server) handleAPIWorkspaceCreate(c echo.Context) error {
	var in workspaceInput
	if err := decodeJSON(c, &in, false); err != nil {
		return err
	}
	ws, err := s.db.CreateWorkspace(c.Request().Context(), in.Name, in.Description)
	if err != nil {
		return err
	}
	s.audit(c, store.AuditWorkspaceCreate, ws.Slug, "")
	c.Response().Header().Set(echo.HeaderLocation, apiWorkspacePath(ws.Slug))
	setETag(c, ws.Revision)
	return writeJSON(c, http.StatusCreated, ws)
}

func (s *Server) handleAPIWorkspaceGet(c echo.Context) error {
	ws, err := s.db.GetWorkspace(c.Request().Context(), c.Param("slug"))
	if err != nil {
		return err
	}
	setETag(c, ws.Revision)
	return writeJSON(c, http.StatusOK, ws)
}

// handleAPIWorkspaceDelete deletes a workspace with its model and share
// links; with If-Match, only if nobody changed it since that revision.
func (s *Server) handleAPIWorkspaceDelete(c echo.Context) error {
	rev, err := ifMatch(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	// Read first for its id, the scope of its cached answers.
	ws, err := s.db.GetWorkspace(ctx, c.Param("slug"))
	if err != nil {
		return err
	}
	if err := s.db.DeleteWorkspace(ctx, ws.Slug, rev); err != nil {
		return err
	}
	s.forgetWorkspace(ws.ID)
	s.audit(c, store.AuditWorkspaceDelete, ws.Slug, "")
	return c.NoContent(http.StatusNoContent)
}
