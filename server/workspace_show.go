package server

import (
	"context"
	"net/http"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/store"
	"github.com/archmap/archmap/topology"
	"github.com/archmap/archmap/views"
)

// handleWorkspaceShow is the model tab: the editor of services, servers,
// placements and dependencies.
func (s *Server) handleWorkspaceShow(c echo.Context) error {
	// Each section shows the search, sort and page its URL keeps.
	ed, ws, err := s.loadEditor(c.Request().Context(), c.Param("slug"), views.PageQueries(c.QueryParams()))
	if err != nil {
		return err
	}
	p := s.workspacePage(c, ws, "model")
	return render(c, http.StatusOK, views.Layout(p, views.WorkspacePage(p, ed)))
}

// loadEditor reads the workspace's records in one snapshot and counts its
// findings; query is the search, sort and page of sections (nil: the first
// page of each, in the user's order).
func (s *Server) loadEditor(ctx context.Context, slug string, query map[string]views.ListQuery) (*views.Editor, *store.Workspace, error) {
	r, err := s.db.LoadRecords(ctx, slug)
	if err != nil {
		return nil, nil, err
	}
	ed := &views.Editor{Slug: r.Workspace.Slug, Revision: r.Workspace.Revision, Query: query}
	if ed.Query == nil {
		ed.Query = map[string]views.ListQuery{}
	}
	for _, x := range r.Services {
		ed.Services = append(ed.Services, views.ServiceRow{ID: x.ID, Service: x.Service})
	}
	for _, x := range r.Servers {
		ed.Servers = append(ed.Servers, views.ServerRow{ID: x.ID, Server: x.Server})
	}
	for _, x := range r.Placements {
		ed.Placements = append(ed.Placements, views.PlacementRow{ID: x.ID, ServiceID: x.ServiceID, ServerID: x.ServerID, Placement: x.Placement})
	}
	for _, x := range r.Dependencies {
		ed.Dependencies = append(ed.Dependencies, views.DependencyRow{ID: x.ID, Dependency: x.Dependency})
	}
	// The records are this revision's model: file them as its snapshot, so
	// that the analysis is made once per revision, here or by the diagram.
	key := workspaceKey(r.Workspace, r.Workspace.Revision)
	sn, err := s.snapshots.get(ctx, key, func(context.Context) (*snapshot, error) {
		return newSnapshot(key, r.Workspace, r.Workspace.Revision, r.Model()), nil
	})
	if err != nil {
		return nil, nil, err
	}
	sum := sn.report.Summary
	ed.Findings = views.FindingCounts{High: sum.High, Medium: sum.Medium, Low: sum.Low, Info: sum.Info}
	return ed, r.Workspace, nil
}

// workspacePage is the layout data of a page under /w/{slug}.
func (s *Server) workspacePage(c echo.Context, ws *store.Workspace, tab string) views.Page {
	// Each tab has its own title, so that browser tabs and history tell
	// them apart: "Diagram · Shop · archmap".
	title := ws.Name
	if label := tabTitles[tab]; label != "" {
		title = label + " · " + ws.Name
	}
	p := s.page(c, title)
	p.Workspace = &views.WorkspaceRef{Slug: ws.Slug, Name: ws.Name, Revision: ws.Revision}
	p.Tab = tab
	return p
}

// formFailed answers an htmx form that the user must fix: the form comes
// back in place (replacing the element with the given id), with the
// messages next to its fields and the typed values kept.
func formFailed(c echo.Context, targetID string, cmp templ.Component) error {
	h := c.Response().Header()
	h.Set("HX-Retarget", "#"+targetID)
	h.Set("HX-Reswap", "outerHTML")
	return render(c, http.StatusUnprocessableEntity, cmp)
}

// staleMessage tells an editor that their write was refused because the
// workspace changed under them (the import page says it this way).
const staleMessage = "Someone else changed this workspace while you were editing. The page now shows their change; check it and send yours again."

// addFailed answers an add form whose write failed: the form comes back in
// place with what was typed and the message next to the field; after a
// concurrent change, with a reload of its section.
func addFailed(c echo.Context, f *views.Form, err error, targetID string, form templ.Component) error {
	return formError(c, f, err, targetID, form, staleAdd)
}

// editFailed answers an edit row whose write failed, the same way.
func editFailed(c echo.Context, f *views.Form, err error, targetID string, form templ.Component) error {
	return formError(c, f, err, targetID, form, staleEdit)
}

func formError(c echo.Context, f *views.Form, err error, targetID string, form templ.Component, stale string) error {
	if topology.ErrorCode(err) == topology.EPRECONDITION {
		f.General = append(f.General, stale)
		f.Stale = true
		h := c.Response().Header()
		h.Set("HX-Retarget", "#"+targetID)
		h.Set("HX-Reswap", "outerHTML")
		return render(c, http.StatusConflict, form)
	}
	if addError(f, err) {
		return formFailed(c, targetID, form)
	}
	return err
}

// tabTitles name the workspace tabs in page titles.
var tabTitles = map[string]string{
	"model":    "Model",
	"diagram":  "Diagram",
	"history":  "History",
	"import":   "Import & export",
	"share":    "Share",
	"settings": "Settings",
	"findings": "Findings",
}
