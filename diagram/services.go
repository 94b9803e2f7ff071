package diagram

import (
	"fmt"
	"math"
	"strings"

	"github.com/archmap/archmap/risk"
	"github.com/archmap/archmap/topology"
)

// services writes the logical view: a node per service (or team), an edge
// per dependency (or counted edge between teams).
func (sc *scene) services() {
	m := sc.m
	type edge struct {
		from, to string // node ids
		deps     []int  // indices in Dependencies
	}
	var (
		nodes     []func() // written after the budget is known
		edges     []*edge
		edgeByKey = map[[2]string]*edge{}
		teamNodes = map[string][]int{} // team → member service indices shown
		teamOrder []string
		nodeIDs   []string // in the order of nodes
		labels    []string // their labels, for the grid's cells
	)
	nodeOf := func(i int) string {
		if t := sc.groupOf(i); t != "" {
			return TeamID(t)
		}
		return ServiceID(m.Services[i].Name)
	}
	for i := range m.Services {
		if !sc.shown[i] {
			continue
		}
		s := &m.Services[i]
		if t := sc.groupOf(i); t != "" {
			if _, ok := teamNodes[t]; !ok {
				teamOrder = append(teamOrder, t)
			}
			teamNodes[t] = append(teamNodes[t], i)
			sc.d.Index.Services[s.Name] = []string{TeamID(t)}
			continue
		}
		sc.d.Index.Services[s.Name] = []string{ServiceID(s.Name)}
		nodes = append(nodes, func() { sc.serviceNode(ServiceID(s.Name), s, 0, "") })
		nodeIDs = append(nodeIDs, ServiceID(s.Name))
		labels = append(labels, serviceLabel(s, 0))
	}
	for _, t := range teamOrder {
		sc.d.Index.Teams[t] = []string{TeamID(t)}
		members := teamNodes[t]
		nodes = append(nodes, func() { sc.teamNode(TeamID(t), t, members, "") })
		nodeIDs = append(nodeIDs, TeamID(t))
		labels = append(labels, teamLabel(t, len(members)))
	}
	for i, d := range m.Dependencies {
		a, b := sc.x.service[d.From], sc.x.service[d.To]
		if !sc.shown[a] || !sc.shown[b] || sc.outsideTeam(a, b) {
			continue
		}
		from, to := nodeOf(a), nodeOf(b)
		k := [2]string{from, to}
		if sc.groupOf(a) == "" && sc.groupOf(b) == "" {
			edges = append(edges, &edge{from: from, to: to, deps: []int{i}})
			continue
		}
		if from == to {
			continue // calls inside one team: counted in the team's tooltip
		}
		e := edgeByKey[k]
		if e == nil {
			e = &edge{from: from, to: to}
			edgeByKey[k] = e
			edges = append(edges, e)
		}
		e.deps = append(e.deps, i)
	}

	linked := map[string]bool{}
	for _, e := range edges {
		linked[e.from], linked[e.to] = true, true
	}
	pairs := make([][2]string, len(edges))
	for i, e := range edges {
		pairs[i] = [2]string{e.from, e.to}
	}
	sc.d.cost = layoutCost(nodeIDs, pairs, nil)
	b := newBudget(sc.d.cost)
	if sc.grouped && len(teamOrder) > MaxTeams {
		b = forceBudget()
		sc.d.Note += fmt.Sprintf(" Even %d teams are too many to arrange in columns: they are placed by how they connect. Zoom in to read them.", len(teamOrder))
	}
	sc.header("services", "LR", b)
	packed := !b.force && len(edges) == 0 && len(nodes) >= minGrid
	if packed {
		// Nothing but loose nodes (an import that found no dependency):
		// Graphviz packs them, every node its own component, in an array.
		// Train-Ticket's 67 services: 1070×614 pt, labels 15.6 px at fit,
		// against 1296×788 pt and 12.2 px for the grid of chains. With
		// edges too it scatters the loose nodes around the graph and drops
		// edge labels, so the chains stay for that.
		sc.w.attr(attrs{}.plain("pack", "true").plain("packmode", "array"))
	}
	for _, n := range nodes {
		n()
	}
	for _, e := range edges {
		if len(e.deps) == 1 && !strings.HasPrefix(e.from, "team-") && !strings.HasPrefix(e.to, "team-") {
			d := &m.Dependencies[e.deps[0]]
			id := DependencyID(d.From, d.To)
			sc.indexDep(d, id)
			sc.dependencyEdge(id, e.from, e.to, d, "", b)
			continue
		}
		id := GroupEdgeID(e.from, e.to)
		for _, i := range e.deps {
			sc.indexDep(&m.Dependencies[i], id)
		}
		sc.groupEdge(id, e.from, e.to, e.deps, "", b)
	}
	if !b.force && !packed {
		sc.gridLoose(nodeIDs, labels, func(id string) bool { return linked[id] }, gridAspect, true)
	}
	sc.legend()
	sc.w.close()
}

