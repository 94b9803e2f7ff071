package risk

import (
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/archmap/archmap/topology"
)

// mustParse reads a model through the real parser, so tests see the
// defaults and validation every user gets. Flow-style YAML keeps cases short.
func mustParse(tb testing.TB, doc string) *topology.Model {
	tb.Helper()
	if !strings.Contains(doc, "name:") || !strings.HasPrefix(strings.TrimSpace(doc), "name:") {
		doc = "name: test\n" + doc
	}
	m, err := topology.Parse([]byte(doc))
	if err != nil {
		tb.Fatalf("parse model: %v\n%s", err, doc)
	}
	return m
}

// brief writes the findings of one rule as "severity subject,subject", in
// report order; empty rule means all rules ("rule severity subjects").
func brief(r *Report, rule string) []string {
	out := []string{}
	for _, f := range r.Findings {
		switch {
		case rule == "":
			out = append(out, f.Rule+" "+string(f.Severity)+" "+strings.Join(f.Subjects, ","))
		case f.Rule == rule:
			out = append(out, string(f.Severity)+" "+strings.Join(f.Subjects, ","))
		}
	}
	return out
}

type ruleCase struct {
	name  string
	model string
	want  []string // brief() of the rule under test
}

func runRuleCases(t *testing.T, rule string, cases []ruleCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := mustParse(t, tc.model)
			got := brief(Analyze(m), rule)
			want := tc.want
			if want == nil {
				want = []string{}
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s findings:\n got  %q\n want %q", rule, got, want)
			}
		})
	}
}

func TestSpofInstance(t *testing.T) {
	runRuleCases(t, RuleSpofInstance, []ruleCase{
		{"one instance of a plain service is medium", `
services: [{name: a}]
servers: [{name: n1}]
placements: [{service: a, server: n1}]`,
			[]string{"medium service:a"}},
		{"stateful kinds are high", `
services: [{name: db, kind: database}, {name: c, kind: cache}, {name: q, kind: queue}, {name: w, kind: worker}]
servers: [{name: n1}]
placements: [{service: db, server: n1}, {service: c, server: n1}, {service: q, server: n1}, {service: w, server: n1}]`,
			[]string{"high service:c", "high service:db", "high service:q", "medium service:w"}},
		{"a sync caller makes it high", `
services: [{name: a}, {name: b}]
servers: [{name: n1}, {name: n2}]
placements: [{service: a, server: n1, instances: 2}, {service: b, server: n2}]
dependencies: [{from: a, to: b}]`,
			[]string{"high service:b"}},
		{"an unplaced sync caller still counts", `
services: [{name: a}, {name: b}]
servers: [{name: n1}]
placements: [{service: b, server: n1}]
dependencies: [{from: a, to: b}]`,
			[]string{"high service:b"}},
		{"an async caller does not", `
services: [{name: a}, {name: b}]
servers: [{name: n1}, {name: n2}]
placements: [{service: a, server: n1, instances: 3}, {service: b, server: n2}]
dependencies: [{from: a, to: b, mode: async}]`,
			[]string{"medium service:b"}},
		{"a sync self-call is not another service", `
services: [{name: a}]
servers: [{name: n1}]
placements: [{service: a, server: n1}]
dependencies: [{from: a, to: a}]`,
			[]string{"medium service:a"}},
		{"external services are skipped", `
services: [{name: psp, kind: external}, {name: a}]
servers: [{name: n1}, {name: n2}]
placements: [{service: psp, server: n1}, {service: a, server: n2, instances: 2}]
dependencies: [{from: a, to: psp}]`,
			nil},
		{"managed and serverless servers are skipped", `
services: [{name: db, kind: database}, {name: fn, kind: function}, {name: a}]
servers: [{name: rds, kind: managed}, {name: lambda, kind: serverless}, {name: n1}]
placements: [{service: db, server: rds}, {service: fn, server: lambda}, {service: a, server: n1, instances: 2}]
dependencies: [{from: a, to: db}, {from: a, to: fn}]`,
			nil},
		{"physical, container hosts and nodes are not managed", `
services: [{name: a}, {name: b}, {name: c}]
servers: [{name: p, kind: physical}, {name: h, kind: container-host}, {name: k, kind: kubernetes-node}]
placements: [{service: a, server: p}, {service: b, server: h}, {service: c, server: k}]`,
			[]string{"medium service:a", "medium service:b", "medium service:c"}},
		{"unplaced services are skipped", `
services: [{name: a, kind: database}]`,
			nil},
		{"two instances are not a single instance", `
services: [{name: a}, {name: b}]
servers: [{name: n1}, {name: n2}]
placements: [{service: a, server: n1, instances: 2}, {service: b, server: n1}, {service: b, server: n2}]`,
			nil},
	})
}

