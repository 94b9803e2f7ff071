package risk

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/archmap/archmap/topology"
)

// rule pairs a rule's description with the function that finds its cases;
// check appends its findings to fs and returns it.
type rule struct {
	Rule
	check func(g *graph, fs []Finding) []Finding
}

// rules is the table of docs/rules/README.md, in its order. Each check is a transcription of
// its row; the terms (instances, servers, managed, crosses the network,
// stateful) are methods of graph.
var rules = []rule{
	{Rule{RuleSpofInstance, High,
		"A service that runs a single instance on an unmanaged server",
		"Losing that instance or its server stops the service. High when the service holds state or another service calls it synchronously. Run a second instance on another server."},
		spofInstance},
	{Rule{RuleSpofServer, High,
		"A service whose instances all run on one unmanaged server",
		"Several instances protect against a crash of one process, not against the loss of the server they share. Spread the instances over two or more servers."},
		spofServer},
	{Rule{RuleSpofZone, Medium,
		"A service on several servers, all in one zone, while the system spans several zones",
		"Losing that zone stops the service although other zones are available. Run it on servers in another zone too."},
		spofZone},
	{Rule{RuleServerBlastRadius, High,
		"A server whose loss takes down at least settings.blast_radius services",
		"Losing the server stops the services that run only there and every service that calls them synchronously. Give those services instances on other servers, or make the calls into them asynchronous."},
		serverBlastRadius},
	{Rule{RuleChattyCrossNetwork, Medium,
		"A synchronous call made at least settings.chatty_calls_per_request times per request across the network",
		"Each call pays a network round trip while the caller waits. High at four times the threshold. Batch the calls or co-locate the services."},
		chattyCrossNetwork},
	{Rule{RuleIPCAcrossServers, High,
		"An IPC dependency between services that do not share a server",
		"Inter-process communication works only on one machine, so the call cannot work as modelled. Co-locate the services on every server of the caller, or call over the network."},
		ipcAcrossServers},
	{Rule{RuleSyncCycle, Medium,
		"Services that call one another synchronously in a cycle (or a service that calls itself)",
		"A slow or failing service in a cycle holds up every other one, and requests can loop. Break the cycle by making one call asynchronous or by moving the shared logic into one service."},
		syncCycle},
	{Rule{RuleDeepSyncChain, Low,
		"An entry service whose longest chain of synchronous calls exceeds settings.max_sync_chain",
		"The latencies and failure rates of every call in the chain add up for the user waiting at the entry. Make calls along the chain asynchronous, cache their results, or merge services that always call each other."},
		deepSyncChain},
	{Rule{RuleSharedDatastore, Medium,
		"A database used directly by two or more other services",
		"Services sharing a database are coupled through its schema and its load. Give each service its own database, or let one service own the data and serve the others."},
		sharedDatastore},
	{Rule{RuleUnplacedService, Low,
		"A service that is not placed on any server",
		"Without a placement the model cannot tell where the service runs or what a failure takes down. Place it, or make it kind external when someone else runs it."},
		unplacedService},
	{Rule{RuleIdleServer, Info,
		"A server that hosts no service",
		"Either the model misses what runs there, or the server costs money for nothing. Place its services or remove it."},
		idleServer},
}

