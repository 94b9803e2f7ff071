package risk

// components holds the strongly connected components of the sync graph.
type components struct {
	// of maps a service to its component. Components are numbered in the
	// order Tarjan's algorithm completes them, which is a reverse
	// topological order of the condensation: every component reachable
	// from c has a smaller number than c.
	of      []int
	members [][]int // component → its services
}

// syncComponents runs Tarjan's algorithm over the sync dependencies. It is
// computed once per graph and shared by sync-cycle and deep-sync-chain.
func (g *graph) syncComponents() *components {
	if g.sccs != nil {
		return g.sccs
	}
	n := len(g.svcNames)
	t := tarjan{
		g:       g,
		index:   make([]int, n),
		low:     make([]int, n),
		onStack: make([]bool, n),
		c:       &components{of: make([]int, n)},
	}
	for i := range t.index {
		t.index[i] = -1
	}
	for s := 0; s < n; s++ {
		if t.index[s] < 0 {
			t.visit(s)
		}
	}
	g.sccs = t.c
	return g.sccs
}

type tarjan struct {
	g       *graph
	next    int
	index   []int // visiting order, -1 when not visited
	low     []int
	stack   []int
	onStack []bool
	c       *components
}

// visit is the textbook recursion; Go's growable stacks make the depth (at
// most the number of services) harmless.
func (t *tarjan) visit(s int) {
	t.index[s], t.low[s] = t.next, t.next
	t.next++
	t.stack = append(t.stack, s)
	t.onStack[s] = true
	for _, d := range t.g.syncOut[s] {
		if t.index[d] < 0 {
			t.visit(d)
			t.low[s] = min(t.low[s], t.low[d])
		} else if t.onStack[d] {
			t.low[s] = min(t.low[s], t.index[d])
		}
	}
	if t.low[s] != t.index[s] {
		return
	}
	id := len(t.c.members)
	var members []int
	for {
		top := t.stack[len(t.stack)-1]
		t.stack = t.stack[:len(t.stack)-1]
		t.onStack[top] = false
		t.c.of[top] = id
		members = append(members, top)
		if top == s {
			break
		}
	}
	t.c.members = append(t.c.members, members)
}