func TestSpofServer(t *testing.T) {
	runRuleCases(t, RuleSpofServer, []ruleCase{
		{"two instances on one server", `
services: [{name: a}]
servers: [{name: n1}]
placements: [{service: a, server: n1, instances: 2}]`,
			[]string{"high service:a"}},
		{"one instance is spof-instance's business", `
services: [{name: a}]
servers: [{name: n1}]
placements: [{service: a, server: n1}]`,
			nil},
		{"instances over two servers", `
services: [{name: a}, {name: b}]
servers: [{name: n1}, {name: n2}]
placements: [{service: a, server: n1}, {service: a, server: n2}, {service: b, server: n1, instances: 3}, {service: b, server: n2}]`,
			nil},
		{"a managed server is kept up by its provider", `
services: [{name: a}, {name: b}]
servers: [{name: m, kind: managed}, {name: s, kind: serverless}]
placements: [{service: a, server: m, instances: 3}, {service: b, server: s, instances: 2}]`,
			nil},
		{"external services are not excluded by the rule", `
services: [{name: x, kind: external}]
servers: [{name: n1}]
placements: [{service: x, server: n1, instances: 2}]`,
			[]string{"high service:x"}},
	})
}

func TestSpofZone(t *testing.T) {
	runRuleCases(t, RuleSpofZone, []ruleCase{
		{"two servers in one zone of two", `
services: [{name: a}]
servers: [{name: n1, zone: z1}, {name: n2, zone: z1}, {name: n3, zone: z2}]
placements: [{service: a, server: n1}, {service: a, server: n2}]`,
			[]string{"medium service:a"}},
		{"the other zone may be on an idle server", `
services: [{name: a}, {name: b}]
servers: [{name: n1, zone: z1}, {name: n2, zone: z1}, {name: n3, zone: z2}, {name: n4, zone: z2}]
placements: [{service: a, server: n1}, {service: a, server: n2}, {service: b, server: n3}, {service: b, server: n1}]`,
			[]string{"medium service:a"}},
		{"a model with one zone", `
services: [{name: a}]
servers: [{name: n1, zone: z1}, {name: n2, zone: z1}]
placements: [{service: a, server: n1}, {service: a, server: n2}]`,
			nil},
		{"zones unset", `
services: [{name: a}]
servers: [{name: n1}, {name: n2}, {name: n3, zone: z1}, {name: n4, zone: z2}]
placements: [{service: a, server: n1}, {service: a, server: n2}]`,
			nil},
		{"one server of the service has no zone", `
services: [{name: a}]
servers: [{name: n1, zone: z1}, {name: n2}, {name: n3, zone: z2}]
placements: [{service: a, server: n1}, {service: a, server: n2}]`,
			nil},
		{"spread over zones", `
services: [{name: a}]
servers: [{name: n1, zone: z1}, {name: n2, zone: z2}]
placements: [{service: a, server: n1}, {service: a, server: n2}]`,
			nil},
		{"a single server is not a zone risk", `
services: [{name: a}]
servers: [{name: n1, zone: z1}, {name: n2, zone: z2}]
placements: [{service: a, server: n1, instances: 4}]`,
			nil},
		{"managed servers and externals are not excluded by the rule", `
services: [{name: a, kind: external}]
servers: [{name: n1, zone: z1, kind: managed}, {name: n2, zone: z1, kind: serverless}, {name: n3, zone: z2}]
placements: [{service: a, server: n1}, {service: a, server: n2}]`,
			[]string{"medium service:a"}},
	})
}