// spofInstance: a placed, unmanaged, non-external service with
// instances(s) == 1; high if stateful or another service depends on it
// synchronously, else medium.
func spofInstance(g *graph, fs []Finding) []Finding {
	for s := range g.svcNames {
		svc := g.svc(s)
		if !g.placed(s) || g.managed(s) || svc.Kind == topology.KindExternal || g.instances[s] != 1 {
			continue
		}
		callers := g.syncCallers(s)
		server := g.srvNames[g.placedOn[s][0]] // one instance: one placement
		sev := Medium
		if svc.Kind.Stateful() || len(callers) > 0 {
			sev = High
		}
		var msg strings.Builder
		msg.WriteString(svc.Name)
		if svc.Kind.Stateful() {
			fmt.Fprintf(&msg, " (a %s, holding state)", svc.Kind)
		}
		fmt.Fprintf(&msg, " runs a single instance, on %s: losing that instance or %s stops it", server, server)
		if len(callers) > 0 {
			fmt.Fprintf(&msg, ", and %s, calling it synchronously, %s with it", list(callers, 8), verb(len(callers), "fails", "fail"))
		}
		suggestion := "run a second instance of " + svc.Name + " on another server"
		if svc.Kind.Stateful() {
			suggestion = "run a replica of " + svc.Name + " on another server, or move it to a managed service"
		}
		fs = append(fs, Finding{
			Rule: RuleSpofInstance, Severity: sev,
			Subjects:   []string{ServiceSubject(svc.Name)},
			Message:    msg.String(),
			Suggestion: suggestion,
		})
	}
	return fs
}

// spofServer: an unmanaged service with instances(s) >= 2 all on one server.
func spofServer(g *graph, fs []Finding) []Finding {
	for s, name := range g.svcNames {
		if len(g.placedOn[s]) != 1 || g.managed(s) || g.instances[s] < 2 {
			continue
		}
		server := g.srvNames[g.placedOn[s][0]]
		fs = append(fs, Finding{
			Rule: RuleSpofServer, Severity: High,
			Subjects:   []string{ServiceSubject(name)},
			Message:    fmt.Sprintf("%s runs %d instances, all on %s: losing %s stops it", name, g.instances[s], server, server),
			Suggestion: "spread the instances of " + name + " over two or more servers",
		})
	}
	return fs
}

// spofZone: a service on 2+ servers that all share one non-empty zone, while
// the model has 2+ zones.
func spofZone(g *graph, fs []Finding) []Finding {
	zones := map[string]bool{}
	for _, v := range g.m.Servers {
		if v.Zone != "" {
			zones[v.Zone] = true
		}
	}
	if len(zones) < 2 {
		return fs
	}
	for s, name := range g.svcNames {
		on := g.placedOn[s]
		if len(on) < 2 {
			continue
		}
		zone := g.srv(on[0]).Zone
		same := zone != ""
		for _, v := range on[1:] {
			same = same && g.srv(v).Zone == zone
		}
		if !same {
			continue
		}
		fs = append(fs, Finding{
			Rule: RuleSpofZone, Severity: Medium,
			Subjects: []string{ServiceSubject(name)},
			Message: fmt.Sprintf("%s runs on %s (%s), all in zone %s: losing zone %s stops it, though the system spans %d zones",
				name, plural(len(on), "server"), list(g.serverNames(on), 8), zone, zone, len(zones)),
			Suggestion: "run " + name + " on a server in another zone too",
		})
	}
	return fs
}

// serverBlastRadius: a server whose loss takes down >= settings.blast_radius
// services, as Simulate would count them with that one server failed.
func serverBlastRadius(g *graph, fs []Finding) []Finding {
	threshold := g.m.Settings.BlastRadius
	b := g.blastRadius()
	for v, server := range g.srvNames {
		n := b.count[v]
		if n < threshold || n == 0 {
			continue
		}
		down := make([]string, len(b.first[v]))
		for i, s := range b.first[v] {
			down[i] = g.svcNames[s]
		}
		fs = append(fs, Finding{
			Rule: RuleServerBlastRadius, Severity: High,
			Subjects: []string{ServerSubject(server)},
			Message: fmt.Sprintf("losing %s takes down %s (threshold %d): %s",
				server, plural(n, "service"), threshold, listOf(down, n)),
			Suggestion: fmt.Sprintf("give %s, which %s only on %s, instances on other servers, or make the calls into %s asynchronous",
				list(g.names(b.only[v]), 5), verb(len(b.only[v]), "runs", "run"), server, pronoun(len(b.only[v]))),
		})
	}
	return fs
}

