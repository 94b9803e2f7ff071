package risk

import (
	"strconv"
	"strings"

	"github.com/archmap/archmap/topology"
)

// Simulation is what a failure does (docs/cli.md#simulate); its JSON is the simulate
// contract of docs/cli.md#simulate. Both lists are sorted names, never null.
type Simulation struct {
	Down     []string `json:"down"`
	Degraded []string `json:"degraded"`
}

// The kinds of things a failure item names: "server:NAME", "zone:NAME", "service:NAME".
const (
	FailServer  = "server"
	FailZone    = "zone"
	FailService = "service"
)

// Simulate fails the servers, zones (all servers in them) and services named
// by fail ("server:NAME", "zone:NAME", "service:NAME"; the name is everything
// after the first colon, unchanged) and returns the services that go down
// and those that are degraded:
//
//   - down: failed, or placed with none of its placements surviving, or with a
//     sync dependency on a down service (transitively);
//   - degraded: not down, but lost some instances (a placement on a failed
//     server) or has an async dependency on a down service.
//
// Nothing else spreads: a service calling a degraded one synchronously is not
// itself degraded. A malformed item or an unknown name is a *topology.Error
// with code EINVALID naming every such item.
func Simulate(m *topology.Model, fail []string) (*Simulation, error) {
	g := newGraph(m)
	failedServer := make([]bool, len(m.Servers))
	mark := make([]int32, len(m.Services)) // 1 = down
	var queue []int
	var problems []string
	for _, item := range fail {
		kind, name, ok := strings.Cut(item, ":")
		if !ok || name == "" {
			problems = append(problems, quote(item)+": want server:NAME, zone:NAME or service:NAME")
			continue
		}
		switch kind {
		case FailServer:
			v, ok := g.server[name]
			if !ok {
				problems = append(problems, "unknown server "+quote(name))
				continue
			}
			failedServer[v] = true
		case FailZone:
			found := false
			for v := range m.Servers {
				if m.Servers[v].Zone == name {
					failedServer[v] = true
					found = true
				}
			}
			if !found {
				problems = append(problems, "unknown zone "+quote(name)+" (no server is in it)")
			}
		case FailService:
			s, ok := g.service[name]
			if !ok {
				problems = append(problems, "unknown service "+quote(name))
				continue
			}
			if mark[s] != 1 {
				mark[s] = 1
				queue = append(queue, s)
			}
		default:
			problems = append(problems, quote(item)+": want server:NAME, zone:NAME or service:NAME")
		}
	}
	if len(problems) > 0 {
		return nil, topology.Errorf(topology.EINVALID, "cannot simulate: %s", strings.Join(problems, "; "))
	}

	lost := make([]bool, len(m.Services)) // lost some instances
	for s := range m.Services {
		if !g.placed(s) {
			continue
		}
		survives := false
		for _, v := range g.placedOn[s] {
			if failedServer[v] {
				lost[s] = true
			} else {
				survives = true
			}
		}
		if !survives && mark[s] != 1 {
			mark[s] = 1
			queue = append(queue, s)
		}
	}
	down := g.spreadDown(mark, 1, queue)

	degraded := make([]int, 0)
	for s := range m.Services {
		if mark[s] == 1 {
			continue
		}
		if lost[s] || callsDownAsync(g, mark, s) {
			degraded = append(degraded, s)
		}
	}
	return &Simulation{Down: g.names(down), Degraded: g.names(degraded)}, nil
}

// callsDownAsync reports whether s has an async dependency on a down service.
func callsDownAsync(g *graph, mark []int32, s int) bool {
	for _, d := range g.asyncOut[s] {
		if mark[d] == 1 {
			return true
		}
	}
	return false
}

// quote writes a user's name in an error message: %q keeps non-ASCII letters
// readable and makes spaces and quotes visible.
func quote(s string) string { return strconv.Quote(s) }
