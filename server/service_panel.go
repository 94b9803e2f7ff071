package server

import (
	"net/http"
	"slices"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/risk"
	"github.com/archmap/archmap/topology"
	"github.com/archmap/archmap/views"
)

// handleServicePanel is the side panel of a service selected on the diagram:
// its details, where it runs, its callers and callees, and its risks. It
// takes the service by name, as the diagram knows it.
//
// Unlike a share page's, it links the service to its row in the model
// editor.
func (s *Server) handleServicePanel(c echo.Context) error {
	ctx := c.Request().Context()
	slug := c.Param("slug")
	sn, err := s.workspaceSnapshot(ctx, slug)
	if err != nil {
		return err
	}
	if c.QueryParam("server") != "" {
		panel, err := sidePanel(sn, c)
		if err != nil {
			return err
		}
		return render(c, http.StatusOK, panel)
	}
	d, err := servicePanel(sn, c.QueryParam("service"))
	if err != nil {
		return err
	}
	// The row's id is the store's, not the model's: looked up by name.
	// A rename since the snapshot finds nothing, and the link searches
	// for the name alone.
	list, err := s.db.Services().List(ctx, slug)
	if err != nil {
		return err
	}
	var id int64
	for _, r := range list {
		if r.Name == d.Service.Name {
			id = r.ID
			break
		}
	}
	d.EditorURL = views.ServiceEditorURL(slug, d.Service.Name, id)
	return render(c, http.StatusOK, views.ServicePanel(d))
}

// sidePanel is the panel of what the query names: ?service=NAME or
// ?server=NAME.
func sidePanel(sn *snapshot, c echo.Context) (templ.Component, error) {
	if name := c.QueryParam("server"); name != "" {
		d, err := serverPanel(sn, name)
		if err != nil {
			return nil, err
		}
		return views.ServerPanel(d), nil
	}
	d, err := servicePanel(sn, c.QueryParam("service"))
	if err != nil {
		return nil, err
	}
	return views.ServicePanel(d), nil
}

// serverPanel gathers what runs on a server, its findings, and what its
// loss takes down (a simulation of that server alone).
func serverPanel(sn *snapshot, name string) (*views.ServerPanelData, error) {
	m := sn.model
	i := slices.IndexFunc(m.Servers, func(s topology.Server) bool { return s.Name == name })
	if i < 0 {
		return nil, topology.Errorf(topology.ENOTFOUND, "There is no server %q.", name)
	}
	d := &views.ServerPanelData{Server: m.Servers[i]}
	for _, p := range m.Placements {
		if p.Server == name {
			d.Placements = append(d.Placements, p)
		}
	}
	subject := risk.ServerSubject(name)
	for _, f := range sn.report.Findings {
		if slices.Contains(f.Subjects, subject) {
			d.Findings = append(d.Findings, f)
		}
	}
	loss, err := simulation(m, []string{risk.FailServer + ":" + name})
	if err != nil {
		return nil, err
	}
	d.Loss = loss
	return d, nil
}

func servicePanel(sn *snapshot, name string) (*views.ServicePanelData, error) {
	m := sn.model
	i := slices.IndexFunc(m.Services, func(s topology.Service) bool { return s.Name == name })
	if i < 0 {
		return nil, topology.Errorf(topology.ENOTFOUND, "There is no service %q.", name)
	}
	d := &views.ServicePanelData{Service: m.Services[i]}
	for _, p := range m.Placements {
		if p.Service == name {
			d.Placements = append(d.Placements, p)
		}
	}
	for _, dep := range m.Dependencies {
		if dep.To == name {
			d.Upstream = append(d.Upstream, dep)
		}
		if dep.From == name {
			d.Downstream = append(d.Downstream, dep)
		}
	}
	// Its findings, and those on its calls in and out: a chatty call or a
	// sync chain through it is its business too.
	subjects := map[string]bool{risk.ServiceSubject(name): true}
	for _, dep := range append(slices.Clip(d.Upstream), d.Downstream...) {
		subjects[risk.DependencySubject(dep.From, dep.To)] = true
	}
	for _, f := range sn.report.Findings {
		if slices.ContainsFunc(f.Subjects, func(s string) bool { return subjects[s] }) {
			d.Findings = append(d.Findings, f)
		}
	}
	return d, nil
}
