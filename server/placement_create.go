package server

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/store"
	"github.com/archmap/archmap/topology"
	"github.com/archmap/archmap/views"
)

var placementFields = []string{"service", "server", "instances"}

// placementAddFields are the add form's: a placement, and whether to make
// its server first when there is none of that name.
var placementAddFields = append(append([]string{}, placementFields...), "create_server")

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
	f := newForm(c, placementAddFields...)
	rev, err := formRevision(c)
	if err != nil {
		return err
	}
	form := views.PlacementAddForm(slug, f)
	pl, ok := placementFromForm(f)
	if !ok {
		return formFailed(c, "placement-add", form)
	}
	// A server not yet in the model is made on the way, when asked, in the
	// same change: one form instead of a trip to the servers section and
	// back, and one revision.
	rec, made, ws, err := s.db.PlaceService(c.Request().Context(), slug, pl, f.Values["create_server"] != "", rev)
	if err != nil {
		return addFailed(c, f, err, "placement-add", form)
	}
	notice := "Placed “" + rec.Service + "” on “" + rec.Server + "”."
	refresh := []string{views.SectionMatrix, views.SectionServers}
	if made != nil {
		notice = "Added the server “" + made.Name + "” and placed “" + rec.Service + "” on it."
	}
	return s.editDone(c, ws.Revision, views.SectionPlacements, "", func(ed *views.Editor) templ.Component {
		return join(
			views.PlacementAddForm(slug, &views.Form{Notice: notice}),
			views.AppendRow(views.SectionPlacements, views.PlacementRowView(slug, placementRow(rec)), len(ed.Placements) == 1),
		)
	}, made != nil, refresh...)
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
	r, err := s.db.LoadRecords(ctx, slug)
	if err != nil {
		return err
	}
	svc, srv, ok := matrixEnds(r, serviceID, serverID)
	if !ok {
		return topology.Errorf(topology.ENOTFOUND, "That service or server no longer exists. Reload the page.")
	}
	// A refused count stays in its cell, marked, with the message beside it.
	typed := strings.TrimSpace(c.FormValue("instances"))
	n := 0
	if typed != "" {
		if n, err = strconv.Atoi(typed); err != nil || n < 0 || n > topology.MaxInstances {
			return render(c, http.StatusUnprocessableEntity, views.MatrixCell(svc, srv, 0, typed, "Enter a whole number (0 or empty removes)."))
		}
	}
	pl := topology.Placement{Service: svc.Name, Server: srv.Name, Instances: n}
	var existing int64
	for _, x := range r.Placements {
		if x.ServiceID == serviceID && x.ServerID == serverID {
			existing = x.ID
		}
	}
	newRev := rev // nothing written: the page's revision stays
	var ws *store.Workspace
	switch {
	case existing == 0 && n == 0:
		// nothing placed, nothing asked for
	case existing == 0:
		_, ws, err = s.db.Placements().Create(ctx, slug, pl, rev)
	case n == 0:
		ws, err = s.db.Placements().Delete(ctx, slug, existing, rev)
	default:
		_, ws, err = s.db.Placements().Update(ctx, slug, existing, pl, rev)
	}
	if topology.ErrorCode(err) == topology.EPRECONDITION {
		return render(c, http.StatusConflict, views.MatrixCell(svc, srv, 0, typed, "Changed by someone else meanwhile: not saved. Reload the matrix."))
	}
	if err != nil {
		return err
	}
	if ws != nil {
		newRev = ws.Revision
	}
	return s.editDone(c, newRev, views.SectionPlacements, "", func(ed *views.Editor) templ.Component {
		return join(
			views.MatrixCell(svc, srv, ed.Instances(svc.ID, srv.ID), "", ""),
			views.ServiceTotal(ed, svc, true),
			views.ServerTotal(ed, srv, true),
		)
	}, false, views.SectionPlacements, views.SectionServers)
}

// matrixEnds finds the service and server of a matrix cell.
func matrixEnds(r *store.Records, serviceID, serverID int64) (views.ServiceRow, views.ServerRow, bool) {
	var svc views.ServiceRow
	var srv views.ServerRow
	for _, x := range r.Services {
		if x.ID == serviceID {
			svc = views.ServiceRow{ID: x.ID, Service: x.Service}
		}
	}
	for _, x := range r.Servers {
		if x.ID == serverID {
			srv = views.ServerRow{ID: x.ID, Server: x.Server}
		}
	}
	return svc, srv, svc.ID != 0 && srv.ID != 0
}
