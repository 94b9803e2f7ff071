package server

import (
	"net/http"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/store"
	"github.com/archmap/archmap/views"
)

// handleServiceRow shows one service row (what Cancel goes back to).
func (s *Server) handleServiceRow(c echo.Context) error {
	rec, err := s.getService(c)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.ServiceRowView(c.Param("slug"), views.ServiceRow{ID: rec.ID, Service: rec.Service}))
}

// handleServiceEdit turns a service row into a form.
func (s *Server) handleServiceEdit(c echo.Context) error {
	rec, err := s.getService(c)
	if err != nil {
		return err
	}
	f := &views.Form{Values: map[string]string{
		"name": rec.Name, "kind": string(rec.Kind), "team": rec.Team, "tech": rec.Tech, "description": rec.Description,
	}}
	return render(c, http.StatusOK, views.ServiceEditRow(c.Param("slug"), views.ServiceRow{ID: rec.ID, Service: rec.Service}, f))
}

func (s *Server) handleServiceUpdate(c echo.Context) error {
	slug := c.Param("slug")
	id, rev, err := idAndRevision(c)
	if err != nil {
		return err
	}
	f := newForm(c, serviceFields...)
	svc := serviceFromForm(f)
	rec, ws, err := s.db.Services().Update(c.Request().Context(), slug, id, svc, rev)
	if err != nil {
		row := views.ServiceRow{ID: id, Service: svc}
		return editFailed(c, f, err, "service-"+itoa(id), views.ServiceEditRow(slug, row, f))
	}
	return s.editDone(c, ws.Revision, views.SectionServices, "Saved the service “"+rec.Name+"”.", func(*views.Editor) templ.Component {
		return views.ServiceRowView(slug, views.ServiceRow{ID: rec.ID, Service: rec.Service})
	}, true, views.SectionPlacements, views.SectionDependencies, views.SectionMatrix)
}

func (s *Server) getService(c echo.Context) (*store.ServiceRecord, error) {
	id, err := parseID(c, "id")
	if err != nil {
		return nil, err
	}
	return s.db.Services().Get(c.Request().Context(), c.Param("slug"), id)
}
