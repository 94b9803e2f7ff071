package diagram

import (
	"fmt"
	"slices"
	"strings"

	"github.com/archmap/archmap/risk"
	"github.com/archmap/archmap/topology"
)

// end is one node a dependency can start or end at in the deployment view:
// a placement (or a team's services on a server), or an unplaced service.
type end struct {
	node   string // element id
	server string // "" when not placed
	zone   string
	order  int // position, for stable choices
}

// deployment writes the physical view: a cluster per server inside a
// cluster per zone, a node per placement, and the dependencies between
// placements.
//
// A dependency a → b is drawn between placements, bounded and readable:
// each placement of a calls b's placement on the same server when there is
// one (an on-server call), else one placement of b, preferring its own zone
// and spreading over b's placements (a call across the network); then each
// placement of b that nobody calls yet gets a call from one placement of a.
// That is at most |placements(a)| + |placements(b)| edges, every placement
// takes part, and a call is drawn across the network exactly when a's server
// does not host b — the fact the risk rules use.
func (sc *scene) deployment() {
	m, x := sc.m, sc.x
	if !sc.grouped && x.hasTeams && sc.placementNodes(false) > MaxPlacementNodes {
		sc.grouped = true
		sc.d.Grouped = true
		sc.d.Note = fmt.Sprintf("Grouped by team: %d placements are too many to lay out one by one. Focus on a service to see where it and its neighbours run.", sc.placementNodes(false))
	}
	if n := sc.placementNodes(sc.grouped); n > MaxPlacementNodes {
		sc.d.ServersOnly = true
		sc.d.Note = fmt.Sprintf("One box per server: %d placements are too many to lay out one by one, even grouped by team. Focus on a service to see where it and its neighbours run.", sc.placementNodes(false))
		sc.deploymentServers()
		return
	}

	// The ends of each service shown, and the nodes to write per server.
	ends := make([][]end, len(m.Services))
	type teamOnServer struct {
		team    string
		members []int
	}
	perServer := make([][]func(), len(m.Servers))
	// The ids and labels of each server's nodes, for the grid of the ones
	// no edge touches; the last two are the external and unplaced nodes.
	gridIDs := make([][]string, len(m.Servers)+2)
	gridLabels := make([][]string, len(m.Servers)+2)
	addCell := func(k int, id, label string) {
		gridIDs[k] = append(gridIDs[k], id)
		gridLabels[k] = append(gridLabels[k], label)
	}
	teamAt := map[[2]string]*teamOnServer{} // (team, server) → its node's members
	var external, unplaced []func()
	order := 0
	for si := range m.Servers {
		srv := &m.Servers[si]
		for _, pi := range x.hosted[si] {
			p := &m.Placements[pi]
			i := x.service[p.Service]
			if !sc.shown[i] {
				continue
			}
			s := &m.Services[i]
			var id string
			if t := sc.groupOf(i); t != "" {
				id = TeamPlacementID(t, srv.Name)
				k := [2]string{t, srv.Name}
				ts := teamAt[k]
				if ts == nil {
					ts = &teamOnServer{team: t}
					teamAt[k] = ts
					sc.d.Index.Teams[t] = append(sc.d.Index.Teams[t], id)
					perServer[si] = append(perServer[si], func() { sc.teamNode(id, ts.team, ts.members, srv.Name) })
					addCell(si, id, teamLabel(t, 10))
				}
				ts.members = append(ts.members, i)
			} else {
				id = PlacementID(s.Name, srv.Name)
				inst := p.Instances
				perServer[si] = append(perServer[si], func() { sc.serviceNode(id, s, inst, srv.Name) })
				addCell(si, id, serviceLabel(s, inst))
			}
			if !slices.ContainsFunc(ends[i], func(e end) bool { return e.node == id }) {
				ends[i] = append(ends[i], end{node: id, server: srv.Name, zone: srv.Zone, order: order})
				order++
			}
			sc.d.Index.Services[s.Name] = appendNew(sc.d.Index.Services[s.Name], id)
		}
	}
	for i := range m.Services {
		s := &m.Services[i]
		if !sc.shown[i] || len(x.placements[i]) > 0 {
			continue
		}
		// Not placed: drawn on its own, outside the servers, never grouped
		// (there is no server to group it on).
		id := ServiceID(s.Name)
		ends[i] = []end{{node: id, order: order}}
		order++
		sc.d.Index.Services[s.Name] = []string{id}
		n := func() { sc.serviceNode(id, s, 0, "") }
		if s.Kind == topology.KindExternal {
			external = append(external, n)
			addCell(len(m.Servers), id, serviceLabel(s, 0))
		} else {
			unplaced = append(unplaced, n)
			addCell(len(m.Servers)+1, id, serviceLabel(s, 0))
		}
	}

	// Edges: one list of (from end, to end, dependencies) so that team
	// edges can count.
	type edge struct {
		from, to end
		deps     []int
	}
	var edges []*edge
	edgeAt := map[[2]string]*edge{}
	for di, d := range m.Dependencies {
		a, b := x.service[d.From], x.service[d.To]
		if !sc.shown[a] || !sc.shown[b] || sc.outsideTeam(a, b) {
			continue
		}
		grouped := sc.groupOf(a) != "" || sc.groupOf(b) != ""
		for _, p := range pairEnds(ends[a], ends[b]) {
			if !grouped {
				edges = append(edges, &edge{from: p[0], to: p[1], deps: []int{di}})
				continue
			}
			if p[0].node == p[1].node {
				continue // inside one team on one server
			}
			k := [2]string{p[0].node, p[1].node}
			e := edgeAt[k]
			if e == nil {
				e = &edge{from: p[0], to: p[1]}
				edgeAt[k] = e
				edges = append(edges, e)
			}
			if !slices.Contains(e.deps, di) {
				e.deps = append(e.deps, di)
			}
		}
	}

	var ids []string
	for _, g := range gridIDs {
		ids = append(ids, g...)
	}
	serverOf := map[string]string{}
	pairs := make([][2]string, len(edges))
	for i, e := range edges {
		pairs[i] = [2]string{e.from.node, e.to.node}
		serverOf[e.from.node], serverOf[e.to.node] = e.from.server, e.to.server
	}
	sc.d.cost = layoutCost(ids, pairs, func(id string) string { return serverOf[id] })
	bud := deploymentBudget(sc.d.cost)
	sc.header("deployment", deploymentRankdir, bud)

	// Clusters: zones (when the model has any) holding servers.
	sc.zonedServers(func(si int) bool { return len(perServer[si]) > 0 }, func(si int) {
		sc.serverCluster(si, perServer[si])
	})
	sc.looseCluster(ExternalClusterID, "outside our servers", external)
	sc.looseCluster(UnplacedClusterID, "not placed on any server", unplaced)

	for _, e := range edges {
		where := "network"
		switch {
		case e.from.server == "" || e.to.server == "":
			where = "unknown"
		case e.from.server == e.to.server:
			where = "local"
		}
		if len(e.deps) == 1 && !strings.HasPrefix(e.from.node, "team-") && !strings.HasPrefix(e.to.node, "team-") {
			d := &m.Dependencies[e.deps[0]]
			id := DeploymentEdgeID(d.From, d.To, e.from.server, e.to.server)
			sc.indexDep(d, id)
			sc.dependencyEdge(id, e.from.node, e.to.node, d, where, bud)
			continue
		}
		id := GroupEdgeID(e.from.node, e.to.node)
		for _, di := range e.deps {
			sc.indexDep(&m.Dependencies[di], id)
		}
		sc.groupEdge(id, e.from.node, e.to.node, e.deps, where, bud)
	}

	// What no edge touches is laid out in a grid per server (and for the
	// external and unplaced services), each about as wide as its share of
	// a 16:9 frame: the servers stand side by side.
	linked := map[string]bool{}
	for _, e := range edges {
		linked[e.from.node], linked[e.to.node] = true, true
	}
	boxes := 0
	for _, ids := range gridIDs {
		if len(ids) > 0 {
			boxes++
		}
	}
	aspect := max(gridAspect/float64(max(boxes, 1)), 0.5)
	for k, ids := range gridIDs {
		sc.gridLoose(ids, gridLabels[k], func(id string) bool { return linked[id] }, aspect, deploymentRankdir == "LR")
	}
	sc.legend()
	sc.w.close()
}