func TestServerBlastRadius(t *testing.T) {
	runRuleCases(t, RuleServerBlastRadius, []ruleCase{
		{"three services only there: threshold met", `
services: [{name: a}, {name: b}, {name: c}]
servers: [{name: n1}]
placements: [{service: a, server: n1}, {service: b, server: n1}, {service: c, server: n1}]`,
			[]string{"high server:n1"}},
		{"two services: just missed", `
services: [{name: a}, {name: b}]
servers: [{name: n1}]
placements: [{service: a, server: n1}, {service: b, server: n1}]`,
			nil},
		{"sync callers elsewhere go down with it, transitively", `
services: [{name: db, kind: database}, {name: api}, {name: web}, {name: batch}]
servers: [{name: n1}, {name: n2}, {name: n3}]
placements: [{service: db, server: n1}, {service: api, server: n2}, {service: api, server: n3}, {service: web, server: n2}, {service: batch, server: n3}]
dependencies: [{from: api, to: db}, {from: web, to: api}, {from: batch, to: db, mode: async}]`,
			[]string{"high server:n1"}},
		{"async callers and services on other servers too survive", `
services: [{name: a}, {name: b}, {name: c}, {name: d}]
servers: [{name: n1}, {name: n2}]
placements: [{service: a, server: n1}, {service: b, server: n1}, {service: b, server: n2}, {service: c, server: n2}, {service: d, server: n2}]
dependencies: [{from: c, to: a, mode: async}, {from: d, to: b}]`,
			nil},
		{"unplaced sync callers count", `
services: [{name: a}, {name: u1}, {name: u2}]
servers: [{name: n1}]
placements: [{service: a, server: n1}]
dependencies: [{from: u1, to: a}, {from: u2, to: u1}]`,
			[]string{"high server:n1"}},
		{"settings lower the threshold", `
settings: {blast_radius: 1}
services: [{name: a}, {name: b}]
servers: [{name: n1}, {name: n2}, {name: n3}]
placements: [{service: a, server: n1}, {service: b, server: n2}, {service: b, server: n3}]`,
			[]string{"high server:n1"}},
		{"settings raise the threshold", `
settings: {blast_radius: 4}
services: [{name: a}, {name: b}, {name: c}]
servers: [{name: n1}]
placements: [{service: a, server: n1}, {service: b, server: n1}, {service: c, server: n1}]`,
			nil},
		{"managed servers are lost like any other in a simulation", `
settings: {blast_radius: 1}
services: [{name: a}]
servers: [{name: m, kind: managed}]
placements: [{service: a, server: m}]`,
			[]string{"high server:m"}},
	})
}

func TestChattyCrossNetwork(t *testing.T) {
	const servers = `
servers: [{name: n1}, {name: n2}]`
	runRuleCases(t, RuleChattyCrossNetwork, []ruleCase{
		{"threshold exactly met", `
services: [{name: a}, {name: b}]` + servers + `
placements: [{service: a, server: n1}, {service: b, server: n2}]
dependencies: [{from: a, to: b, calls_per_request: 5}]`,
			[]string{"medium dependency:a->b"}},
		{"just missed", `
services: [{name: a}, {name: b}]` + servers + `
placements: [{service: a, server: n1}, {service: b, server: n2}]
dependencies: [{from: a, to: b, calls_per_request: 4.99}]`,
			nil},
		{"high at four times the threshold, medium just below", `
services: [{name: a}, {name: b}, {name: c}]` + servers + `
placements: [{service: a, server: n1}, {service: b, server: n2}, {service: c, server: n2}]
dependencies: [{from: a, to: b, calls_per_request: 20}, {from: a, to: c, calls_per_request: 19.5}]`,
			[]string{"high dependency:a->b", "medium dependency:a->c"}},
		{"async calls are not waited on", `
services: [{name: a}, {name: b}]` + servers + `
placements: [{service: a, server: n1}, {service: b, server: n2}]
dependencies: [{from: a, to: b, mode: async, calls_per_request: 100}]`,
			nil},
		{"co-located", `
services: [{name: a}, {name: b}]` + servers + `
placements: [{service: a, server: n1}, {service: a, server: n2}, {service: b, server: n1}, {service: b, server: n2}]
dependencies: [{from: a, to: b, calls_per_request: 50}]`,
			nil},
		{"partly co-located: a server of the caller lacks the callee", `
services: [{name: a}, {name: b}]` + servers + `
placements: [{service: a, server: n1}, {service: a, server: n2}, {service: b, server: n1}]
dependencies: [{from: a, to: b, calls_per_request: 5}]`,
			[]string{"medium dependency:a->b"}},
		{"callee on more servers than the caller stays local", `
services: [{name: a}, {name: b}]` + servers + `
placements: [{service: a, server: n1}, {service: b, server: n1}, {service: b, server: n2}]
dependencies: [{from: a, to: b, calls_per_request: 50}]`,
			nil},
		{"an unplaced end is unknown, so silent", `
services: [{name: a}, {name: b}, {name: c}]` + servers + `
placements: [{service: a, server: n1}]
dependencies: [{from: a, to: b, calls_per_request: 50}, {from: c, to: a, calls_per_request: 50}]`,
			nil},
		{"self-calls never cross", `
services: [{name: a}]` + servers + `
placements: [{service: a, server: n1}, {service: a, server: n2}]
dependencies: [{from: a, to: a, calls_per_request: 50}]`,
			nil},
		{"settings override the threshold", `
settings: {chatty_calls_per_request: 2}
services: [{name: a}, {name: b}, {name: c}, {name: d}]` + servers + `
placements: [{service: a, server: n1}, {service: b, server: n2}, {service: c, server: n2}, {service: d, server: n2}]
dependencies: [{from: a, to: b, calls_per_request: 2}, {from: a, to: c, calls_per_request: 8}, {from: a, to: d, calls_per_request: 1.5}]`,
			[]string{"high dependency:a->c", "medium dependency:a->b"}},
		{"managed servers still cross the network", `
services: [{name: a}, {name: db, kind: database}]
servers: [{name: n1}, {name: rds, kind: managed}]
placements: [{service: a, server: n1}, {service: db, server: rds}]
dependencies: [{from: a, to: db, protocol: sql, calls_per_request: 6}]`,
			[]string{"medium dependency:a->db"}},
	})
}

