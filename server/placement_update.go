package server

import (
	"net/http"
	"strconv"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/store"
	"github.com/archmap/archmap/views"
)

// handlePlacementRow shows one placement row (what Cancel goes back to).
func (s *Server) handlePlacementRow(c echo.Context) error {
	rec, err := s.getPlacement(c)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.PlacementRowView(c.Param("slug"), placementRow(rec)))
}

// handlePlacementEdit turns a placement row into a form.
func (s *Server) handlePlacementEdit(c echo.Context) error {
	rec, err := s.getPlacement(c)
	if err != nil {
		return err
	}
	f := &views.Form{Values: map[string]string{"service": rec.Service, "server": rec.Server, "instances": strconv.Itoa(rec.Instances)}}
	return render(c, http.StatusOK, views.PlacementEditRow(c.Param("slug"), placementRow(rec), f))
}

func (s *Server) handlePlacementUpdate(c echo.Context) error {
	slug := c.Param("slug")
	id, rev, err := idAndRevision(c)
	if err != nil {
		return err
	}
	f := newForm(c, placementFields...)
	pl, ok := placementFromForm(f)
	row := views.PlacementRow{ID: id, Placement: pl}
	form := views.PlacementEditRow(slug, row, f)
	if !ok {
		return formFailed(c, "placement-"+itoa(id), form)
	}
	rec, ws, err := s.db.Placements().Update(c.Request().Context(), slug, id, pl, rev)
	if err != nil {
		return editFailed(c, f, err, "placement-"+itoa(id), form)
	}
	return s.editDone(c, ws.Revision, views.SectionPlacements, "Saved the placement of “"+rec.Service+"” on “"+rec.Server+"”.", func(*views.Editor) templ.Component {
		return views.PlacementRowView(slug, placementRow(rec))
	}, false, views.SectionMatrix, views.SectionServers)
}

func (s *Server) getPlacement(c echo.Context) (*store.PlacementRecord, error) {
	id, err := parseID(c, "id")
	if err != nil {
		return nil, err
	}
	return s.db.Placements().Get(c.Request().Context(), c.Param("slug"), id)
}

func placementRow(r *store.PlacementRecord) views.PlacementRow {
	return views.PlacementRow{ID: r.ID, ServiceID: r.ServiceID, ServerID: r.ServerID, Placement: r.Placement}
}