// deploymentRankdir is the deployment view's direction. Top to bottom
// puts the clusters that share ranks — zones, and servers in a zone — side
// by side, so a landscape frame holds them; left to right stacked them
// into one tall column (the demo: 1084×997 pt, labels 9.6 px at fit).
const deploymentRankdir = "TB"

// placementNodes counts the nodes the deployment view would draw for the
// services shown, grouped by team or not.
func (sc *scene) placementNodes(grouped bool) int {
	saved := sc.grouped
	sc.grouped = grouped
	defer func() { sc.grouped = saved }()
	seen := map[[2]string]bool{}
	n := 0
	for i := range sc.m.Services {
		if !sc.shown[i] {
			continue
		}
		if len(sc.x.placements[i]) == 0 {
			n++
			continue
		}
		key := sc.m.Services[i].Name
		if t := sc.groupOf(i); t != "" {
			key = "team\x00" + t
		}
		for _, pi := range sc.x.placements[i] {
			k := [2]string{key, sc.m.Placements[pi].Server}
			if !seen[k] {
				seen[k] = true
				n++
			}
		}
	}
	return n
}

// deploymentServers is the deployment view at its coarsest: a node per
// server (in its zone's cluster) counting the services on it, one node for
// the external services and one for the unplaced ones, and an edge between
// two of them counting the dependencies that cross the network between
// them.
func (sc *scene) deploymentServers() {
	m, x := sc.m, sc.x
	ends := make([][]end, len(m.Services))
	on := make([][]int, len(m.Servers)) // server → services shown on it
	var external, unplaced []int
	for i := range m.Services {
		if !sc.shown[i] {
			continue
		}
		s := &m.Services[i]
		for _, pi := range x.placements[i] {
			si := x.server[m.Placements[pi].Server]
			srv := &m.Servers[si]
			id := ServerID(srv.Name)
			on[si] = append(on[si], i)
			ends[i] = append(ends[i], end{node: id, server: srv.Name, zone: srv.Zone, order: si})
			sc.d.Index.Services[s.Name] = appendNew(sc.d.Index.Services[s.Name], id)
		}
		if len(ends[i]) > 0 {
			continue
		}
		id := UnplacedClusterID
		if s.Kind == topology.KindExternal {
			id = ExternalClusterID
			external = append(external, i)
		} else {
			unplaced = append(unplaced, i)
		}
		ends[i] = []end{{node: id, order: len(m.Servers)}}
		sc.d.Index.Services[s.Name] = []string{id}
	}
	type edge struct {
		from, to end
		deps     []int
	}
	var edges []*edge
	edgeAt := map[[2]string]*edge{}
	for di, d := range m.Dependencies {
		a, b := x.service[d.From], x.service[d.To]
		if !sc.shown[a] || !sc.shown[b] {
			continue
		}
		for _, p := range pairEnds(ends[a], ends[b]) {
			if p[0].node == p[1].node {
				continue // stays on one server
			}
			k := [2]string{p[0].node, p[1].node}
			e := edgeAt[k]
			if e == nil {
				e = &edge{from: p[0], to: p[1]}
				edgeAt[k] = e
				edges = append(edges, e)
			}
			if !slices.Contains(e.deps, di) {
				e.deps = append(e.deps, di)
			}
		}
	}

	if len(edges) > maxServerEdges {
		// Thousands of lines between hundreds of boxes show nothing and take
		// dot minutes: keep the ones with findings, then the busiest.
		total := len(edges)
		rank := func(e *edge) (int, int) {
			subjects := make([]string, len(e.deps))
			for i, di := range e.deps {
				subjects[i] = risk.DependencySubject(m.Dependencies[di].From, m.Dependencies[di].To)
			}
			return worst(sc.overlay.collect(subjects...)).Rank(), len(e.deps)
		}
		slices.SortStableFunc(edges, func(a, b *edge) int {
			sa, na := rank(a)
			sb, nb := rank(b)
			if sa != sb {
				return sb - sa
			}
			return nb - na
		})
		edges = edges[:maxServerEdges]
		sc.d.Note += fmt.Sprintf(" Of %d connections between servers the %d busiest or riskiest are drawn.", total, maxServerEdges)
	}
	ids := []string{ExternalClusterID, UnplacedClusterID}
	zoneOf := map[string]string{}
	for _, srv := range m.Servers {
		ids = append(ids, ServerID(srv.Name))
		zoneOf[ServerID(srv.Name)] = srv.Zone
	}
	pairs := make([][2]string, len(edges))
	for i, e := range edges {
		pairs[i] = [2]string{e.from.node, e.to.node}
	}
	sc.d.cost = layoutCost(ids, pairs, func(id string) string { return zoneOf[id] })
	bud := serversBudget(sc.d.cost)
	sc.header("deployment", deploymentRankdir, bud)
	sc.zonedServers(func(si int) bool { return len(on[si]) > 0 }, func(si int) {
		sc.serverNode(si, on[si])
	})
	sc.looseNode(ExternalClusterID, "external services", external)
	sc.looseNode(UnplacedClusterID, "services not placed on any server", unplaced)
	for _, e := range edges {
		where := "network"
		if e.from.server == "" || e.to.server == "" {
			where = "unknown"
		}
		id := GroupEdgeID(e.from.node, e.to.node)
		for _, di := range e.deps {
			sc.indexDep(&m.Dependencies[di], id)
		}
		sc.groupEdge(id, e.from.node, e.to.node, e.deps, where, bud)
	}
	sc.legend()
	sc.w.close()
}

