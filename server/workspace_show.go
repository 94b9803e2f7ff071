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
	ed, ws, err := s.loadEditor(c.Request().Context(), c.Param("slug"))
	if err != nil {
		return err
	}
	p := s.workspacePage(c, ws, "model")
	return render(c, http.StatusOK, views.Layout(p, views.WorkspacePage(p, ed)))
}

// loadEditor reads the workspace's records in one snapshot and counts its
// findings.
func (s *Server) loadEditor(ctx context.Context, slug string) (*views.Editor, *store.Workspace, error) {
	r, err := s.db.LoadRecords(ctx, slug)
	if err != nil {
		return nil, nil, err
	}
	ed := &views.Editor{Slug: r.Workspace.Slug, Revision: r.Workspace.Revision}
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

// renderEditor answers a successful write with the whole editor as stored
// now, with the new revision; edit sets the state of an add form that
// failed (nil: all fresh).
func (s *Server) renderEditor(c echo.Context, status int, edit func(*views.Editor)) error {
	ed, _, err := s.loadEditor(c.Request().Context(), c.Param("slug"))
	if err != nil {
		return err
	}
	if edit != nil {
		edit(ed)
	}
	return render(c, status, views.EditorView(ed))
}

// workspacePage is the layout data of a page under /w/{slug}.
func (s *Server) workspacePage(c echo.Context, ws *store.Workspace, tab string) views.Page {
	p := s.page(c, ws.Name)
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
// workspace changed under them.
const staleMessage = "Someone else changed this workspace while you were editing. The page now shows their change; check it and send yours again."

// addFailed answers an add form whose write failed. A stale revision brings
// the whole editor up to date, with the typed values kept in the form, so
// that the user sees the other change and can simply send again; a problem
// the user can fix returns the form in place; anything else goes to the
// error handler.
func (s *Server) addFailed(c echo.Context, f *views.Form, err error, targetID string, keep func(*views.Editor), form templ.Component) error {
	if topology.ErrorCode(err) == topology.EPRECONDITION {
		f.General = append(f.General, staleMessage)
		return s.renderEditor(c, http.StatusConflict, keep)
	}
	if addError(f, err) {
		return formFailed(c, targetID, form)
	}
	return err
}

// editFailed answers an edit row whose write failed: the row stays a form
// with the messages; after a concurrent change the user reloads, since the
// row they edited may itself have changed.
func editFailed(c echo.Context, f *views.Form, err error, targetID string, form templ.Component) error {
	if topology.ErrorCode(err) == topology.EPRECONDITION {
		f.General = append(f.General, "Someone else changed this workspace while you were editing. Reload the page to see their change, then edit again.")
		return formFailed(c, targetID, form)
	}
	if addError(f, err) {
		return formFailed(c, targetID, form)
	}
	return err
}