func TestIPCAcrossServers(t *testing.T) {
	const servers = `
servers: [{name: n1}, {name: n2}]`
	runRuleCases(t, RuleIPCAcrossServers, []ruleCase{
		{"remote", `
services: [{name: a}, {name: b}]` + servers + `
placements: [{service: a, server: n1}, {service: b, server: n2}]
dependencies: [{from: a, to: b, protocol: ipc}]`,
			[]string{"high dependency:a->b"}},
		{"async counts too", `
services: [{name: a}, {name: b}]` + servers + `
placements: [{service: a, server: n1}, {service: b, server: n2}]
dependencies: [{from: a, to: b, protocol: ipc, mode: async}]`,
			[]string{"high dependency:a->b"}},
		{"co-located", `
services: [{name: a}, {name: b}]` + servers + `
placements: [{service: a, server: n1}, {service: b, server: n1}]
dependencies: [{from: a, to: b, protocol: ipc}]`,
			nil},
		{"partly co-located", `
services: [{name: a}, {name: b}]` + servers + `
placements: [{service: a, server: n1}, {service: a, server: n2}, {service: b, server: n2}]
dependencies: [{from: a, to: b, protocol: ipc}]`,
			[]string{"high dependency:a->b"}},
		{"other protocols", `
services: [{name: a}, {name: b}]` + servers + `
placements: [{service: a, server: n1}, {service: b, server: n2}]
dependencies: [{from: a, to: b, protocol: tcp}]`,
			nil},
		{"unplaced callee", `
services: [{name: a}, {name: b}]` + servers + `
placements: [{service: a, server: n1}]
dependencies: [{from: a, to: b, protocol: ipc}]`,
			nil},
		{"self-call", `
services: [{name: a}]` + servers + `
placements: [{service: a, server: n1}, {service: a, server: n2}]
dependencies: [{from: a, to: a, protocol: ipc}]`,
			nil},
	})
}

