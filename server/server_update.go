package server

import (
	"net/http"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/store"
	"github.com/archmap/archmap/views"
)

// handleServerRow shows one server row (what Cancel goes back to).
func (s *Server) handleServerRow(c echo.Context) error {
	rec, err := s.getServer(c)
	if err != nil {
		return err
	}
	load, err := s.serverLoad(c, rec.ID)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.ServerRowView(c.Param("slug"), views.ServerRow{ID: rec.ID, Server: rec.Server}, load))
}

// handleServerEdit turns a server row into a form.
func (s *Server) handleServerEdit(c echo.Context) error {
	rec, err := s.getServer(c)
	if err != nil {
		return err
	}
	f := &views.Form{Values: map[string]string{"name": rec.Name, "kind": string(rec.Kind), "zone": rec.Zone, "region": rec.Region}}
	return render(c, http.StatusOK, views.ServerEditRow(c.Param("slug"), views.ServerRow{ID: rec.ID, Server: rec.Server}, f))
}

func (s *Server) handleServerUpdate(c echo.Context) error {
	slug := c.Param("slug")
	id, rev, err := idAndRevision(c)
	if err != nil {
		return err
	}
	f := newForm(c, serverFields...)
	srv := serverFromForm(f)
	rec, ws, err := s.db.Servers().Update(c.Request().Context(), slug, id, srv, rev)
	if err != nil {
		return editFailed(c, f, err, "server-"+itoa(id), views.ServerEditRow(slug, views.ServerRow{ID: id, Server: srv}, f))
	}
	return s.editDone(c, ws.Revision, views.SectionServers, "Saved the server “"+rec.Name+"”.", func(ed *views.Editor) templ.Component {
		return views.ServerRowView(slug, views.ServerRow{ID: rec.ID, Server: rec.Server}, ed.ServerLoad(rec.ID))
	}, true, views.SectionPlacements, views.SectionMatrix)
}

func (s *Server) getServer(c echo.Context) (*store.ServerRecord, error) {
	id, err := parseID(c, "id")
	if err != nil {
		return nil, err
	}
	return s.db.Servers().Get(c.Request().Context(), c.Param("slug"), id)
}

// serverLoad counts the services placed on a server.
func (s *Server) serverLoad(c echo.Context, serverID int64) (int, error) {
	list, err := s.db.Placements().List(c.Request().Context(), c.Param("slug"))
	if err != nil {
		return 0, err
	}
	n := 0
	for _, p := range list {
		if p.ServerID == serverID {
			n++
		}
	}
	return n, nil
}
