package diagram

// budget holds the layout settings that keep dot's time bounded on big
// graphs. dot's cost is dominated by network simplex (ranking and x
// positions), crossing minimisation and spline routing, each superlinear in
// nodes and edges (edge labels become nodes too); past the small size each of
// them gets an iteration limit, and splines get simpler.
type budget struct {
	edgeLabels bool
	splines    string
	limits     bool // nslimit, mclimit, searchsize
}

// Sizes (nodes, edges) where the settings change; measured with
// BenchmarkLayout on topologytest models.
const (
	smallNodes, smallEdges   = 120, 250
	mediumNodes, mediumEdges = 300, 700
)

func newBudget(nodes, edges int) budget {
	switch {
	case nodes <= smallNodes && edges <= smallEdges:
		return budget{edgeLabels: true, splines: "spline"}
	case nodes <= mediumNodes && edges <= mediumEdges:
		return budget{edgeLabels: false, splines: "polyline", limits: true}
	default:
		return budget{edgeLabels: false, splines: "line", limits: true}
	}
}

func (b budget) graphAttrs() attrs {
	a := attrs{}.plain("splines", b.splines)
	if b.limits {
		a = a.num("nslimit", 2).num("nslimit1", 2).num("mclimit", 0.3).num("searchsize", 20).
			plain("remincross", "false")
	}
	return a
}