// gridLoose lays the nodes no edge touches (linked false) out in a grid
// of about aspect (see grid.go) once there are enough of them to make a
// column; lr is the rank direction.
func (sc *scene) gridLoose(ids, labels []string, linked func(id string) bool, aspect float64, lr bool) {
	var loose, looseLabels []string
	for i, id := range ids {
		if !linked(id) {
			loose, looseLabels = append(loose, id), append(looseLabels, labels[i])
		}
	}
	if len(loose) < minGrid {
		return
	}
	w, h := nodeCell(looseLabels, lr)
	sc.grid(loose, gridChains(len(loose), w, h, aspect, lr))
}

// minGrid is the fewest loose nodes put in a grid: fewer make no column.
const minGrid = 4

func (sc *scene) indexDep(d *topology.Dependency, id string) {
	k := DependencyKey{d.From, d.To}
	sc.d.Index.Dependencies[k] = append(sc.d.Index.Dependencies[k], id)
}

// Spacing between nodes in a rank and between ranks (inches).
const (
	nodeSep = 0.3
	rankSep = 0.6
)

// header opens the graph and sets the look shared by both views.
func (sc *scene) header(view, rankdir string, b budget) {
	w := &sc.w
	w.open("digraph archmap")
	g := attrs{}.
		plain("id", "diagram-"+view).
		plain("fontname", fontName).num("fontsize", 10).
		plain("fontcolor", mutedColor).
		plain("rankdir", rankdir).
		plain("bgcolor", "transparent").
		num("pad", 0.3).
		num("nodesep", nodeSep).
		num("ranksep", rankSep).
		plain("outputorder", "edgesfirst").
		plain("newrank", "true").
		plain("labeljust", "l")
	g = append(g, b.graphAttrs()...)
	w.attr(g)
	w.stmt("node", attrs{}.
		plain("fontname", fontName).num("fontsize", nodeFontSize).
		plain("fontcolor", inkColor).
		plain("margin", formatFloat(nodeMarginX)+","+formatFloat(nodeMarginY)).
		num("height", 0.42).
		num("penwidth", 1.2))
	w.stmt("edge", attrs{}.
		plain("fontname", fontName).num("fontsize", edgeFontSize).
		plain("fontcolor", mutedColor).
		plain("color", edgeColor).
		num("arrowsize", 0.7).
		num("penwidth", 1.2))
}

// serviceNode writes the node of one service; instances > 1 adds "×N" to
// its name (placements), server names the placement's server for the tooltip.
func (sc *scene) serviceNode(id string, s *topology.Service, instances int, server string) {
	st := styleOf(s.Kind)
	fs := sc.overlay.collect(risk.ServiceSubject(s.Name))
	sev := worst(fs)
	sc.noteSeverity(sev)
	focus := s.Name == sc.opts.Focus

	label := serviceLabel(s, instances)

	var tip strings.Builder
	tip.WriteString(s.Name)
	fmt.Fprintf(&tip, "\n%s", kindLabels[s.Kind])
	if s.Tech != "" {
		fmt.Fprintf(&tip, " · %s", s.Tech)
	}
	if s.Team != "" {
		fmt.Fprintf(&tip, "\nteam: %s", s.Team)
	}
	if server != "" {
		fmt.Fprintf(&tip, "\non %s", server)
		if instances > 1 {
			fmt.Fprintf(&tip, ", %d instances", instances)
		}
	}
	if s.Description != "" {
		fmt.Fprintf(&tip, "\n%s", truncate(s.Description, 300))
	}
	findingLines(&tip, fs)

	cls := "service"
	if server != "" {
		cls = "placement service"
	}
	a := attrs{}.
		plain("id", id).
		plain("class", classes(cls, "kind-"+string(s.Kind), sevClass(sev), acceptedClass(fs), focusClass(focus))).
		label("label", label).
		tooltip(tip.String()).
		plain("shape", st.shape).
		plain("style", st.style).
		plain("fillcolor", st.fill)
	if st.margin != "" {
		a = a.plain("margin", st.margin)
	}
	a = sc.outline(a, st.stroke, sev, focus)
	a = widthFor(a, label, st.shape)
	sc.w.stmt(plainString(id), a)
}

// serviceLabel is the label of a service's node: its name (with "×N"
// for instances > 1), then its kind and technology.
func serviceLabel(s *topology.Service, instances int) string {
	name := s.Name
	if instances > 1 {
		name += fmt.Sprintf(" ×%d", instances)
	}
	detail := kindLabels[s.Kind]
	if s.Tech != "" {
		detail += " · " + s.Tech
	}
	return name + "\n" + detail
}

func teamLabel(team string, members int) string {
	return fmt.Sprintf("%s\n%d %s", team, members, plural(members, "service", "services"))
}

// teamNode writes the node of a team's services (members: service indices);
// server is set in the deployment view.
func (sc *scene) teamNode(id, team string, members []int, server string) {
	subjects := make([]string, len(members))
	for i, s := range members {
		subjects[i] = risk.ServiceSubject(sc.m.Services[s].Name)
	}
	fs := sc.overlay.collect(subjects...)
	sev := worst(fs)
	sc.noteSeverity(sev)

	label := teamLabel(team, len(members))
	var tip strings.Builder
	fmt.Fprintf(&tip, "team %s", team)
	if server != "" {
		fmt.Fprintf(&tip, " on %s", server)
	}
	for i, s := range members {
		if i == 12 {
			fmt.Fprintf(&tip, "\n… and %d more", len(members)-i)
			break
		}
		fmt.Fprintf(&tip, "\n• %s", sc.m.Services[s].Name)
	}
	findingLines(&tip, fs)
	a := attrs{}.
		plain("id", id).
		plain("class", classes("team", sevClass(sev))).
		label("label", label).
		tooltip(tip.String()).
		plain("shape", "box").
		plain("style", "rounded,filled").
		plain("fillcolor", "#eef2f7").
		num("peripheries", 1)
	a = sc.outline(a, "#8a9bb3", sev, false)
	a = widthFor(a, label, "box")
	sc.w.stmt(plainString(id), a)
}

// outline sets a node's border: the severity's colour, thick, when it has
// findings; darker when focused; else the kind's own.
func (sc *scene) outline(a attrs, stroke string, sev risk.Severity, focus bool) attrs {
	switch {
	case sev != "":
		a = a.plain("color", severityColors[sev]).num("penwidth", 2.6)
	case focus:
		a = a.plain("color", focusColor).num("penwidth", 2.2)
	default:
		a = a.plain("color", stroke)
	}
	return a
}

func focusClass(focus bool) string {
	if focus {
		return "focus"
	}
	return ""
}

// widthFor sets a minimum width on a node whose label Graphviz would
// measure too narrow (non-ASCII text, see textwidth.go) or whose shape
// leaves its label less room than Graphviz allows for.
func widthFor(a attrs, label, shape string) attrs {
	if widerThanGraphviz(label, nodeFontSize) <= 0 && shape != "cds" {
		return a
	}
	pts := labelPoints(label, nodeFontSize)*shapeSlack(shape) + 2*nodeMarginX*72 + 4
	return a.num("width", pts/72)
}

// dependencyEdge writes the edge of one dependency. where is "", "local",
// "network" or "unknown" (deployment view).
func (sc *scene) dependencyEdge(id, from, to string, d *topology.Dependency, where string, b budget) {
	fs := sc.overlay.collect(risk.DependencySubject(d.From, d.To))
	sev := worst(fs)
	if where == "local" {
		// The dependency findings (chatty-cross-network, ipc-across-servers)
		// are about the calls that cross the network, not this one.
		sev = ""
	}
	sc.noteSeverity(sev)

	var tip strings.Builder
	fmt.Fprintf(&tip, "%s → %s\n%s, %s", d.From, d.To, d.Protocol, d.Mode)
	if d.CallsPerRequest != 1 {
		fmt.Fprintf(&tip, ", %s calls per request", formatCalls(d.CallsPerRequest))
	}
	switch where {
	case "local":
		tip.WriteString("\nstays on one server")
	case "network":
		tip.WriteString("\ncrosses the network")
	}
	if d.Description != "" {
		fmt.Fprintf(&tip, "\n%s", truncate(d.Description, 300))
	}
	findingLines(&tip, fs)

	a := attrs{}.
		plain("id", id).
		plain("class", classes("dependency", string(d.Mode), "proto-"+string(d.Protocol), where, sevClass(sev), acceptedClass(fs))).
		tooltip(tip.String()).
		num("penwidth", callsPen(d.CallsPerRequest))
	if d.Mode == topology.ModeAsync {
		a = a.plain("style", "dashed")
	}
	if b.edgeLabels {
		l := ""
		if where == "" {
			l = string(d.Protocol)
		}
		if d.CallsPerRequest > 1 {
			l = strings.TrimSpace(l + " ×" + formatCalls(d.CallsPerRequest))
		}
		if l != "" {
			a = a.label("label", l)
		}
	}
	color := edgeColor
	switch where {
	case "local":
		color = localColor
	case "network":
		color = networkColor
	case "unknown":
		color = unknownColor
	}
	if sev != "" {
		color = severityColors[sev]
		a = a.plain("fontcolor", color)
	}
	a = a.plain("color", color)
	if where == "local" {
		a = a.num("weight", 4) // keep what runs together drawn together
	}
	sc.w.stmt(plainString(from)+" -> "+plainString(to), a)
}

// groupEdge writes an edge that counts several dependencies (indices into
// Dependencies) between two nodes, at least one of them a team.
func (sc *scene) groupEdge(id, from, to string, deps []int, where string, b budget) {
	subjects := make([]string, len(deps))
	var sync, async int
	calls := 0.0
	for i, di := range deps {
		d := &sc.m.Dependencies[di]
		subjects[i] = risk.DependencySubject(d.From, d.To)
		if d.Mode == topology.ModeAsync {
			async++
		} else {
			sync++
		}
		calls = max(calls, d.CallsPerRequest)
	}
	fs := sc.overlay.collect(subjects...)
	sev := worst(fs)
	sc.noteSeverity(sev)

	var tip strings.Builder
	fmt.Fprintf(&tip, "%d %s", len(deps), plural(len(deps), "dependency", "dependencies"))
	for i, di := range deps {
		if i == 12 {
			fmt.Fprintf(&tip, "\n… and %d more", len(deps)-i)
			break
		}
		d := &sc.m.Dependencies[di]
		fmt.Fprintf(&tip, "\n%s → %s (%s, %s)", d.From, d.To, d.Protocol, d.Mode)
	}
	findingLines(&tip, fs)

	mode := "mixed"
	switch {
	case async == 0:
		mode = "sync"
	case sync == 0:
		mode = "async"
	}
	a := attrs{}.
		plain("id", id).
		plain("class", classes("dependency", "group-edge", mode, where, sevClass(sev))).
		tooltip(tip.String()).
		num("penwidth", math.Min(1.2+math.Log2(float64(len(deps)))*0.7, 5))
	if mode == "async" {
		a = a.plain("style", "dashed")
	}
	if len(deps) > 1 && b.edgeLabels {
		a = a.label("label", fmt.Sprintf("%d", len(deps)))
	}
	color := edgeColor
	switch where {
	case "local":
		color = localColor
	case "network":
		color = networkColor
	case "unknown":
		color = unknownColor
	}
	if sev != "" {
		color = severityColors[sev]
		a = a.plain("fontcolor", color) // the count in the worst finding's colour too
	}
	a = a.plain("color", color)
	sc.w.stmt(plainString(from)+" -> "+plainString(to), a)
}

// callsPen is an edge's width: it grows with the calls per request, by
// their logarithm so that 100 calls do not paint a wall.
func callsPen(calls float64) float64 {
	if calls <= 1 {
		return 1.2
	}
	return math.Min(1.2+math.Log2(calls)*0.8, 5)
}

func formatCalls(c float64) string {
	if c == math.Trunc(c) && c < 1e15 {
		return fmt.Sprintf("%d", int64(c))
	}
	return formatFloat(c)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// truncate cuts s to at most n characters, marking the cut.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
