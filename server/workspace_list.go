package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/store"
	"github.com/archmap/archmap/views"
)

// handleWorkspaceList is the home page: the workspaces the user is a
// member of (every one for an admin), and a form to create one.
func (s *Server) handleWorkspaceList(c echo.Context) error {
	return s.renderHome(c, http.StatusOK, &views.Form{})
}

func (s *Server) renderHome(c echo.Context, status int, f *views.Form) error {
	list, err := s.db.ListWorkspacesFor(c.Request().Context(), currentUser(c))
	if err != nil {
		return err
	}
	p := s.page(c, "Workspaces")
	// After a delete (workspace_update.go) the home page says it was done.
	// A fixed text: nothing from the URL is shown.
	if c.QueryParam("deleted") == "1" {
		p.Notice = "The workspace was deleted."
	}
	return render(c, status, views.Layout(p, views.HomePage(p, summaries(list), f)))
}

func summaries(list []store.Workspace) []views.WorkspaceSummary {
	out := make([]views.WorkspaceSummary, len(list))
	for i, w := range list {
		out[i] = views.WorkspaceSummary{Slug: w.Slug, Name: w.Name, Description: w.Description, Revision: w.Revision, UpdatedAt: w.UpdatedAt}
	}
	return out
}
