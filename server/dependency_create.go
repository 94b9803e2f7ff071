package server

import (
	"math"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/topology"
	"github.com/archmap/archmap/views"
)

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
	if err != nil || math.IsNaN(n) || math.IsInf(n, 0) || n <= 0 {
		f.Errors["calls_per_request"] = "Enter a number greater than 0, such as 1 or 0.5."
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
	ed, _, err := s.loadEditor(c.Request().Context(), slug)
	if err != nil {
		return err
	}
	form := views.DependencyAddForm(slug, ed.ServiceNames(), f)
	d, ok := dependencyFromForm(f)
	if !ok {
		return formFailed(c, "dependency-add", form)
	}
	if _, _, err := s.db.CreateDependency(c.Request().Context(), slug, d, rev); err != nil {
		return s.addFailed(c, f, err, "dependency-add", func(ed *views.Editor) { ed.AddDependency = f }, form)
	}
	return s.renderEditor(c, http.StatusOK, nil)
}
