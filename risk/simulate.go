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
	// Reasons says in plain words why each down or degraded service is so
	// ("down: its only server app-1 failed"), keyed by service name. It is
	// not part of the simulate JSON contract.
	Reasons map[string]string `json:"-"`
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

	reasons := map[string]string{}
	for _, s := range queue {
		reasons[g.svcNames[s]] = "down: failed in the simulation"
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
			reasons[g.svcNames[s]] = "down: " + serversFailed(g, s)
		}
	}
	down := g.spreadDown(mark, 1, queue)
	// spreadDown goes breadth first: a service it took down calls one that
	// went down before it. Naming that one gives chains of explanations that
	// end at a failure, never a loop.
	pos := make(map[int]int, len(down))
	for i, s := range down {
		pos[s] = i
	}
	for i, s := range down[len(queue):] {
		for _, callee := range g.syncOut[s] {
			if p, ok := pos[callee]; ok && p < len(queue)+i {
				reasons[g.svcNames[s]] = "down: calls " + g.svcNames[callee] + " synchronously, which is down"
				break
			}
		}
	}

	degraded := make([]int, 0)
	for s := range m.Services {
		if mark[s] == 1 {
			continue
		}
		var why []string
		if lost[s] {
			why = append(why, lostInstances(g, failedServer, s))
		}
		if d := callsDownAsync(g, mark, s); d >= 0 {
			why = append(why, "calls "+g.svcNames[d]+" asynchronously, which is down: its messages wait")
		}
		if len(why) > 0 {
			degraded = append(degraded, s)
			reasons[g.svcNames[s]] = "degraded: " + strings.Join(why, "; ")
		}
	}
	return &Simulation{Down: g.names(down), Degraded: g.names(degraded), Reasons: reasons}, nil
}

// serversFailed explains a service whose every server failed.
func serversFailed(g *graph, s int) string {
	on := g.placedOn[s]
	if len(on) == 1 {
		return "its only server " + g.srvNames[on[0]] + " failed"
	}
	names := make([]string, len(on))
	for i, v := range on {
		names[i] = g.srvNames[v]
	}
	return "all its servers failed (" + strings.Join(names, ", ") + ")"
}

// lostInstances explains a service that lost some of its instances.
func lostInstances(g *graph, failedServer []bool, s int) string {
	lost := 0
	var where []string
	for _, p := range g.m.Placements {
		v, ok := g.server[p.Server]
		if p.Service != g.svcNames[s] || !ok || !failedServer[v] {
			continue
		}
		lost += p.Instances
		where = append(where, p.Server)
	}
	return "lost " + strconv.Itoa(lost) + " of its " + strconv.Itoa(g.instances[s]) + " instances (" + strings.Join(where, ", ") + " failed)"
}

// callsDownAsync returns a down service s calls asynchronously, or -1.
func callsDownAsync(g *graph, mark []int32, s int) int {
	for _, d := range g.asyncOut[s] {
		if mark[d] == 1 {
			return d
		}
	}
	return -1
}

// quote writes a user's name in an error message: %q keeps non-ASCII letters
// readable and makes spaces and quotes visible.
func quote(s string) string { return strconv.Quote(s) }