// chattyCrossNetwork: a sync dependency with calls_per_request >=
// settings.chatty_calls_per_request that crosses the network; high at 4× the
// threshold.
func chattyCrossNetwork(g *graph, fs []Finding) []Finding {
	threshold := g.m.Settings.ChattyCallsPerRequest
	for _, d := range g.deps {
		if d.d.Mode != topology.ModeSync || d.d.CallsPerRequest < threshold {
			continue
		}
		v := g.remoteServer(d.from, d.to)
		if v < 0 {
			continue
		}
		sev := Medium
		if d.d.CallsPerRequest >= 4*threshold {
			sev = High
		}
		fs = append(fs, Finding{
			Rule: RuleChattyCrossNetwork, Severity: sev,
			Subjects: []string{DependencySubject(d.d.From, d.d.To)},
			Message: fmt.Sprintf("%s calls %s %s times per request, synchronously and across the network (%s does not host %s; threshold %s)",
				d.d.From, d.d.To, number(d.d.CallsPerRequest), g.srvNames[v], d.d.To, number(threshold)),
			Suggestion: "batch these calls or co-locate " + d.d.From + " and " + d.d.To,
		})
	}
	return fs
}

// ipcAcrossServers: a dependency with protocol ipc that crosses the network.
func ipcAcrossServers(g *graph, fs []Finding) []Finding {
	for _, d := range g.deps {
		if d.d.Protocol != topology.ProtocolIPC {
			continue
		}
		v := g.remoteServer(d.from, d.to)
		if v < 0 {
			continue
		}
		fs = append(fs, Finding{
			Rule: RuleIPCAcrossServers, Severity: High,
			Subjects: []string{DependencySubject(d.d.From, d.d.To)},
			Message: fmt.Sprintf("%s calls %s over IPC, but %s runs on %s, which does not host %s: IPC does not cross machines",
				d.d.From, d.d.To, d.d.From, g.srvNames[v], d.d.To),
			Suggestion: "place " + d.d.To + " on every server of " + d.d.From + ", or call it over the network",
		})
	}
	return fs
}

// syncCycle: each strongly connected set of 2+ services, or a service with a
// sync self-call, over sync dependencies. One finding per set.
func syncCycle(g *graph, fs []Finding) []Finding {
	c := g.syncComponents()
	for _, members := range c.members {
		if len(members) == 1 {
			s := members[0]
			if !slices.Contains(g.syncOut[s], s) {
				continue
			}
			name := g.svcNames[s]
			fs = append(fs, Finding{
				Rule: RuleSyncCycle, Severity: Medium,
				Subjects:   []string{ServiceSubject(name)},
				Message:    name + " calls itself synchronously: each call waits on another of its own, so a slowdown feeds on itself",
				Suggestion: "make the self-call asynchronous or handle it in-process",
			})
			continue
		}
		names := g.names(members)
		subjects := make([]string, len(names))
		for i, n := range names {
			subjects[i] = ServiceSubject(n)
		}
		fs = append(fs, Finding{
			Rule: RuleSyncCycle, Severity: Medium,
			Subjects: subjects,
			Message: fmt.Sprintf("%s call one another synchronously in a cycle: a slow or failing one holds up the others, and requests can loop",
				list(names, 10)),
			Suggestion: "break the cycle: make one of its calls asynchronous, or move the shared logic into one service",
		})
	}
	return fs
}

