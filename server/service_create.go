package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/topology"
	"github.com/archmap/archmap/views"
)

var serviceFields = []string{"name", "kind", "team", "tech", "description"}

func serviceFromForm(f *views.Form) topology.Service {
	return topology.Service{
		Name:        f.Values["name"],
		Kind:        topology.ServiceKind(f.Values["kind"]),
		Team:        f.Values["team"],
		Tech:        f.Values["tech"],
		Description: f.Values["description"],
	}
}

func (s *Server) handleServiceCreate(c echo.Context) error {
	slug := c.Param("slug")
	f := newForm(c, serviceFields...)
	rev, err := formRevision(c)
	if err != nil {
		return err
	}
	if _, _, err := s.db.CreateService(c.Request().Context(), slug, serviceFromForm(f), rev); err != nil {
		return s.addFailed(c, f, err, "service-add", func(ed *views.Editor) { ed.AddService = f }, views.ServiceAddForm(slug, f))
	}
	return s.renderEditor(c, http.StatusOK, nil)
}
