package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/topology"
	"github.com/archmap/archmap/views"
)

// Handlers for the model's servers (topology.Server), not for this HTTP server.

var serverFields = []string{"name", "kind", "zone", "region"}

func serverFromForm(f *views.Form) topology.Server {
	return topology.Server{
		Name:   f.Values["name"],
		Kind:   topology.ServerKind(f.Values["kind"]),
		Zone:   f.Values["zone"],
		Region: f.Values["region"],
	}
}

func (s *Server) handleServerCreate(c echo.Context) error {
	slug := c.Param("slug")
	f := newForm(c, serverFields...)
	rev, err := formRevision(c)
	if err != nil {
		return err
	}
	if _, _, err := s.db.CreateServer(c.Request().Context(), slug, serverFromForm(f), rev); err != nil {
		return s.addFailed(c, f, err, "server-add", func(ed *views.Editor) { ed.AddServer = f }, views.ServerAddForm(slug, f))
	}
	return s.renderEditor(c, http.StatusOK, nil)
}
