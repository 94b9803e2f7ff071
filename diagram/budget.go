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
	force      bool // sfdp instead of dot, see forceBudget
	tight      bool // smaller limits: nslimit 1, mclimit 0.1, searchsize 10
}

// Costs (layoutCost) where the settings change, measured in CPU time of
// Graphviz 12 (WebAssembly) on topologytest models, see BENCHMARKS.md:
// up to smallCost everything takes under 150 ms (the services view of 60
// services: cost 800, 100 ms); up to mediumCost polylines stay under
// 300 ms (100 services: cost 1 757, 260 ms, against 280 ms and more with
// splines and labels); past largeCost even straight lines with the usual
// limits take 0.5–1.2 s (150–200 services: cost 3 700–6 900; the
// deployment view of 100: cost 9 800, 1.0 s) and tighter limits halve it.
const (
	smallCost  = 1000
	mediumCost = 2500
	largeCost  = 3000
)

func newBudget(cost int) budget {
	switch {
	case cost <= smallCost:
		return budget{edgeLabels: true, splines: "spline"}
	case cost <= mediumCost:
		return budget{edgeLabels: false, splines: "polyline", mincross: true, nslimit: true}
	case cost <= largeCost:
		return budget{edgeLabels: false, splines: "line", mincross: true, nslimit: true}
	default:
		return budget{edgeLabels: false, splines: "line", mincross: true, nslimit: true, tight: true}
	}
}

// deploymentBudget is the budget of the deployment view. Its servers are
// clusters (in zone clusters), and with clusters dot minimises crossings a
// second time over the whole graph (remincross), which Graphviz 12 makes
// slow: for topologytest.Generate(50) 0.89 s of layout instead of 0.49 s
// without it (native dot 2.43: 0.55 s and 0.51 s). The second pass moved no
// node of the golden diagrams and next to none of that one, so it is off.
func deploymentBudget(cost int) budget {
	b := newBudget(cost)
	b.onePass = true
	return b
}

// serversBudget is the budget of the one-box-per-server deployment view,
// which is drawn only for models too big for anything else. Its few nodes
// sit in zone clusters and most of its edges run between zones, across many
// ranks, so dot works on thousands of virtual nodes (a positioning graph of
// 9 600 nodes for the 75 servers of topologytest.Generate(300)) that a count
// of nodes and edges does not see. Crossing minimisation over them is most
// of the layout: bounding it makes that model's layout 2.2 times faster with
// Graphviz 12 (1.32 s → 0.61 s CPU; native dot 2.43: 0.93 s → 0.69 s), and
// the picture looks the same. nslimit is left out: it caps network simplex
// at a multiple of the real nodes, few for that many virtual ones, and with
// it Graphviz 12 takes 3.8 s.
func serversBudget(cost int) budget {
	b := newBudget(cost)
	b.mincross, b.nslimit = true, false
	return b
}

// forceBudget is for graphs too big for dot's layers whatever the limits:
// the services view grouped into more than MaxTeams teams
// (topologytest.Generate(6000): 300 team nodes, 839 edges, 3.9 s in native
// dot; Generate(10000): 500 and 1 455, 26 s with every iteration limit, over
// 2 minutes without). sfdp places them by force in well under a second. Its
// overlaps are removed by scaling the drawing up: "prism", the tidier
// removal, takes 8 s in the WebAssembly build against 0.5 s native, and the
// page's zoom makes up for the size.
func forceBudget() budget {
	return budget{splines: "line", force: true}
}

func (b budget) graphAttrs() attrs {
	a := attrs{}.plain("splines", b.splines)
	if b.force {
		a = a.plain("layout", "sfdp").plain("overlap", "scale")
	}
	ns, mc, ss := 2.0, 0.3, 20.0
	if b.tight {
		ns, mc, ss = 1, 0.1, 10
	}
	if b.nslimit {
		a = a.num("nslimit", ns).num("nslimit1", ns)
	}
	if b.mincross {
		a = a.num("mclimit", mc).num("searchsize", ss)
	}
	if b.mincross || b.onePass {
		a = a.plain("remincross", "false")
	}
	return a
}
