package server

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/risk"
	"github.com/archmap/archmap/topology"
	"github.com/archmap/archmap/views"
)

// handleDiagramSimulate fails the ticked servers and zones and lists the
// services that go down or are degraded; the page marks them on the diagram.
// It changes nothing stored: POST only because it is a form of questions.
func (s *Server) handleDiagramSimulate(c echo.Context) error {
	sn, err := s.workspaceSnapshot(c.Request().Context(), c.Param("slug"))
	if err != nil {
		return err
	}
	form, err := readForm(c)
	if err != nil {
		return err
	}
	d, err := simulation(sn.model, form["fail"])
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.SimulationResult(d))
}

// maxSimulateForm bounds the simulation form of a share page: a name per
// server and zone ticked, far below this for any model archmap accepts.
const maxSimulateForm = 256 << 10

// readForm parses the request's form. A body over its bound, Content-Length
// or not (chunked), is 413, not an unreadable form.
func readForm(c echo.Context) (url.Values, error) {
	form, err := c.FormParams()
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig), errors.Is(err, echo.ErrStatusRequestEntityTooLarge):
		return nil, echo.ErrStatusRequestEntityTooLarge
	case err != nil:
		return nil, topology.Errorf(topology.EINVALID, "Unreadable form.")
	}
	return form, nil
}

func simulation(m *topology.Model, fail []string) (*views.SimulationData, error) {
	d := &views.SimulationData{Failed: fail, Total: len(m.Services)}
	marks := views.SimulationMarks{Down: []string{}, Degraded: []string{}, Servers: []string{}}
	if len(fail) > 0 {
		sim, err := risk.Simulate(m, fail)
		if err != nil {
			return nil, err
		}
		d.Down, d.Degraded, d.Reasons = sim.Down, sim.Degraded, sim.Reasons
		marks.Down, marks.Degraded = sim.Down, sim.Degraded
	}
	failed := map[string]bool{}
	for _, f := range fail {
		kind, name, _ := strings.Cut(f, ":")
		switch kind {
		case risk.FailServer:
			failed[name] = true
		case risk.FailZone:
			for _, srv := range m.Servers {
				if srv.Zone == name {
					failed[srv.Name] = true
				}
			}
		}
	}
	for _, srv := range m.Servers {
		if failed[srv.Name] {
			marks.Servers = append(marks.Servers, srv.Name)
		}
	}
	d.Marks = marks
	return d, nil
}
