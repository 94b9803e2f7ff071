package risk

import (
	"slices"

	"github.com/archmap/archmap/topology"
)

// graph indexes a model once so that every rule runs in time linear in the
// size of the model (blast radius aside, which is one traversal per server).
// Services and servers are numbered by their position in the model.
type graph struct {
	m        *topology.Model
	service  map[string]int // name → index in m.Services
	server   map[string]int // name → index in m.Servers
	svcNames []string
	srvNames []string

	placedOn  [][]int // service → indices of its servers, in placement order
	instances []int   // service → instances(s)
	hosted    [][]int // server → indices of the services placed on it
	hosts     map[pair]bool

	deps     []dep
	syncOut  [][]int // service → services it calls synchronously (self-calls included)
	syncIn   [][]int // service → services that call it synchronously (self-calls included)
	asyncOut [][]int // service → services it calls asynchronously

	sccs *components // computed on first use
}

type pair struct{ a, b int }

type dep struct {
	from, to int
	d        *topology.Dependency
}

func newGraph(m *topology.Model) *graph {
	ns, nv := len(m.Services), len(m.Servers)
	g := &graph{
		m:         m,
		service:   make(map[string]int, ns),
		server:    make(map[string]int, nv),
		svcNames:  make([]string, ns),
		srvNames:  make([]string, nv),
		instances: make([]int, ns),
		hosts:     make(map[pair]bool, len(m.Placements)),
	}
	for i, s := range m.Services {
		g.service[s.Name] = i
		g.svcNames[i] = s.Name
	}
	for i, s := range m.Servers {
		g.server[s.Name] = i
		g.srvNames[i] = s.Name
	}
	var placed []pair // (service, server)
	for _, p := range m.Placements {
		s, okS := g.service[p.Service]
		v, okV := g.server[p.Server]
		if !okS || !okV || g.hosts[pair{s, v}] {
			continue // an invalid model; Analyze's callers validate first
		}
		g.hosts[pair{s, v}] = true
		g.instances[s] += p.Instances
		placed = append(placed, pair{s, v})
	}
	g.placedOn = adjacency(ns, placed, false)
	g.hosted = adjacency(nv, placed, true)

	var syncs, asyncs []pair
	g.deps = make([]dep, 0, len(m.Dependencies))
	for i := range m.Dependencies {
		d := &m.Dependencies[i]
		a, okA := g.service[d.From]
		b, okB := g.service[d.To]
		if !okA || !okB {
			continue
		}
		g.deps = append(g.deps, dep{a, b, d})
		if d.Mode == topology.ModeSync {
			syncs = append(syncs, pair{a, b})
		} else {
			asyncs = append(asyncs, pair{a, b})
		}
	}
	g.syncOut = adjacency(ns, syncs, false)
	g.syncIn = adjacency(ns, syncs, true)
	g.asyncOut = adjacency(ns, asyncs, false)
	return g
}

// adjacency lists, for each of n nodes, the b of every pair (a, b) with a ==
// node (or, reversed, the a of every pair with b == node), in pair order.
// All lists share one backing array: at 10 000 services, growing tens of
// thousands of small slices one append at a time was a fifth of Analyze.
func adjacency(n int, pairs []pair, reversed bool) [][]int {
	from := func(p pair) (int, int) {
		if reversed {
			return p.b, p.a
		}
		return p.a, p.b
	}
	start := make([]int, n+1)
	for _, p := range pairs {
		k, _ := from(p)
		start[k+1]++
	}
	for i := range n {
		start[i+1] += start[i]
	}
	backing := make([]int, len(pairs))
	fill := append([]int(nil), start[:n]...)
	for _, p := range pairs {
		k, v := from(p)
		backing[fill[k]] = v
		fill[k]++
	}
	lists := make([][]int, n)
	for i := range n {
		lists[i] = backing[start[i]:start[i+1]:start[i+1]]
	}
	return lists
}

func (g *graph) svc(i int) *topology.Service { return &g.m.Services[i] }
func (g *graph) srv(i int) *topology.Server  { return &g.m.Servers[i] }

func (g *graph) placed(s int) bool { return len(g.placedOn[s]) > 0 }

// managed: the provider keeps all of s's servers up. Callers ask only about
// placed services; an unplaced one would be vacuously managed.
func (g *graph) managed(s int) bool {
	for _, v := range g.placedOn[s] {
		if !g.srv(v).Kind.Managed() {
			return false
		}
	}
	return true
}

// remoteServer returns a server of a that does not host b, or -1 when the
// call a → b stays on each of a's servers. A call with an unplaced end is
// unknown and never crosses (docs/rules/README.md: unknown facts keep rules silent).
func (g *graph) remoteServer(a, b int) int {
	if !g.placed(a) || !g.placed(b) {
		return -1
	}
	for _, v := range g.placedOn[a] {
		if !g.hosts[pair{b, v}] {
			return v
		}
	}
	return -1
}

// names returns the sorted names of the given services.
func (g *graph) names(idx []int) []string {
	out := make([]string, len(idx))
	for i, s := range idx {
		out[i] = g.svcNames[s]
	}
	slices.Sort(out)
	return out
}

// serverNames returns the sorted names of the given servers.
func (g *graph) serverNames(idx []int) []string {
	out := make([]string, len(idx))
	for i, v := range idx {
		out[i] = g.srvNames[v]
	}
	slices.Sort(out)
	return out
}

// spreadDown marks down every service that reaches a down one through sync
// dependencies (docs/cli.md#simulate: transitively), walking the reverse sync graph from
// queue. A service is down when mark[s] == stamp; the queue's services must
// be marked already. Stamps let blast radius reuse one mark slice for every
// server. It returns the grown queue: every service marked down.
func (g *graph) spreadDown(mark []int32, stamp int32, queue []int) []int {
	for i := 0; i < len(queue); i++ {
		for _, caller := range g.syncIn[queue[i]] {
			if mark[caller] != stamp {
				mark[caller] = stamp
				queue = append(queue, caller)
			}
		}
	}
	return queue
}
