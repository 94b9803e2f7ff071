package server

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/topology"
	"github.com/archmap/archmap/views"
)

var placementFields = []string{"service", "server", "instances"}

// placementFromForm reads a placement; a count that is not a number is a
// message on its field rather than a trip to the store.
func placementFromForm(f *views.Form) (topology.Placement, bool) {
	p := topology.Placement{Service: f.Values["service"], Server: f.Values["server"]}
	n, err := strconv.Atoi(f.Values["instances"])
	if err != nil || n < 1 {
		f.Errors["instances"] = "Enter a whole number of at least 1."
		return p, false
	}
	p.Instances = n
	return p, true
}

func (s *Server) handlePlacementCreate(c echo.Context) error {
	slug := c.Param("slug")
	f := newForm(c, placementFields...)
	rev, err := formRevision(c)
	if err != nil {
		return err
	}
	ed, _, err := s.loadEditor(c.Request().Context(), slug)
	if err != nil {
		return err
	}
	form := views.PlacementAddForm(slug, ed, f)
	pl, ok := placementFromForm(f)
	if !ok {
		return formFailed(c, "placement-add", form)
	}
	if _, _, err := s.db.CreatePlacement(c.Request().Context(), slug, pl, rev); err != nil {
		return s.addFailed(c, f, err, "placement-add", func(ed *views.Editor) { ed.AddPlacement = f }, form)
	}
	return s.renderEditor(c, http.StatusOK, nil)
}

// handlePlacementMatrix sets the instances of one service on one server from
// a cell of the placement matrix: a count places or updates, 0 or empty
// removes.
func (s *Server) handlePlacementMatrix(c echo.Context) error {
	ctx := c.Request().Context()
	slug := c.Param("slug")
	serviceID, err := parseID(c, "service")
	if err != nil {
		return err
	}
	serverID, err := parseID(c, "server")
	if err != nil {
		return err
	}
	rev, err := formRevision(c)
	if err != nil {
		return err
	}
	n := 0
	if v := c.FormValue("instances"); v != "" {
		if n, err = strconv.Atoi(v); err != nil || n < 0 {
			return topology.Errorf(topology.EINVALID, "Instances must be a whole number: 0 or empty removes the placement.")
		}
	}
	r, err := s.db.LoadRecords(ctx, slug)
	if err != nil {
		return err
	}
	var pl topology.Placement
	for _, x := range r.Services {
		if x.ID == serviceID {
			pl.Service = x.Name
		}
	}
	for _, x := range r.Servers {
		if x.ID == serverID {
			pl.Server = x.Name
		}
	}
	if pl.Service == "" || pl.Server == "" {
		return topology.Errorf(topology.ENOTFOUND, "That service or server no longer exists. Reload the page.")
	}
	pl.Instances = n
	var existing int64
	for _, x := range r.Placements {
		if x.ServiceID == serviceID && x.ServerID == serverID {
			existing = x.ID
		}
	}
	switch {
	case existing == 0 && n == 0:
		// nothing placed, nothing asked for
	case existing == 0:
		_, _, err = s.db.CreatePlacement(ctx, slug, pl, rev)
	case n == 0:
		_, err = s.db.DeletePlacement(ctx, slug, existing, rev)
	default:
		_, _, err = s.db.UpdatePlacement(ctx, slug, existing, pl, rev)
	}
	if err != nil {
		return err
	}
	return s.renderEditor(c, http.StatusOK, nil)
}
