package server

import (
	"net/http"
	"strconv"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/store"
	"github.com/archmap/archmap/views"
)

// handleDependencyRow shows one dependency row (what Cancel goes back to).
func (s *Server) handleDependencyRow(c echo.Context) error {
	rec, err := s.getDependency(c)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.DependencyRowView(c.Param("slug"), views.DependencyRow{ID: rec.ID, Dependency: rec.Dependency}))
}

// handleDependencyEdit turns a dependency row into a form.
func (s *Server) handleDependencyEdit(c echo.Context) error {
	rec, err := s.getDependency(c)
	if err != nil {
		return err
	}
	f := &views.Form{Values: map[string]string{
		"from": rec.From, "to": rec.To, "protocol": string(rec.Protocol), "mode": string(rec.Mode),
		"calls_per_request": strconv.FormatFloat(rec.CallsPerRequest, 'g', -1, 64), "description": rec.Description,
	}}
	return render(c, http.StatusOK, views.DependencyEditRow(c.Param("slug"), views.DependencyRow{ID: rec.ID, Dependency: rec.Dependency}, f))
}

func (s *Server) handleDependencyUpdate(c echo.Context) error {
	slug := c.Param("slug")
	id, rev, err := idAndRevision(c)
	if err != nil {
		return err
	}
	f := newForm(c, dependencyFields...)
	d, ok := dependencyFromForm(f)
	form := views.DependencyEditRow(slug, views.DependencyRow{ID: id, Dependency: d}, f)
	if !ok {
		return formFailed(c, "dependency-"+itoa(id), form)
	}
	rec, ws, err := s.db.Dependencies().Update(c.Request().Context(), slug, id, d, rev)
	if err != nil {
		return editFailed(c, f, err, "dependency-"+itoa(id), form)
	}
	return s.editDone(c, ws.Revision, views.SectionDependencies, "Saved “"+rec.From+"” → “"+rec.To+"”.", func(*views.Editor) templ.Component {
		return views.DependencyRowView(slug, views.DependencyRow{ID: rec.ID, Dependency: rec.Dependency})
	}, false)
}

func (s *Server) getDependency(c echo.Context) (*store.DependencyRecord, error) {
	id, err := parseID(c, "id")
	if err != nil {
		return nil, err
	}
	return s.db.Dependencies().Get(c.Request().Context(), c.Param("slug"), id)
}
