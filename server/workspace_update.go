package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/store"
	"github.com/archmap/archmap/topology"
	"github.com/archmap/archmap/views"
)

// handleWorkspaceSettings is the settings tab: rename, describe, delete.
func (s *Server) handleWorkspaceSettings(c echo.Context) error {
	ws, err := s.db.GetWorkspace(c.Request().Context(), c.Param("slug"))
	if err != nil {
		return err
	}
	f := &views.Form{Values: map[string]string{"name": ws.Name, "description": ws.Description}}
	return s.renderSettings(c, http.StatusOK, ws, f, c.QueryParam("saved") == "1", &views.Form{})
}

// handleWorkspaceUpdate renames a workspace and sets its description.
func (s *Server) handleWorkspaceUpdate(c echo.Context) error {
	ctx := c.Request().Context()
	slug := c.Param("slug")
	f := newForm(c, "name", "description")
	rev, err := formRevision(c)
	if err != nil {
		return err
	}
	ws, err := s.db.UpdateWorkspace(ctx, slug, f.Values["name"], f.Values["description"], rev)
	if err == nil {
		return redirect(c, views.WorkspaceURL(ws.Slug, "settings")+"?saved=1")
	}
	if topology.ErrorCode(err) == topology.EPRECONDITION {
		f.General = append(f.General, staleMessage)
	} else if !addError(f, err) {
		return err
	}
	// Show the form again at the current revision, with what was typed.
	if ws, err = s.db.GetWorkspace(ctx, slug); err != nil {
		return err
	}
	return s.renderSettings(c, http.StatusUnprocessableEntity, ws, f, false, &views.Form{})
}

// handleWorkspaceDelete deletes a workspace once its slug is typed to confirm.
func (s *Server) handleWorkspaceDelete(c echo.Context) error {
	ctx := c.Request().Context()
	slug := c.Param("slug")
	ws, err := s.db.GetWorkspace(ctx, slug)
	if err != nil {
		return err
	}
	del := newForm(c, "confirm")
	if del.Values["confirm"] != ws.Slug {
		del.Errors["confirm"] = "Type " + ws.Slug + " exactly to confirm."
		f := &views.Form{Values: map[string]string{"name": ws.Name, "description": ws.Description}}
		return s.renderSettings(c, http.StatusUnprocessableEntity, ws, f, false, del)
	}
	if err := s.db.DeleteWorkspace(ctx, slug, 0); err != nil {
		return err
	}
	s.forgetWorkspace(ws.ID)
	s.audit(c, store.AuditWorkspaceDelete, ws.Slug, "")
	return redirect(c, "/?deleted=1")
}

func (s *Server) renderSettings(c echo.Context, status int, ws *store.Workspace, f *views.Form, saved bool, del *views.Form) error {
	_, set, err := s.db.GetSettings(c.Request().Context(), ws.Slug)
	if err != nil {
		return err
	}
	return s.renderSettingsWith(c, status, ws, f, saved, del, thresholdsForm(set), c.QueryParam("thresholds") == "saved")
}