// deepSyncChain: an entry service (no incoming sync dependency; a sync
// self-call is one) whose longest sync path exceeds settings.max_sync_chain
// edges, with each sync cycle collapsed into one node: the longest path on
// the condensation of the sync graph, by dynamic programming in Tarjan's
// completion order.
func deepSyncChain(g *graph, fs []Finding) []Finding {
	c := g.syncComponents()
	longest := make([]int, len(c.members))
	via := make([]int, len(c.members)) // the service the longest path enters next, or -1
	for id, members := range c.members {
		via[id] = -1
		for _, s := range members {
			for _, d := range g.syncOut[s] {
				next := c.of[d]
				if next != id && longest[next]+1 > longest[id] {
					longest[id], via[id] = longest[next]+1, d
				}
			}
		}
	}
	limit := g.m.Settings.MaxSyncChain
	for s, name := range g.svcNames {
		if len(g.syncIn[s]) > 0 || longest[c.of[s]] <= limit {
			continue
		}
		path := []string{name}
		for d := via[c.of[s]]; d >= 0; d = via[c.of[d]] {
			step := g.svcNames[d]
			if len(c.members[c.of[d]]) > 1 {
				step += " (in a cycle)"
			}
			path = append(path, step)
		}
		if len(path) > 12 {
			path = append(path[:10:10], "…", path[len(path)-1])
		}
		fs = append(fs, Finding{
			Rule: RuleDeepSyncChain, Severity: Low,
			Subjects: []string{ServiceSubject(name)},
			Message: fmt.Sprintf("a request entering at %s can wait on %d synchronous calls in a row (limit %d): %s",
				name, longest[c.of[s]], limit, strings.Join(path, " → ")),
			Suggestion: "make calls along the chain asynchronous, cache their results, or merge services that always call each other",
		})
	}
	return fs
}

// sharedDatastore: a database that 2+ other services depend on (any mode).
func sharedDatastore(g *graph, fs []Finding) []Finding {
	users := map[int][]int{}
	for _, d := range g.deps {
		if d.from != d.to && g.svc(d.to).Kind == topology.KindDatabase {
			users[d.to] = append(users[d.to], d.from) // (from, to) pairs are unique
		}
	}
	for s, name := range g.svcNames {
		u := users[s]
		if len(u) < 2 {
			continue
		}
		fs = append(fs, Finding{
			Rule: RuleSharedDatastore, Severity: Medium,
			Subjects: []string{ServiceSubject(name)},
			Message: fmt.Sprintf("database %s is used directly by %s: %s; a schema change or a heavy query of one affects them all",
				name, plural(len(u), "service"), list(g.names(u), 10)),
			Suggestion: "give each service its own database, or let one service own " + name + " and serve the others through its API",
		})
	}
	return fs
}

// unplacedService: a non-external service with no placement.
func unplacedService(g *graph, fs []Finding) []Finding {
	for s, name := range g.svcNames {
		if g.placed(s) || g.svc(s).Kind == topology.KindExternal {
			continue
		}
		fs = append(fs, Finding{
			Rule: RuleUnplacedService, Severity: Low,
			Subjects:   []string{ServiceSubject(name)},
			Message:    name + " is not placed on any server, so the model cannot tell where it runs or what a failure takes down",
			Suggestion: "place " + name + " on the servers it runs on, or make it kind external if someone else runs it",
		})
	}
	return fs
}

// idleServer: a server with no placement.
func idleServer(g *graph, fs []Finding) []Finding {
	for v, name := range g.srvNames {
		if len(g.hosted[v]) > 0 {
			continue
		}
		fs = append(fs, Finding{
			Rule: RuleIdleServer, Severity: Info,
			Subjects:   []string{ServerSubject(name)},
			Message:    name + " hosts no service",
			Suggestion: "place the services that run on " + name + ", or remove it from the model",
		})
	}
	return fs
}

// syncCallers returns the sorted names of the other services that call s synchronously.
func (g *graph) syncCallers(s int) []string {
	var callers []int
	for _, c := range g.syncIn[s] {
		if c != s {
			callers = append(callers, c)
		}
	}
	return g.names(callers)
}

func verb(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func pronoun(n int) string { return verb(n, "it", "them") }

// number writes a count of calls as the user wrote it: 5, 2.5.
func number(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }
