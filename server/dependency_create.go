package server

import (
	"math"
	"strconv"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/topology"
	"github.com/archmap/archmap/views"
)

// minCallsPerRequest is views.MinCallsPerRequest as a number.
var minCallsPerRequest, _ = strconv.ParseFloat(views.MinCallsPerRequest, 64)

var dependencyFields = []string{"from", "to", "protocol", "mode", "calls_per_request", "description"}

// dependencyFromForm reads a dependency; calls per request that are not a
// number are a message on their field rather than a trip to the store.
func dependencyFromForm(f *views.Form) (topology.Dependency, bool) {
	d := topology.Dependency{
		From:        f.Values["from"],
		To:          f.Values["to"],
		Protocol:    topology.Protocol(f.Values["protocol"]),
		Mode:        topology.Mode(f.Values["mode"]),
		Description: f.Values["description"],
	}
	v := f.Values["calls_per_request"]
	if v == "" {
		return d, true // the default: one call
	}
	n, err := strconv.ParseFloat(v, 64)
	// The input's min is views.MinCallsPerRequest: the form refuses what
	// the browser would, so both say the same.
	if err != nil || math.IsNaN(n) || math.IsInf(n, 0) || n < minCallsPerRequest || n > topology.MaxCallsPerRequest {
		f.Errors["calls_per_request"] = "Enter a number of at least " + views.MinCallsPerRequest + ", such as 1 or 0.5."
		return d, false
	}
	d.CallsPerRequest = n
	return d, true
}

func (s *Server) handleDependencyCreate(c echo.Context) error {
	slug := c.Param("slug")
	f := newForm(c, dependencyFields...)
	rev, err := formRevision(c)
	if err != nil {
		return err
	}
	form := views.DependencyAddForm(slug, f)
	d, ok := dependencyFromForm(f)
	if !ok {
		return formFailed(c, "dependency-add", form)
	}
	rec, ws, err := s.db.Dependencies().Create(c.Request().Context(), slug, d, rev)
	if err != nil {
		return addFailed(c, f, err, "dependency-add", form)
	}
	return s.editDone(c, ws.Revision, views.SectionDependencies, "", func(ed *views.Editor) templ.Component {
		return join(
			views.DependencyAddForm(slug, &views.Form{Notice: "Added “" + rec.From + "” → “" + rec.To + "”."}),
			views.AppendRow(views.SectionDependencies, views.DependencyRowView(slug, views.DependencyRow{ID: rec.ID, Dependency: rec.Dependency}), len(ed.Dependencies) == 1),
		)
	}, false)
}