// maxServerEdges bounds the edges of the one-node-per-server view.
const maxServerEdges = 250

// zoneCluster opens the cluster of a zone; the caller closes it.
func (sc *scene) zoneCluster(z string) {
	id := ZoneID(z)
	sc.d.Index.Zones[z] = id
	sc.w.open("subgraph " + plainString("cluster_"+id))
	sc.w.attr(attrs{}.
		plain("id", id).
		plain("class", "zone").
		label("label", "zone "+z).
		plain("labelloc", "t").
		tooltip("zone "+z).
		plain("style", "rounded,filled").
		plain("fillcolor", zoneFill).
		plain("color", zoneStroke).
		plain("fontcolor", mutedColor).
		num("fontsize", clusterFontSize).
		num("penwidth", 1))
}

// serverNode writes a server as one node counting its services (members).
func (sc *scene) serverNode(si int, members []int) {
	srv := &sc.m.Servers[si]
	id := ServerID(srv.Name)
	sc.d.Index.Servers[srv.Name] = id
	subjects := []string{risk.ServerSubject(srv.Name)}
	for _, i := range members {
		subjects = append(subjects, risk.ServiceSubject(sc.m.Services[i].Name))
	}
	fs := sc.overlay.collect(subjects...)
	sev := worst(fs)
	sc.noteSeverity(sev)
	label := fmt.Sprintf("%s · %s\n%d %s", srv.Name, srv.Kind, len(members), plural(len(members), "service", "services"))
	var tip strings.Builder
	fmt.Fprintf(&tip, "%s\n%s", srv.Name, srv.Kind)
	if srv.Zone != "" {
		fmt.Fprintf(&tip, ", zone %s", srv.Zone)
	}
	for i, s := range members {
		if i == 12 {
			fmt.Fprintf(&tip, "\n… and %d more", len(members)-i)
			break
		}
		fmt.Fprintf(&tip, "\n• %s", sc.m.Services[s].Name)
	}
	findingLines(&tip, fs)
	st := serverStyleOf(srv.Kind)
	managed := ""
	if srv.Kind.Managed() {
		managed = "managed"
	}
	a := attrs{}.
		plain("id", id).
		plain("class", classes("server", "server-"+string(srv.Kind), managed, sevClass(sev))).
		label("label", label).
		tooltip(tip.String()).
		plain("shape", "box").
		plain("style", st.style).
		plain("fillcolor", "#ffffff")
	a = sc.outline(a, st.stroke, sev, false)
	a = widthFor(a, label, "box")
	sc.w.stmt(plainString(id), a)
}

