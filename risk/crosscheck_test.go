package risk

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/archmap/archmap/topology"
)

// This file holds a second, deliberately naive implementation of docs/rules
// and §4: each rule is its sentence of the design transcribed with brute-force
// loops over the model's slices, sharing no code with the package. Analyze
// and Simulate must agree with it on hundreds of random small models; a
// disagreement is a misreading in one of the two.

type naiveFinding struct {
	rule     string
	severity Severity
	subjects []string
}

func (f naiveFinding) String() string {
	return f.rule + " " + string(f.severity) + " " + strings.Join(f.subjects, ",")
}

func naiveServers(m *topology.Model, s string) []string {
	var out []string
	for _, p := range m.Placements {
		if p.Service == s {
			out = append(out, p.Server)
		}
	}
	return out
}

func naiveInstances(m *topology.Model, s string) int {
	n := 0
	for _, p := range m.Placements {
		if p.Service == s {
			n += p.Instances
		}
	}
	return n
}

func naiveServer(m *topology.Model, name string) topology.Server {
	for _, v := range m.Servers {
		if v.Name == name {
			return v
		}
	}
	panic("no server " + name)
}

// managed: "s is managed when all its servers are".
func naiveManaged(m *topology.Model, s string) bool {
	for _, v := range naiveServers(m, s) {
		k := naiveServer(m, v).Kind
		if k != topology.ServerServerless && k != topology.ServerManaged {
			return false
		}
	}
	return true
}

func naiveHosts(m *topology.Model, server, s string) bool {
	for _, p := range m.Placements {
		if p.Service == s && p.Server == server {
			return true
		}
	}
	return false
}

// crosses: "some server of a does not host b"; unknown (an unplaced end) is silent.
func naiveCrosses(m *topology.Model, a, b string) bool {
	if len(naiveServers(m, a)) == 0 || len(naiveServers(m, b)) == 0 {
		return false
	}
	for _, v := range naiveServers(m, a) {
		if !naiveHosts(m, v, b) {
			return true
		}
	}
	return false
}

func naiveStateful(k topology.ServiceKind) bool {
	return k == "database" || k == "cache" || k == "queue"
}

func naiveSyncDep(m *topology.Model, a, b string) bool {
	for _, d := range m.Dependencies {
		if d.From == a && d.To == b && d.Mode == "sync" {
			return true
		}
	}
	return false
}

// naiveSimulate is §4 as a fixed point over the whole model.
func naiveSimulate(m *topology.Model, fail []string) (down, degraded []string) {
	failedServer := map[string]bool{}
	failedService := map[string]bool{}
	for _, f := range fail {
		kind, name, _ := strings.Cut(f, ":")
		switch kind {
		case "server":
			failedServer[name] = true
		case "zone":
			for _, v := range m.Servers {
				if v.Zone == name {
					failedServer[v.Name] = true
				}
			}
		case "service":
			failedService[name] = true
		}
	}
	isDown := map[string]bool{}
	for changed := true; changed; {
		changed = false
		for _, s := range m.Services {
			if isDown[s.Name] {
				continue
			}
			servers := naiveServers(m, s.Name)
			noneSurvive := len(servers) > 0
			for _, v := range servers {
				if !failedServer[v] {
					noneSurvive = false
				}
			}
			syncOnDown := false
			for _, d := range m.Dependencies {
				if d.From == s.Name && d.Mode == "sync" && isDown[d.To] {
					syncOnDown = true
				}
			}
			if failedService[s.Name] || noneSurvive || syncOnDown {
				isDown[s.Name] = true
				changed = true
			}
		}
	}
	down, degraded = []string{}, []string{}
	for _, s := range m.Services {
		if isDown[s.Name] {
			down = append(down, s.Name)
			continue
		}
		lost := false
		for _, v := range naiveServers(m, s.Name) {
			lost = lost || failedServer[v]
		}
		asyncOnDown := false
		for _, d := range m.Dependencies {
			if d.From == s.Name && d.Mode == "async" && isDown[d.To] {
				asyncOnDown = true
			}
		}
		if lost || asyncOnDown {
			degraded = append(degraded, s.Name)
		}
	}
	slices.Sort(down)
	slices.Sort(degraded)
	return down, degraded
}

func naiveAnalyze(m *topology.Model) []naiveFinding {
	var out []naiveFinding
	add := func(rule string, sev Severity, subjects ...string) {
		slices.Sort(subjects)
		out = append(out, naiveFinding{rule, sev, subjects})
	}
	svc := func(n string) string { return "service:" + n }

	for _, s := range m.Services {
		placed := len(naiveServers(m, s.Name)) > 0
		// spof-instance
		if placed && !naiveManaged(m, s.Name) && s.Kind != "external" && naiveInstances(m, s.Name) == 1 {
			sev := Medium
			for _, o := range m.Services {
				if o.Name != s.Name && naiveSyncDep(m, o.Name, s.Name) {
					sev = High
				}
			}
			if naiveStateful(s.Kind) {
				sev = High
			}
			add("spof-instance", sev, svc(s.Name))
		}
		// spof-server
		if servers := naiveServers(m, s.Name); !naiveManaged(m, s.Name) && naiveInstances(m, s.Name) >= 2 {
			allOnOne := true
			for _, v := range servers {
				allOnOne = allOnOne && v == servers[0]
			}
			if allOnOne {
				add("spof-server", High, svc(s.Name))
			}
		}
		// spof-zone
		zones := map[string]bool{}
		for _, v := range m.Servers {
			if v.Zone != "" {
				zones[v.Zone] = true
			}
		}
		if servers := naiveServers(m, s.Name); len(servers) >= 2 && len(zones) >= 2 {
			z := naiveServer(m, servers[0]).Zone
			share := z != ""
			for _, v := range servers {
				share = share && naiveServer(m, v).Zone == z
			}
			if share {
				add("spof-zone", Medium, svc(s.Name))
			}
		}
		// shared-datastore
		if s.Kind == "database" {
			others := map[string]bool{}
			for _, d := range m.Dependencies {
				if d.To == s.Name && d.From != s.Name {
					others[d.From] = true
				}
			}
			if len(others) >= 2 {
				add("shared-datastore", Medium, svc(s.Name))
			}
		}
		// unplaced-service
		if !placed && s.Kind != "external" {
			add("unplaced-service", Low, svc(s.Name))
		}
	}
	for _, v := range m.Servers {
		// server-blast-radius
		down, _ := naiveSimulate(m, []string{"server:" + v.Name})
		if len(down) >= m.Settings.BlastRadius {
			add("server-blast-radius", High, "server:"+v.Name)
		}
		// idle-server
		idle := true
		for _, p := range m.Placements {
			idle = idle && p.Server != v.Name
		}
		if idle {
			add("idle-server", Info, "server:"+v.Name)
		}
	}
	for _, d := range m.Dependencies {
		subject := "dependency:" + d.From + "->" + d.To
		// chatty-cross-network
		t := m.Settings.ChattyCallsPerRequest
		if d.Mode == "sync" && d.CallsPerRequest >= t && naiveCrosses(m, d.From, d.To) {
			sev := Medium
			if d.CallsPerRequest >= 4*t {
				sev = High
			}
			add("chatty-cross-network", sev, subject)
		}
		// ipc-across-servers
		if d.Protocol == "ipc" && naiveCrosses(m, d.From, d.To) {
			add("ipc-across-servers", High, subject)
		}
	}

	// sync-cycle and deep-sync-chain: reachability by Floyd–Warshall.
	n := len(m.Services)
	reach := make([][]bool, n)
	for i := range reach {
		reach[i] = make([]bool, n)
		for j := range reach[i] {
			reach[i][j] = naiveSyncDep(m, m.Services[i].Name, m.Services[j].Name)
		}
	}
	for k := 0; k < n; k++ {
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				reach[i][j] = reach[i][j] || reach[i][k] && reach[k][j]
			}
		}
	}
	sameSCC := func(i, j int) bool { return i == j || reach[i][j] && reach[j][i] }
	group := make([]int, n) // the smallest index of the component
	for i := 0; i < n; i++ {
		group[i] = i
		for j := 0; j < i; j++ {
			if sameSCC(i, j) {
				group[i] = group[j]
				break
			}
		}
	}
	for g := 0; g < n; g++ {
		var members []string
		for i := 0; i < n; i++ {
			if group[i] == g {
				members = append(members, svc(m.Services[i].Name))
			}
		}
		if len(members) >= 2 || len(members) == 1 && naiveSyncDep(m, m.Services[g].Name, m.Services[g].Name) {
			add("sync-cycle", Medium, members...)
		}
	}
	// Longest path over the condensation, by trying every path.
	condensedEdge := func(g, h int) bool {
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				if group[i] == g && group[j] == h && g != h && naiveSyncDep(m, m.Services[i].Name, m.Services[j].Name) {
					return true
				}
			}
		}
		return false
	}
	var longest func(g int) int
	longest = func(g int) int {
		best := 0
		for h := 0; h < n; h++ {
			if group[h] == h && condensedEdge(g, h) {
				best = max(best, 1+longest(h))
			}
		}
		return best
	}
	for i, s := range m.Services {
		entry := true
		for _, d := range m.Dependencies {
			if d.To == s.Name && d.Mode == "sync" {
				entry = false
			}
		}
		if entry && longest(group[i]) > m.Settings.MaxSyncChain {
			add("deep-sync-chain", Low, svc(s.Name))
		}
	}

	slices.SortFunc(out, func(a, b naiveFinding) int {
		rank := map[Severity]int{High: 0, Medium: 1, Low: 2, Info: 3}
		if rank[a.severity] != rank[b.severity] {
			return rank[a.severity] - rank[b.severity]
		}
		if a.rule != b.rule {
			return strings.Compare(a.rule, b.rule)
		}
		// NUL sorts before every character a name may hold, so joined
		// strings compare like the lists.
		return strings.Compare(strings.Join(a.subjects, "\x00"), strings.Join(b.subjects, "\x00"))
	})
	return out
}

