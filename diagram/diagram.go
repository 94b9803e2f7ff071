// Package diagram draws a topology.Model (the views of docs/cli.md#render):
// it reads and keys the view options (options.go), writes the DOT of the
// services and deployment views with the risk findings overlaid, renders
// DOT to SVG with Graphviz in a pool of worker processes, caches what it
// rendered, and rewrites SVG for a file or a page with one allow-list
// walker (svg.go). Exporter (export.go) is the one way from a model to the
// bytes a user downloads, for the CLI and the server alike.
//
// DOT generation is a pure function of the model, the findings and the
// options. Every user string is escaped for DOT (escape.go); every element
// carries a stable id (ids.go) and classes for the page's CSS and script:
//
//	service nodes     service kind-<kind> [sev-<severity>] [focus]
//	placement nodes   placement service kind-<kind> [sev-…] [focus]
//	team nodes        team [sev-…]
//	dependency edges  dependency sync|async proto-<protocol> [local|network|unknown] [sev-…]
//	team edges        dependency group-edge sync|async|mixed [local|network|unknown] [sev-…]
//	server clusters   server server-<kind> [managed] [sev-…]  (nodes in the one-node-per-server view)
//	zone clusters     zone
//	others            legend; empty (placeholder in an idle server); external, unplaced
//
// (Graphviz adds node, edge or cluster in front.)
package diagram

import (
	"bytes"
	"fmt"

	"github.com/archmap/archmap/risk"
	"github.com/archmap/archmap/topology"
)

// Size budgets. Past MaxServices services (after focus) a view is grouped
// by team, when the model has teams: no layout of that many boxes is
// readable, and dot's time grows fast with them (about 1 s for 200
// services of topologytest.Generate, 4 s for 300). The deployment view
// draws a node per placement, so it is grouped past MaxPlacementNodes
// nodes, and when even the team nodes are too many it draws one node per
// server (DeploymentServers).
const (
	MaxServices       = 200
	MaxPlacementNodes = 200
	// MaxTeams is where the grouped services view stops being laid out in
	// dot's columns (forceBudget).
	MaxTeams = 200
)

// Diagram is a generated DOT and what its elements stand for.
type Diagram struct {
	DOT   []byte
	Index Index
	// Grouped is true when the services were collapsed into teams, asked for
	// or because of the size budget (then Note says so).
	Grouped bool
	// ServersOnly is true when a deployment view too big even grouped by
	// team draws a node per server instead of per placement (Note says so).
	ServersOnly bool
	// cost is the layout's estimated cost (layoutCost) its budget was
	// chosen by.
	cost int
	// Note is a sentence for the user when the diagram is not quite what was
	// asked for ("grouped by team: 1 000 services are too many…"); "" else.
	Note string
}

// Index maps the model to the ids of the elements that draw it.
type Index struct {
	View string
	// Services: a service name → the nodes that show it: its node (services
	// view), its placements' nodes (deployment view; its own node when it is
	// not placed), or its team's node(s) when grouped. Services left out by
	// a focus are absent.
	Services map[string][]string
	// Dependencies: the edges that draw each dependency; a team edge stands
	// for all the dependencies it counts.
	Dependencies map[DependencyKey][]string
	// Servers and Zones: the cluster of each server and zone shown (deployment view).
	Servers map[string]string
	Zones   map[string]string
	// Teams: the node(s) of each team collapsed by a grouping.
	Teams map[string][]string
}

// DependencyKey names a dependency.
type DependencyKey struct{ From, To string }