// looseNode writes one node standing for services on no server.
func (sc *scene) looseNode(id, what string, members []int) {
	if len(members) == 0 {
		return
	}
	subjects := make([]string, len(members))
	for i, s := range members {
		subjects[i] = risk.ServiceSubject(sc.m.Services[s].Name)
	}
	fs := sc.overlay.collect(subjects...)
	sev := worst(fs)
	sc.noteSeverity(sev)
	var tip strings.Builder
	fmt.Fprintf(&tip, "%d %s", len(members), what)
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
		plain("class", id).
		label("label", fmt.Sprintf("%d %s", len(members), what)).
		tooltip(tip.String()).
		plain("shape", "box").
		plain("style", "rounded,dashed").
		plain("color", "#b8c2d0")
	if sev != "" {
		a = a.plain("fontcolor", severityColors[sev])
	}
	sc.w.stmt(plainString(id), a)
}

// serverCluster writes the cluster of one server with its nodes. A server
// with no node shown gets a small placeholder, since Graphviz drops empty
// clusters.
func (sc *scene) serverCluster(si int, nodes []func()) {
	srv := &sc.m.Servers[si]
	id := ServerID(srv.Name)
	sc.d.Index.Servers[srv.Name] = id
	fs := sc.overlay.collect(risk.ServerSubject(srv.Name))
	sev := worst(fs)
	sc.noteSeverity(sev)
	st := serverStyleOf(srv.Kind)

	var tip strings.Builder
	fmt.Fprintf(&tip, "%s\n%s", srv.Name, srv.Kind)
	if srv.Zone != "" {
		fmt.Fprintf(&tip, ", zone %s", srv.Zone)
	}
	if srv.Region != "" {
		fmt.Fprintf(&tip, ", region %s", srv.Region)
	}
	findingLines(&tip, fs)

	managed := ""
	if srv.Kind.Managed() {
		managed = "managed"
	}
	a := attrs{}.
		plain("id", id).
		plain("class", classes("server", "server-"+string(srv.Kind), managed, sevClass(sev))).
		label("label", srv.Name+" · "+string(srv.Kind)).
		plain("labelloc", "t").
		tooltip(tip.String()).
		plain("style", st.style).
		plain("fillcolor", st.fill).
		plain("fontcolor", inkColor).
		num("fontsize", clusterFontSize)
	if sev != "" {
		a = a.plain("color", severityColors[sev]).num("penwidth", 2.6)
	} else {
		a = a.plain("color", st.stroke).num("penwidth", 1.2)
	}
	sc.w.open("subgraph " + plainString("cluster_"+id))
	sc.w.attr(a)
	for _, n := range nodes {
		n()
	}
	if len(nodes) == 0 {
		sc.w.stmt(plainString(id+"-empty"), attrs{}.
			plain("id", id+"-empty").
			plain("class", "empty").
			label("label", "no services").
			plain("shape", "plaintext").
			plain("fontcolor", mutedColor).
			num("fontsize", 10))
	}
	sc.w.close()
}

// looseCluster gathers nodes that are on no server (externals, unplaced).
func (sc *scene) looseCluster(id, label string, nodes []func()) {
	if len(nodes) == 0 {
		return
	}
	sc.w.open("subgraph " + plainString("cluster_"+id))
	sc.w.attr(attrs{}.
		plain("id", id).
		plain("class", id).
		label("label", label).
		plain("labelloc", "t").
		plain("style", "rounded,dashed").
		plain("color", "#b8c2d0").
		plain("fontcolor", mutedColor).
		num("fontsize", clusterFontSize))
	for _, n := range nodes {
		n()
	}
	sc.w.close()
}

// pairEnds chooses the edges of one dependency between the ends of its two
// services (see deployment).
func pairEnds(from, to []end) [][2]end {
	var out [][2]end
	used := make([]int, len(to)) // calls each end of to receives
	pick := func(e end, cands []end, load []int) int {
		best := -1
		for j, c := range cands {
			if best < 0 || better(e, c, load[j], cands[best], load[best]) {
				best = j
			}
		}
		return best
	}
	for _, f := range from {
		j := -1
		if f.server != "" {
			j = slices.IndexFunc(to, func(t end) bool { return t.server == f.server })
		}
		if j < 0 {
			j = pick(f, to, used)
		}
		used[j]++
		out = append(out, [2]end{f, to[j]})
	}
	calls := make([]int, len(from)) // extra calls each end of from makes
	for j, t := range to {
		if used[j] > 0 {
			continue
		}
		i := pick(t, from, calls)
		calls[i]++
		out = append(out, [2]end{from[i], t})
	}
	return out
}

// better reports whether candidate c (with load lc) is a better partner of
// e than candidate b (with load lb): same zone first, then the least used,
// then the first.
func better(e, c end, lc int, b end, lb int) bool {
	cz, bz := e.zone != "" && c.zone == e.zone, e.zone != "" && b.zone == e.zone
	if cz != bz {
		return cz
	}
	if lc != lb {
		return lc < lb
	}
	return c.order < b.order
}

func appendNew(s []string, v string) []string {
	if slices.Contains(s, v) {
		return s
	}
	return append(s, v)
}

// zonedServers draws every server with draw: inside a cluster per zone
// (zones sorted by name) when it has one, then the servers without a zone.
// Under a focus only the servers for which used holds are drawn.
func (sc *scene) zonedServers(used func(si int) bool, draw func(si int)) {
	zoneOf := map[string][]int{}
	var zones []string
	var loose []int
	for si, srv := range sc.m.Servers {
		if (sc.opts.Focus != "" || sc.opts.Team != "") && !used(si) {
			continue // a focus or a team shows only the servers its services run on
		}
		if srv.Zone == "" {
			loose = append(loose, si)
			continue
		}
		if _, ok := zoneOf[srv.Zone]; !ok {
			zones = append(zones, srv.Zone)
		}
		zoneOf[srv.Zone] = append(zoneOf[srv.Zone], si)
	}
	slices.Sort(zones)
	for _, z := range zones {
		sc.zoneCluster(z)
		for _, si := range zoneOf[z] {
			draw(si)
		}
		sc.w.close()
	}
	for _, si := range loose {
		draw(si)
	}
}