// randomModel builds a small valid model where every rule has a fair chance
// to fire and to be just missed.
func randomModel(tb testing.TB, rng *rand.Rand) *topology.Model {
	tb.Helper()
	names := []string{"a", "b", "c", "d", "e", "f", "g", "h", `q"<x>\`, "ünïcödé", "a b"}
	rng.Shuffle(len(names), func(i, j int) { names[i], names[j] = names[j], names[i] })
	m := &topology.Model{Name: "random"}
	pick := func(xs []float64) float64 { return xs[rng.IntN(len(xs))] }
	m.Settings.ChattyCallsPerRequest = pick([]float64{0, 2, 5})
	m.Settings.MaxSyncChain = int(pick([]float64{0, 1, 2, 3}))
	m.Settings.BlastRadius = int(pick([]float64{0, 1, 2, 3, 4}))
	for i := range rng.IntN(9) {
		m.Services = append(m.Services, topology.Service{
			Name: names[i],
			Kind: topology.ServiceKinds[rng.IntN(len(topology.ServiceKinds))],
		})
	}
	zones := []string{"", "", "z1", "z2", "z3"}
	for i := range rng.IntN(5) {
		m.Servers = append(m.Servers, topology.Server{
			Name: fmt.Sprintf("n%d", i),
			Kind: topology.ServerKinds[rng.IntN(len(topology.ServerKinds))],
			Zone: zones[rng.IntN(len(zones))],
		})
	}
	for _, s := range m.Services {
		for _, v := range m.Servers {
			if rng.IntN(3) == 0 {
				m.Placements = append(m.Placements, topology.Placement{Service: s.Name, Server: v.Name, Instances: 1 + rng.IntN(3)*rng.IntN(2)})
			}
		}
	}
	for _, a := range m.Services {
		for _, b := range m.Services {
			if rng.IntN(4) != 0 {
				continue
			}
			d := topology.Dependency{From: a.Name, To: b.Name, CallsPerRequest: pick([]float64{1, 2, 4.5, 5, 7.9, 8, 19.9, 20, 21})}
			if rng.IntN(3) == 0 {
				d.Mode = topology.ModeAsync
			}
			if rng.IntN(3) == 0 {
				d.Protocol = topology.ProtocolIPC
			}
			m.Dependencies = append(m.Dependencies, d)
		}
	}
	m.ApplyDefaults()
	if err := m.Validate(); err != nil {
		tb.Fatalf("random model is invalid: %v", err)
	}
	return m
}

func TestAnalyzeAgreesWithNaiveReading(t *testing.T) {
	rng := rand.New(rand.NewPCG(2024, 3))
	fired := map[string]int{}
	for i := range 600 {
		m := randomModel(t, rng)
		r := Analyze(m)
		var got []string
		for _, f := range r.Findings {
			got = append(got, naiveFinding{f.Rule, f.Severity, f.Subjects}.String())
			fired[f.Rule+" "+string(f.Severity)]++
			if f.Message == "" || f.Suggestion == "" {
				t.Errorf("model %d: finding %s without message or suggestion", i, f.Rule)
			}
		}
		var want []string
		for _, f := range naiveAnalyze(m) {
			want = append(want, f.String())
		}
		if !slices.Equal(got, want) {
			yaml, _ := topology.EncodeYAML(m)
			t.Fatalf("model %d disagrees with the naive reading:\n got  %q\n want %q\n%s", i, got, want, yaml)
		}
	}
	// The comparison means something only if the random models reach every
	// rule and severity.
	for _, rs := range []string{
		"spof-instance high", "spof-instance medium", "spof-server high", "spof-zone medium",
		"server-blast-radius high", "chatty-cross-network high", "chatty-cross-network medium",
		"ipc-across-servers high", "sync-cycle medium", "deep-sync-chain low",
		"shared-datastore medium", "unplaced-service low", "idle-server info",
	} {
		if fired[rs] < 5 {
			t.Errorf("random models produced %q only %d times", rs, fired[rs])
		}
	}
}

func TestSimulateAgreesWithNaiveReading(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	nonEmpty := 0
	for i := range 600 {
		m := randomModel(t, rng)
		var items []string
		for _, v := range m.Servers {
			if rng.IntN(3) == 0 {
				items = append(items, "server:"+v.Name)
			}
			if v.Zone != "" && rng.IntN(4) == 0 {
				items = append(items, "zone:"+v.Zone)
			}
		}
		for _, s := range m.Services {
			if rng.IntN(6) == 0 {
				items = append(items, "service:"+s.Name)
			}
		}
		sim, err := Simulate(m, items)
		if err != nil {
			t.Fatalf("model %d, fail %q: %v", i, items, err)
		}
		down, degraded := naiveSimulate(m, items)
		if !slices.Equal(sim.Down, down) || !slices.Equal(sim.Degraded, degraded) {
			yaml, _ := topology.EncodeYAML(m)
			t.Fatalf("model %d, fail %q:\n got  down %q degraded %q\n want down %q degraded %q\n%s",
				i, items, sim.Down, sim.Degraded, down, degraded, yaml)
		}
		if len(down) > 0 && len(degraded) > 0 {
			nonEmpty++
		}
	}
	if nonEmpty < 50 {
		t.Errorf("only %d random simulations had both down and degraded services", nonEmpty)
	}
}