func TestSyncCycle(t *testing.T) {
	runRuleCases(t, RuleSyncCycle, []ruleCase{
		{"two services", `
services: [{name: a}, {name: b}]
dependencies: [{from: a, to: b}, {from: b, to: a}]`,
			[]string{"medium service:a,service:b"}},
		{"one async edge breaks it", `
services: [{name: a}, {name: b}]
dependencies: [{from: a, to: b}, {from: b, to: a, mode: async}]`,
			nil},
		{"sync self-call", `
services: [{name: a}, {name: b}]
dependencies: [{from: a, to: a}, {from: b, to: b, mode: async}]`,
			[]string{"medium service:a"}},
		{"one finding per component, all its members, none of its tail", `
services: [{name: e}, {name: c}, {name: b}, {name: a}, {name: x}, {name: y}, {name: z}]
dependencies: [{from: e, to: a}, {from: a, to: b}, {from: b, to: c}, {from: c, to: a}, {from: c, to: c}, {from: b, to: x},
  {from: x, to: y}, {from: y, to: x}, {from: z, to: y}]`,
			[]string{"medium service:a,service:b,service:c", "medium service:x,service:y"}},
		{"a diamond is not a cycle", `
services: [{name: a}, {name: b}, {name: c}, {name: d}]
dependencies: [{from: a, to: b}, {from: a, to: c}, {from: b, to: d}, {from: c, to: d}]`,
			nil},
	})
}

func TestDeepSyncChain(t *testing.T) {
	chain := func(n int, extra string) string {
		// s0 → s1 → … → sn: n edges.
		var svc, deps []string
		for i := 0; i <= n; i++ {
			svc = append(svc, "{name: s"+strconv.Itoa(i)+"}")
			if i > 0 {
				deps = append(deps, "{from: s"+strconv.Itoa(i-1)+", to: s"+strconv.Itoa(i)+"}")
			}
		}
		return extra + "\nservices: [" + strings.Join(svc, ", ") + "]\ndependencies: [" + strings.Join(deps, ", ") + "]"
	}
	runRuleCases(t, RuleDeepSyncChain, []ruleCase{
		{"five edges: at the limit", chain(5, ""), nil},
		{"six edges: past the limit", chain(6, ""), []string{"low service:s0"}},
		{"settings lower the limit", chain(3, "settings: {max_sync_chain: 2}"), []string{"low service:s0"}},
		{"settings raise the limit", chain(6, "settings: {max_sync_chain: 6}"), nil},
		{"a cycle counts as one node", `
settings: {max_sync_chain: 2}
services: [{name: a}, {name: b}, {name: c}, {name: d}, {name: e}]
dependencies: [{from: a, to: b}, {from: b, to: c}, {from: c, to: d}, {from: d, to: b}, {from: c, to: e}]`,
			// a → {b,c,d} → e: two edges.
			nil},
		{"a cycle on the way, past the limit", `
settings: {max_sync_chain: 2}
services: [{name: a}, {name: b}, {name: c}, {name: e}, {name: f}]
dependencies: [{from: a, to: b}, {from: b, to: c}, {from: c, to: b}, {from: c, to: e}, {from: e, to: f}]`,
			[]string{"low service:a"}},
		{"async edges are not part of a chain", `
settings: {max_sync_chain: 1}
services: [{name: a}, {name: b}, {name: c}]
dependencies: [{from: a, to: b}, {from: b, to: c, mode: async}]`,
			nil},
		{"an async caller does not stop a service being an entry", `
settings: {max_sync_chain: 1}
services: [{name: a}, {name: b}, {name: c}, {name: q}]
dependencies: [{from: q, to: a, mode: async}, {from: a, to: b}, {from: b, to: c}]`,
			[]string{"low service:a"}},
		{"a sync self-call is an incoming sync dependency", `
settings: {max_sync_chain: 1}
services: [{name: a}, {name: b}, {name: c}]
dependencies: [{from: a, to: a}, {from: a, to: b}, {from: b, to: c}]`,
			nil},
		{"every entry of a shared chain", `
settings: {max_sync_chain: 2}
services: [{name: a}, {name: b}, {name: c}, {name: d}, {name: e}]
dependencies: [{from: a, to: c}, {from: b, to: c}, {from: c, to: d}, {from: d, to: e}, {from: a, to: e}]`,
			[]string{"low service:a", "low service:b"}},
		{"the longest branch counts", `
settings: {max_sync_chain: 2}
services: [{name: a}, {name: b}, {name: c}, {name: d}, {name: e}]
dependencies: [{from: a, to: e}, {from: a, to: b}, {from: b, to: c}, {from: c, to: d}]`,
			[]string{"low service:a"}},
	})
}

