package server

import (
	"context"
	"net/http"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/diagram"
	"github.com/archmap/archmap/topology"
	"github.com/archmap/archmap/views"
)

// handleDiagramFragment renders the diagram for the page: the sanitized SVG
// inline, with the data island that tells app.js which element is what.
// A diagram that cannot be drawn (too slow, renderer busy) says so in the
// diagram's place, not in a page of its own.
func (s *Server) handleDiagramFragment(c echo.Context) error {
	ctx := c.Request().Context()
	slug := c.Param("slug")
	head, err := s.db.GetWorkspace(ctx, slug)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store") // as every signed-in page
	if b, ok := s.responses.get(pageKey("fragment", workspaceKey(head, head.Revision), c)); ok {
		return writeCached(c, http.StatusOK, echo.MIMETextHTMLCharsetUTF8, b)
	}
	if err := s.knownTimeout(workspaceKey(head, head.Revision), c); err != nil {
		return fragmentFailed(c, err)
	}
	sn, err := s.snapshotOf(ctx, head)
	if err != nil {
		return err
	}
	if len(sn.model.Services) == 0 {
		return render(c, http.StatusOK, views.DiagramEmpty(views.WorkspaceURL(slug)))
	}
	return s.serveFragment(c, sn, views.WorkspaceURL(slug))
}

// serveFragment answers with the diagram fragment of sn for the request's
// options, and keeps it for the next request for the same revision,
// address and options: sanitizing a big SVG costs more than looking it up.
// base is the path of the page's own addresses (/w/{slug}, /s/{token}).
func (s *Server) serveFragment(c echo.Context, sn *snapshot, base string) error {
	opts, err := diagramOptions(c, sn.model)
	if err != nil {
		return err
	}
	// Built once however many ask at once: the DOT of a big model takes
	// hundreds of megabytes to build. The build serves every waiter, so
	// the first one leaving must not cancel it (the renderer bounds it).
	b, err := s.responses.load(pageKey("fragment", sn.key, c), func() ([]byte, error) {
		frag, err := s.diagramFragment(context.WithoutCancel(c.Request().Context()), sn, opts, base)
		if err != nil {
			return nil, err
		}
		return renderHTML(c, frag)
	})
	if err != nil {
		return fragmentFailed(c, err)
	}
	return writeCached(c, http.StatusOK, echo.MIMETextHTMLCharsetUTF8, b)
}

// fragmentFailed answers a diagram fragment that could not be drawn (too
// slow, renderer busy) with the message in the diagram's place.
func fragmentFailed(c echo.Context, err error) error {
	switch code := topology.ErrorCode(err); code {
	case topology.ETIMEOUT, topology.EUNAVAILABLE:
		if code == topology.EUNAVAILABLE {
			c.Response().Header().Set("Retry-After", retryAfterSeconds)
		}
		return render(c, statusOf(code), views.DiagramFailed(topology.ErrorMessage(err)))
	}
	return err
}

// diagramFragment draws the model and returns the fragment for the page
// whose addresses hang off base: the side panel's, and the overview's that
// an opened team's breadcrumb leads back to.
func (s *Server) diagramFragment(ctx context.Context, sn *snapshot, opts diagram.Options, base string) (templ.Component, error) {
	d, svg, err := s.exporter(sn.key, opts).Draw(ctx, sn.model, sn.report.Findings, opts)
	if err != nil {
		return nil, err
	}
	clean, err := diagram.SanitizeInline(svg)
	if err != nil {
		return nil, err
	}
	data := diagramData(sn.model, d.Index, base+"/diagram/panel")
	crumb := views.DiagramCrumb{Team: opts.Team}
	if opts.Team != "" {
		crumb.Back = base + "/diagram?" + opts.WithTeam("").Query()
	}
	return views.DiagramFragment(clean, d.Note, data, crumb), nil
}

// diagramData is the data island of a diagram: the element ids of each
// service, dependency and server, each service's team and neighbours.
func diagramData(m *topology.Model, ix diagram.Index, panelURL string) views.DiagramData {
	data := views.DiagramData{
		View:     ix.View,
		Services: map[string]views.DiagramService{},
		Edges:    map[string][]string{},
		Servers:  map[string][]string{},
		PanelURL: panelURL,
		Teams:    ix.Teams,
	}
	for _, svc := range m.Services {
		ids, ok := ix.Services[svc.Name]
		if !ok {
			continue // left out by a focus
		}
		data.Services[svc.Name] = views.DiagramService{IDs: ids, Team: svc.Team, Upstream: []string{}, Downstream: []string{}}
	}
	// (from, to) pairs are unique in a valid model, so each neighbour is
	// listed once. Read-modify-write one end at a time: a self-call is both.
	for _, dep := range m.Dependencies {
		if _, ok := data.Services[dep.From]; !ok {
			continue
		}
		if _, ok := data.Services[dep.To]; !ok {
			continue
		}
		from := data.Services[dep.From]
		from.Downstream = append(from.Downstream, dep.To)
		data.Services[dep.From] = from
		to := data.Services[dep.To]
		to.Upstream = append(to.Upstream, dep.From)
		data.Services[dep.To] = to
		if ids := ix.Dependencies[diagram.DependencyKey{From: dep.From, To: dep.To}]; len(ids) > 0 {
			data.Edges[dep.From+"->"+dep.To] = ids
		}
	}
	for name, id := range ix.Servers {
		data.Servers[name] = []string{id}
	}
	return data
}
