package server

import (
	"net/http"
	"strconv"

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
	ed, _, err := s.loadEditor(c.Request().Context(), c.Param("slug"))
	if err != nil {
		return err
	}
	f := &views.Form{Values: map[string]string{"service": rec.Service, "server": rec.Server, "instances": strconv.Itoa(rec.Instances)}}
	return render(c, http.StatusOK, views.PlacementEditRow(c.Param("slug"), placementRow(rec), ed.ServiceNames(), ed.ServerNames(), f))
}

func (s *Server) handlePlacementUpdate(c echo.Context) error {
	slug := c.Param("slug")
	id, rev, err := idAndRevision(c)
	if err != nil {
		return err
	}
	ed, _, err := s.loadEditor(c.Request().Context(), slug)
	if err != nil {
		return err
	}
	f := newForm(c, placementFields...)
	pl, ok := placementFromForm(f)
	row := views.PlacementRow{ID: id, Placement: pl}
	form := views.PlacementEditRow(slug, row, ed.ServiceNames(), ed.ServerNames(), f)
	if !ok {
		return formFailed(c, "placement-"+itoa(id), form)
	}
	if _, _, err := s.db.UpdatePlacement(c.Request().Context(), slug, id, pl, rev); err != nil {
		return editFailed(c, f, err, "placement-"+itoa(id), form)
	}
	return s.renderEditor(c, http.StatusOK, nil)
}

func (s *Server) getPlacement(c echo.Context) (*store.PlacementRecord, error) {
	id, err := parseID(c, "id")
	if err != nil {
		return nil, err
	}
	return s.db.GetPlacement(c.Request().Context(), c.Param("slug"), id)
}

func placementRow(r *store.PlacementRecord) views.PlacementRow {
	return views.PlacementRow{ID: r.ID, ServiceID: r.ServiceID, ServerID: r.ServerID, Placement: r.Placement}
}