// Build writes the DOT of a diagram of a valid model with the findings of
// risk.Analyze on it. Bad options are a *topology.Error: EINVALID for an
// unknown view or grouping, ENOTFOUND for a focus that names no service.
func Build(m *topology.Model, findings []risk.Finding, opts Options) (*Diagram, error) {
	opts, err := opts.Normalize()
	if err != nil {
		return nil, err
	}
	if err := opts.CheckModel(m); err != nil {
		return nil, err
	}
	x := newModelIndex(m)
	sc := &scene{
		m:       m,
		x:       x,
		opts:    opts,
		overlay: newOverlay(findings),
		shown:   x.focusSet(opts.Focus, opts.Depth),
		d: &Diagram{Index: Index{
			View:         opts.View,
			Services:     map[string][]string{},
			Dependencies: map[DependencyKey][]string{},
			Servers:      map[string]string{},
			Zones:        map[string]string{},
			Teams:        map[string][]string{},
		}},
	}
	sc.grouped = opts.Group == GroupTeam
	if opts.Team != "" {
		// One team opened from the overview: its services and their
		// neighbours, the neighbours of other teams collapsed into their
		// teams' nodes, so that every call leaving the team has an end.
		team := x.teamSet(m, opts.Team)
		for i := range sc.shown {
			sc.shown[i] = sc.shown[i] && team[i]
		}
		sc.grouped = true
	}
	if !sc.grouped && sc.countShown() > MaxServices && x.hasTeams {
		sc.grouped = true
		sc.d.Note = fmt.Sprintf("Grouped by team: %d services are too many to lay out one by one. Focus on a service to see it and its neighbours.", sc.countShown())
	}
	sc.d.Grouped = sc.grouped
	if opts.View == ViewDeployment {
		sc.deployment()
	} else {
		sc.services()
	}
	sc.d.DOT = sc.w.Bytes()
	return sc.d, nil
}

// scene is the state of one Build.
type scene struct {
	m       *topology.Model
	x       *modelIndex
	opts    Options
	overlay overlay
	shown   []bool // by service index: inside the focus
	grouped bool
	d       *Diagram
	w       dotWriter
	sevSeen map[risk.Severity]bool
}

func (sc *scene) countShown() int {
	n := 0
	for _, ok := range sc.shown {
		if ok {
			n++
		}
	}
	return n
}

// groupOf returns the team a service is collapsed into, or "" when it is
// drawn on its own: always without a grouping, and when grouped for the
// focused service, the services of the opened team and services without a
// team (a team of one needs no box).
func (sc *scene) groupOf(i int) string {
	if !sc.grouped {
		return ""
	}
	s := &sc.m.Services[i]
	if s.Name == sc.opts.Focus || (sc.opts.Team != "" && s.Team == sc.opts.Team) {
		return ""
	}
	return s.Team
}

// outsideTeam is true for a call between services a and b when a team is
// opened and neither end is in it: two neighbours' calls are not the
// team's business and would only tangle its picture.
func (sc *scene) outsideTeam(a, b int) bool {
	t := sc.opts.Team
	return t != "" && sc.m.Services[a].Team != t && sc.m.Services[b].Team != t
}

func (sc *scene) noteSeverity(s risk.Severity) {
	if s == "" {
		return
	}
	if sc.sevSeen == nil {
		sc.sevSeen = map[risk.Severity]bool{}
	}
	sc.sevSeen[s] = true
}

// modelIndex looks things up in a model by name.
type modelIndex struct {
	service    map[string]int // name → index in Services
	server     map[string]int
	placements [][]int // service index → indices in Placements, in model order
	hosted     [][]int // server index → indices in Placements
	down, up   [][]int // service index → the services it calls / that call it
	hasTeams   bool
	hasZones   bool
}

