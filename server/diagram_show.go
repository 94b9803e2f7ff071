package server

import (
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/diagram"
	"github.com/archmap/archmap/topology"
	"github.com/archmap/archmap/views"
)

// handleDiagramShow is the diagram tab. The page comes at once; the diagram
// itself loads as a fragment (handleDiagramFragment) behind a loading
// indicator, since a big layout can take seconds.
func (s *Server) handleDiagramShow(c echo.Context) error {
	sn, err := s.workspaceSnapshot(c.Request().Context(), c.Param("slug"))
	if err != nil {
		return err
	}
	ws := sn.workspace
	opts, err := diagramOptions(c, sn.model)
	notice := ""
	if opts.Focus != "" && topology.ErrorCode(err) == topology.ENOTFOUND {
		// A link to a service since renamed or deleted: show the whole
		// diagram and say why, rather than an error page.
		notice = topology.ErrorMessage(err) + " The whole diagram is shown."
		opts.Focus, err = "", nil
	}
	if err != nil {
		return err
	}
	d := diagramPageData(sn, opts, views.WorkspaceURL(ws.Slug))
	d.Slug = ws.Slug
	p := s.workspacePage(c, ws, "diagram")
	p.Notice = notice
	return render(c, http.StatusOK, views.Layout(p, views.DiagramPage(p, d)))
}

// diagramPageData gathers what the diagram page shows beside the diagram.
// base is the path its URLs hang off.
func diagramPageData(sn *snapshot, opts diagram.Options, base string) *views.DiagramPageData {
	m := sn.model
	d := &views.DiagramPageData{Options: opts, Servers: m.Servers, Report: sn.report, Base: base, MaxFindings: maxFindingsListed}
	teams := map[string]bool{}
	for _, svc := range m.Services {
		d.Services = append(d.Services, svc.Name)
		if svc.Team != "" && !teams[svc.Team] {
			teams[svc.Team] = true
			d.Teams = append(d.Teams, svc.Team)
		}
	}
	slices.Sort(d.Services)
	slices.Sort(d.Teams)
	zones := map[string]bool{}
	for _, srv := range m.Servers {
		if srv.Zone != "" && !zones[srv.Zone] {
			zones[srv.Zone] = true
			d.Zones = append(d.Zones, srv.Zone)
		}
	}
	slices.Sort(d.Zones)
	// Past their bounds the lists give way to a text field or a count, so
	// that the page of a 60 000-service model is as small as any.
	d.ServiceCount, d.TeamCount, d.ServerCount, d.ZoneCount = len(d.Services), len(d.Teams), len(d.Servers), len(d.Zones)
	if d.ServiceCount > maxListed {
		d.Services = nil
	}
	if d.TeamCount > maxListed {
		d.Teams = nil
	}
	if d.ServerCount > maxServersListed {
		d.Servers = nil
	}
	if d.ZoneCount > maxServersListed {
		d.Zones = nil
	}
	if d.ServiceCount <= maxServersListed {
		d.FailServices = d.Services
	}
	// The search box finds a server in the services view through what runs
	// on it: only while the servers are listed and the placements few
	// enough to keep the page bounded.
	if d.Servers != nil && len(m.Placements) <= maxListed {
		d.Places = map[string][]string{}
		for _, srv := range m.Servers {
			d.Places[srv.Name] = []string{}
		}
		for _, pl := range m.Placements {
			if !slices.Contains(d.Places[pl.Server], pl.Service) {
				d.Places[pl.Server] = append(d.Places[pl.Server], pl.Service)
			}
		}
	}
	return d
}

// Bounds of the diagram page's lists (the focus and team selects, the
// servers and zones of the simulation, the findings). With names of at
// most 100 characters they keep a page under 1 MiB whatever the model;
// BENCHMARKS.md has the figures.
const (
	maxListed        = 1000
	maxServersListed = 300
	// The diagram page lists the most serious findings only: the whole
	// list is the Findings view's (grouped, filtered), and on the page of
	// a 1 000-service model it took 640 KB (975 findings; 129 KB at 200).
	maxFindingsListed = 50
)

// diagramOptions reads the toolbar's choices from the query string; the
// service to focus on must be one of m's.
func diagramOptions(c echo.Context, m *topology.Model) (diagram.Options, error) {
	o, err := diagram.ParseQuery(c.QueryParams())
	if err != nil {
		return o, err
	}
	return o, o.CheckModel(m)
}
