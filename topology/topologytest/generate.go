// Package topologytest generates models for tests and benchmarks. Every
// package's benchmarks use this one generator, so their figures describe the
// same systems.
package topologytest

import (
	"fmt"
	"math/rand/v2"

	"github.com/archmap/archmap/topology"
)

// Generate returns a valid model of n services shaped like a real estate of
// microservices: n/4 servers (at least one) over three zones, about 2n
// dependencies mostly pointing "down" the stack (so chains stay finite but a
// few cycles exist), teams of about twenty services, a mix of kinds, and
// placements that cover one service on many servers, many services on one
// server and one on one. The same n always gives the same model.
func Generate(n int) *topology.Model {
	rng := rand.New(rand.NewPCG(uint64(n), 0x5eed))
	m := &topology.Model{
		Version: topology.FormatVersion,
		Name:    fmt.Sprintf("Generated %d", n),
	}
	nServers := max(1, n/4)
	zones := []string{"zone-a", "zone-b", "zone-c"}
	for i := range nServers {
		kind := topology.ServerVM
		switch i % 10 {
		case 7:
			kind = topology.ServerKubernetesNode
		case 9:
			kind = topology.ServerManaged
		}
		m.Servers = append(m.Servers, topology.Server{
			Name:   fmt.Sprintf("srv-%05d", i),
			Kind:   kind,
			Zone:   zones[i%len(zones)],
			Region: "region-1",
		})
	}
	kinds := []topology.ServiceKind{
		topology.KindService, topology.KindService, topology.KindService, topology.KindService,
		topology.KindFrontend, topology.KindGateway, topology.KindWorker, topology.KindFunction,
		topology.KindDatabase, topology.KindCache, topology.KindQueue, topology.KindExternal,
	}
	for i := range n {
		m.Services = append(m.Services, topology.Service{
			Name: fmt.Sprintf("svc-%05d", i),
			Kind: kinds[rng.IntN(len(kinds))],
			Team: fmt.Sprintf("team-%03d", i/20),
			Tech: []string{"go", "java", "python", "node"}[i%4],
		})
	}
	for i, s := range m.Services {
		if s.Kind == topology.KindExternal || i%50 == 49 {
			continue // externals, and a few services nobody placed yet
		}
		// 1 to 3 servers; more instances on the first one now and then.
		spread := 1 + rng.IntN(3)
		first := rng.IntN(nServers)
		for j := range spread {
			srv := (first + j*7) % nServers
			if j > 0 && srv == first {
				break
			}
			m.Placements = append(m.Placements, topology.Placement{
				Service:   s.Name,
				Server:    m.Servers[srv].Name,
				Instances: 1 + rng.IntN(2),
			})
		}
	}
	type pair struct{ a, b int }
	seen := map[pair]bool{}
	protocols := []topology.Protocol{topology.ProtocolHTTP, topology.ProtocolGRPC, topology.ProtocolHTTP, topology.ProtocolTCP, topology.ProtocolIPC}
	// 2n calls, or every possible pair in a model too small for that.
	want := min(2*n, n*(n-1))
	for len(m.Dependencies) < want {
		a := rng.IntN(n)
		// Mostly call a service further down the list (a layered system);
		// one call in fifty goes back up and may close a cycle.
		b := a + 1 + rng.IntN(min(40, n))
		if rng.IntN(50) == 0 {
			b = rng.IntN(n)
		}
		b %= n
		if a == b || seen[pair{a, b}] {
			continue
		}
		seen[pair{a, b}] = true
		to := m.Services[b]
		d := topology.Dependency{
			From:            m.Services[a].Name,
			To:              to.Name,
			Protocol:        protocols[rng.IntN(len(protocols))],
			Mode:            topology.ModeSync,
			CallsPerRequest: 1,
		}
		switch to.Kind {
		case topology.KindDatabase:
			d.Protocol = topology.ProtocolSQL
		case topology.KindQueue:
			d.Protocol, d.Mode = topology.ProtocolQueue, topology.ModeAsync
		}
		if rng.IntN(10) == 0 {
			d.CallsPerRequest = float64(2 + rng.IntN(30))
		}
		m.Dependencies = append(m.Dependencies, d)
	}
	m.ApplyDefaults()
	return m
}
