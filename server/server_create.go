package server

import (
	"github.com/a-h/templ"
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
	rec, ws, err := s.db.Servers().Create(c.Request().Context(), slug, serverFromForm(f), rev)
	if err != nil {
		return addFailed(c, f, err, "server-add", views.ServerAddForm(slug, f))
	}
	return s.editDone(c, ws.Revision, views.SectionServers, "", func(ed *views.Editor) templ.Component {
		return join(
			views.ServerAddForm(slug, &views.Form{Notice: "Added the server “" + rec.Name + "”."}),
			views.AppendRow(views.SectionServers, views.ServerRowView(slug, views.ServerRow{ID: rec.ID, Server: rec.Server}, 0), len(ed.Servers) == 1),
		)
	}, true, views.SectionMatrix)
}