func TestSharedDatastore(t *testing.T) {
	runRuleCases(t, RuleSharedDatastore, []ruleCase{
		{"two users", `
services: [{name: db, kind: database}, {name: a}, {name: b}]
dependencies: [{from: a, to: db, protocol: sql}, {from: b, to: db, mode: async}]`,
			[]string{"medium service:db"}},
		{"one user", `
services: [{name: db, kind: database}, {name: a}]
dependencies: [{from: a, to: db}]`,
			nil},
		{"the database itself is not another service", `
services: [{name: db, kind: database}, {name: a}]
dependencies: [{from: a, to: db}, {from: db, to: db}]`,
			nil},
		{"caches and queues are not databases", `
services: [{name: c, kind: cache}, {name: q, kind: queue}, {name: a}, {name: b}]
dependencies: [{from: a, to: c}, {from: b, to: c}, {from: a, to: q}, {from: b, to: q}]`,
			nil},
		{"a database shared by a database", `
services: [{name: db, kind: database}, {name: replica, kind: database}, {name: a}]
dependencies: [{from: replica, to: db}, {from: a, to: db}]`,
			[]string{"medium service:db"}},
	})
}

func TestUnplacedService(t *testing.T) {
	runRuleCases(t, RuleUnplacedService, []ruleCase{
		{"unplaced service, unplaced external, placed service", `
services: [{name: a}, {name: psp, kind: external}, {name: b, kind: database}, {name: c}]
servers: [{name: n1}]
placements: [{service: c, server: n1}]`,
			[]string{"low service:a", "low service:b"}},
	})
}

func TestIdleServer(t *testing.T) {
	runRuleCases(t, RuleIdleServer, []ruleCase{
		{"idle and busy servers", `
services: [{name: a}]
servers: [{name: n2}, {name: n1}, {name: m, kind: managed}]
placements: [{service: a, server: n1}]`,
			[]string{"info server:m", "info server:n2"}},
	})
}

func TestReportOrderSummaryAndJSON(t *testing.T) {
	m := mustParse(t, `
services: [{name: db, kind: database}, {name: b}, {name: a}, {name: lonely}]
servers: [{name: n1}, {name: idle}]
placements: [{service: db, server: n1}, {service: a, server: n1}, {service: b, server: n1}]
dependencies: [{from: a, to: db}, {from: b, to: db}, {from: b, to: a}, {from: a, to: b}]`)
	r := Analyze(m)
	want := []string{
		"server-blast-radius high server:n1",
		"spof-instance high service:a",
		"spof-instance high service:b",
		"spof-instance high service:db",
		"shared-datastore medium service:db",
		"sync-cycle medium service:a,service:b",
		"unplaced-service low service:lonely",
		"idle-server info server:idle",
	}
	if got := brief(r, ""); !slices.Equal(got, want) {
		t.Errorf("findings:\n got  %q\n want %q", got, want)
	}
	if want := (Summary{High: 4, Medium: 2, Low: 1, Info: 1}); r.Summary != want {
		t.Errorf("summary = %+v, want %+v", r.Summary, want)
	}
	if r.Worst() != High {
		t.Errorf("worst = %q", r.Worst())
	}
	data, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var shape map[string]json.RawMessage
	if err := json.Unmarshal(data, &shape); err != nil {
		t.Fatal(err)
	}
	if got := slices.Sorted(maps.Keys(shape)); !slices.Equal(got, []string{"findings", "model", "summary"}) {
		t.Errorf("report keys = %q", got)
	}
	var findings []map[string]any
	if err := json.Unmarshal(shape["findings"], &findings); err != nil {
		t.Fatal(err)
	}
	if got := slices.Sorted(maps.Keys(findings[0])); !slices.Equal(got, []string{"message", "rule", "severity", "subjects", "suggestion"}) {
		t.Errorf("finding keys = %q", got)
	}
	if got := string(shape["summary"]); got != `{"high":4,"medium":2,"low":1,"info":1,"accepted":0}` {
		t.Errorf("summary JSON = %s", got)
	}

	empty := Analyze(mustParse(t, "services: []"))
	data, _ = json.Marshal(empty)
	if got := string(data); got != `{"model":"test","findings":[],"summary":{"high":0,"medium":0,"low":0,"info":0,"accepted":0}}` {
		t.Errorf("empty report JSON = %s", got)
	}
	if empty.Worst() != "" {
		t.Errorf("worst of nothing = %q", empty.Worst())
	}
}
