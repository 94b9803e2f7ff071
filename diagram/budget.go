package diagram

// budget holds the layout settings that keep dot's time bounded on big
// graphs. dot's cost is dominated by network simplex (ranking and x
// positions), crossing minimisation and spline routing, each superlinear in
// nodes and edges (edge labels become nodes too); past the small size each of
// them gets an iteration limit, and splines get simpler.
type budget struct {
	edgeLabels bool
	splines    string
	mincross   bool // mclimit, searchsize, and no second pass (remincross)
	onePass    bool // no second pass of crossing minimisation (remincross)
	nslimit    bool // nslimit, nslimit1
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
		return budget{edgeLabels: false, splines: "polyline", mincross: true, nslimit: true}
	default:
		return budget{edgeLabels: false, splines: "line", mincross: true, nslimit: true}
	}
}

// deploymentBudget is the budget of the deployment view. Its servers are
// clusters (in zone clusters), and with clusters dot minimises crossings a
// second time over the whole graph (remincross), which Graphviz 12 makes
// slow: for topologytest.Generate(50) 0.89 s of layout instead of 0.49 s
// without it (native dot 2.43: 0.55 s and 0.51 s). The second pass moved no
// node of the golden diagrams and next to none of that one, so it is off.
func deploymentBudget(nodes, edges int) budget {
	b := newBudget(nodes, edges)
	b.onePass = true
	return b
}

// serversBudget is the budget of the one-box-per-server deployment view,
// which is drawn only for models too big for anything else. Its few nodes
// sit in zone clusters and most of its edges run between zones, across many
// ranks, so dot lays out thousands of virtual nodes (9 600 for the 80
// servers of topologytest.Generate(300)) that a count of nodes and edges
// does not see. Crossing minimisation over them is most of the layout:
// bounding it makes the 300-service model's layout 2.3 times faster with
// Graphviz 12 (1.35 s → 0.6 s; native dot 2.43: 0.95 s → 0.7 s) and draws
// about as many crossings. nslimit is left out: it caps network simplex at a
// multiple of the real nodes, far too few iterations for that many virtual
// ones, which leaves positions dot then needs 3.8 s to route splines
// around.
func serversBudget(nodes, edges int) budget {
	b := newBudget(nodes, edges)
	b.mincross, b.nslimit = true, false
	return b
}

func (b budget) graphAttrs() attrs {
	a := attrs{}.plain("splines", b.splines)
	if b.nslimit {
		a = a.num("nslimit", 2).num("nslimit1", 2)
	}
	if b.mincross {
		a = a.num("mclimit", 0.3).num("searchsize", 20)
	}
	if b.mincross || b.onePass {
		a = a.plain("remincross", "false")
	}
	return a
}
