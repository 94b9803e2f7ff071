package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/store"
	"github.com/archmap/archmap/views"
)

func (s *Server) handleWorkspaceCreate(c echo.Context) error {
	f := newForm(c, "name", "description")
	ws, err := s.db.CreateWorkspace(c.Request().Context(), f.Values["name"], f.Values["description"])
	if err != nil {
		if addError(f, err) {
			return s.renderHome(c, http.StatusUnprocessableEntity, f)
		}
		return err
	}
	s.audit(c, store.AuditWorkspaceCreate, ws.Slug, "")
	return redirect(c, views.WorkspaceURL(ws.Slug))
}
