package risk

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/archmap/archmap/topology"
	"github.com/archmap/archmap/topology/topologytest"
)

// The blast radius of every server is computed in blocks of blockBits
// services over the sync condensation; Simulate walks the reverse graph from
// one failed server. On a model bigger than a block they must agree.
func TestBlastRadiusAgreesWithSimulateAcrossBlocks(t *testing.T) {
	m := topologytest.Generate(2*blockBits + 500)
	g := newGraph(m)
	b := g.blastRadius()
	checked := 0
	for v := 0; v < len(m.Servers); v += 37 {
		sim, err := Simulate(m, []string{"server:" + m.Servers[v].Name})
		if err != nil {
			t.Fatal(err)
		}
		if b.count[v] != len(sim.Down) {
			t.Fatalf("server %s: blast radius %d, simulation %d down", m.Servers[v].Name, b.count[v], len(sim.Down))
		}
		var first []string
		for _, s := range b.first[v] {
			first = append(first, g.svcNames[s])
		}
		if want := sim.Down[:min(blastNames, len(sim.Down))]; !slices.Equal(first, want) {
			t.Fatalf("server %s: first names %q, want %q", m.Servers[v].Name, first, want)
		}
		if len(sim.Down) > blastNames {
			checked++
		}
	}
	if checked < 10 {
		t.Errorf("only %d servers took down more than %d services; the test checks little", checked, blastNames)
	}
}

// A long chain and a big cycle: no stack trouble, and the chain's message
// stays readable.
func TestLongChainAndBigCycle(t *testing.T) {
	const n = 20000
	m := &topology.Model{Name: "long"}
	for i := range n {
		m.Services = append(m.Services, topology.Service{Name: fmt.Sprintf("s%05d", i)})
	}
	for i := 1; i < n; i++ {
		m.Dependencies = append(m.Dependencies, topology.Dependency{From: m.Services[i-1].Name, To: m.Services[i].Name})
	}
	// The last thousand services form one cycle.
	m.Dependencies = append(m.Dependencies, topology.Dependency{From: m.Services[n-1].Name, To: m.Services[n-1000].Name})
	m.ApplyDefaults()
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	r := Analyze(m)
	chain := findingFor(t, r, RuleDeepSyncChain, "service:s00000")
	wantLen := n - 1000 // edges up to the cycle, which counts as one node
	if !strings.Contains(chain.Message, fmt.Sprintf("wait on %d synchronous calls in a row", wantLen)) {
		t.Errorf("chain message: %.200s", chain.Message)
	}
	if !strings.HasSuffix(chain.Message, "… → s19000 (in a cycle)") || len(chain.Message) > 400 {
		t.Errorf("chain message not cut to a readable length: %.400s", chain.Message)
	}
	cycle := findingFor(t, r, RuleSyncCycle, "service:s19000")
	if len(cycle.Subjects) != 1000 || !strings.Contains(cycle.Message, "and 990 more") {
		t.Errorf("cycle: %d subjects, message %.200s", len(cycle.Subjects), cycle.Message)
	}
}