func newModelIndex(m *topology.Model) *modelIndex {
	x := &modelIndex{
		service:    make(map[string]int, len(m.Services)),
		server:     make(map[string]int, len(m.Servers)),
		placements: make([][]int, len(m.Services)),
		hosted:     make([][]int, len(m.Servers)),
		down:       make([][]int, len(m.Services)),
		up:         make([][]int, len(m.Services)),
	}
	for i, s := range m.Services {
		x.service[s.Name] = i
		x.hasTeams = x.hasTeams || s.Team != ""
	}
	for i, s := range m.Servers {
		x.server[s.Name] = i
		x.hasZones = x.hasZones || s.Zone != ""
	}
	for i, p := range m.Placements {
		s, ok1 := x.service[p.Service]
		v, ok2 := x.server[p.Server]
		if ok1 && ok2 {
			x.placements[s] = append(x.placements[s], i)
			x.hosted[v] = append(x.hosted[v], i)
		}
	}
	for _, d := range m.Dependencies {
		a, ok1 := x.service[d.From]
		b, ok2 := x.service[d.To]
		if ok1 && ok2 {
			x.down[a] = append(x.down[a], b)
			x.up[b] = append(x.up[b], a)
		}
	}
	return x
}

// focusSet marks the services a diagram shows: all of them without a focus,
// else the focused service, what it calls up to depth hops down and what
// calls it up to depth hops up.
func (x *modelIndex) focusSet(focus string, depth int) []bool {
	shown := make([]bool, len(x.down))
	if focus == "" {
		for i := range shown {
			shown[i] = true
		}
		return shown
	}
	start := x.service[focus]
	shown[start] = true
	walk := func(next [][]int) {
		seen := map[int]bool{start: true}
		frontier := []int{start}
		for range depth {
			var nf []int
			for _, s := range frontier {
				for _, t := range next[s] {
					if !seen[t] {
						seen[t] = true
						shown[t] = true
						nf = append(nf, t)
					}
				}
			}
			frontier = nf
		}
	}
	walk(x.down)
	walk(x.up)
	return shown
}

// teamSet is the services of team and their direct neighbours, callers
// and callees, by service index.
func (x *modelIndex) teamSet(m *topology.Model, team string) []bool {
	shown := make([]bool, len(x.down))
	for i, s := range m.Services {
		if s.Team != team {
			continue
		}
		shown[i] = true
		for _, j := range x.down[i] {
			shown[j] = true
		}
		for _, j := range x.up[i] {
			shown[j] = true
		}
	}
	return shown
}

// dotWriter builds DOT text.
type dotWriter struct {
	bytes.Buffer
	depth int
}

func (w *dotWriter) open(head string) {
	w.indent()
	w.WriteString(head)
	w.WriteString(" {\n")
	w.depth++
}

func (w *dotWriter) close() {
	w.depth--
	w.indent()
	w.WriteString("}\n")
}

func (w *dotWriter) indent() {
	for range w.depth {
		w.WriteByte('\t')
	}
}

// stmt writes one statement: head followed by its attribute list.
func (w *dotWriter) stmt(head string, a attrs) {
	w.indent()
	w.WriteString(head)
	if len(a) > 0 {
		w.WriteString(" [")
		for i, kv := range a {
			if i > 0 {
				w.WriteByte(' ')
			}
			w.WriteString(kv)
		}
		w.WriteByte(']')
	}
	w.WriteString(";\n")
}

// attr writes graph attributes, one per line (inside a graph or cluster).
func (w *dotWriter) attr(a attrs) {
	for _, kv := range a {
		w.indent()
		w.WriteString(kv)
		w.WriteString(";\n")
	}
}

// attrs is a list of key=value with the value already quoted.
type attrs []string

func (a attrs) plain(k, v string) attrs { return append(a, k+"="+plainString(v)) }
func (a attrs) label(k, v string) attrs { return append(a, k+"="+labelString(v)) }
func (a attrs) tooltip(v string) attrs  { return append(a, "tooltip="+tooltipString(v)) }
func (a attrs) num(k string, v float64) attrs {
	return append(a, fmt.Sprintf("%s=%s", k, formatFloat(v)))
}

// formatFloat writes v with at most two decimals and no trailing zeros.
func formatFloat(v float64) string {
	s := fmt.Sprintf("%.2f", v)
	s = string(bytes.TrimRight([]byte(s), "0"))
	if s[len(s)-1] == '.' {
		s = s[:len(s)-1]
	}
	return s
}
