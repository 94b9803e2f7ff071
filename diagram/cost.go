package diagram

// layoutCost estimates what dot's layout of a graph costs: its nodes plus
// the virtual nodes dot adds where an edge spans more than one rank (every
// rank an edge crosses is a node for crossing minimisation, for network
// simplex's positioning graph and for spline routing), plus, in a view
// with clusters, the edges between clusters, which dot routes around the
// cluster boxes. The counts of nodes and edges miss all of it: the
// deployment view of a 150–300-service model has few nodes per rank and
// hundreds of edges spanning many ranks across zones.
//
// Ranks are estimated by longest path from the sources, the edges that
// close cycles turned around as dot does; network simplex shortens what
// it can, so this errs high, which is the safe side for a budget.
func layoutCost(nodes []string, edges [][2]string, cluster func(id string) string) int {
	idx := make(map[string]int, len(nodes))
	for i, n := range nodes {
		idx[n] = i
	}
	out := make([][]int, len(nodes))
	var es [][2]int
	for _, e := range edges {
		a, okA := idx[e[0]]
		b, okB := idx[e[1]]
		if !okA || !okB || a == b {
			continue
		}
		out[a] = append(out[a], b)
		es = append(es, [2]int{a, b})
	}
	// Depth-first order; an edge to a node on the stack closes a cycle.
	const (
		white = iota
		grey
		black
	)
	state := make([]int, len(nodes))
	order := make([]int, 0, len(nodes)) // reverse postorder = topological
	back := map[[2]int]bool{}
	type frame struct{ v, next int }
	for s := range nodes {
		if state[s] != white {
			continue
		}
		stack := []frame{{s, 0}}
		state[s] = grey
		for len(stack) > 0 {
			f := &stack[len(stack)-1]
			if f.next < len(out[f.v]) {
				w := out[f.v][f.next]
				f.next++
				switch state[w] {
				case white:
					state[w] = grey
					stack = append(stack, frame{w, 0})
				case grey:
					back[[2]int{f.v, w}] = true
				}
				continue
			}
			state[f.v] = black
			order = append(order, f.v)
			stack = stack[:len(stack)-1]
		}
	}
	rank := make([]int, len(nodes))
	for i := len(order) - 1; i >= 0; i-- {
		v := order[i]
		for _, w := range out[v] {
			if !back[[2]int{v, w}] {
				rank[w] = max(rank[w], rank[v]+1)
			}
		}
	}
	cost := len(nodes)
	for _, e := range es {
		span := rank[e[1]] - rank[e[0]]
		if span < 0 {
			span = -span
		}
		cost += max(span-1, 0)
		if cluster != nil && cluster(nodes[e[0]]) != cluster(nodes[e[1]]) {
			cost += crossClusterCost
		}
	}
	return cost
}

// crossClusterCost is what an edge between two clusters adds to
// layoutCost: dot keeps clusters' nodes together in every rank, and the
// edge's virtual nodes must be routed around the boxes.
const crossClusterCost = 2
