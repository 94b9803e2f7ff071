package server

import (
	"github.com/a-h/templ"
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
	rec, ws, err := s.db.Services().Create(c.Request().Context(), slug, serviceFromForm(f), rev)
	if err != nil {
		return addFailed(c, f, err, "service-add", views.ServiceAddForm(slug, f))
	}
	return s.editDone(c, ws.Revision, views.SectionServices, "", func(ed *views.Editor) templ.Component {
		return join(
			views.ServiceAddForm(slug, &views.Form{Notice: "Added the service “" + rec.Name + "”."}),
			views.AppendRow(views.SectionServices, views.ServiceRowView(slug, views.ServiceRow{ID: rec.ID, Service: rec.Service}), len(ed.Services) == 1),
		)
	}, true, views.SectionMatrix)
}
