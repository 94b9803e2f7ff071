package risk

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/archmap/archmap/topology"
)

// shop: web on two nodes in two zones calls api (one node) synchronously;
// api calls db synchronously and mailer asynchronously; mailer is external
// and unplaced; report calls db asynchronously.
const shop = `
services: [{name: web, kind: frontend}, {name: api}, {name: db, kind: database}, {name: mailer, kind: external}, {name: report, kind: worker}, {name: cache, kind: cache}]
servers: [{name: n1, zone: z1}, {name: n2, zone: z2}, {name: n3, zone: z2}, {name: spare, zone: z3}]
placements: [{service: web, server: n1}, {service: web, server: n2}, {service: api, server: n2, instances: 2}, {service: db, server: n3},
  {service: report, server: n1}, {service: cache, server: n1}, {service: cache, server: n3}]
dependencies: [{from: web, to: api}, {from: api, to: db}, {from: api, to: mailer, mode: async}, {from: report, to: db, mode: async},
  {from: api, to: cache}]`

func TestSimulate(t *testing.T) {
	m := mustParse(t, shop)
	cases := []struct {
		name           string
		fail           []string
		down, degraded []string
	}{
		{"nothing fails", nil, nil, nil},
		{"a sync dependency takes its callers down, transitively", []string{"server:n3"},
			[]string{"api", "db", "web"}, []string{"cache", "report"}},
		{"partial loss of instances only degrades", []string{"server:n1"},
			[]string{"report"}, []string{"cache", "web"}},
		{"a zone fails all its servers", []string{"zone:z2"},
			[]string{"api", "db", "web"}, []string{"cache", "report"}},
		{"an unplaced external fails only when named", []string{"service:mailer"},
			[]string{"mailer"}, []string{"api"}},
		{"a sync caller of a degraded service is not degraded", []string{"server:n1"},
			[]string{"report"}, []string{"cache", "web"}},
		{"a failed service is down even with its servers up", []string{"service:cache"},
			[]string{"api", "cache", "web"}, nil},
		{"an idle server's zone", []string{"zone:z3"}, nil, nil},
		{"repeated and overlapping items", []string{"server:n2", "zone:z2", "server:n2"},
			[]string{"api", "db", "web"}, []string{"cache", "report"}},
		{"everything", []string{"zone:z1", "zone:z2", "zone:z3"},
			[]string{"api", "cache", "db", "report", "web"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sim, err := Simulate(m, tc.fail)
			if err != nil {
				t.Fatal(err)
			}
			want := func(x []string) []string {
				if x == nil {
					return []string{}
				}
				return x
			}
			if !slices.Equal(sim.Down, want(tc.down)) || !slices.Equal(sim.Degraded, want(tc.degraded)) {
				t.Errorf("down %q degraded %q, want down %q degraded %q", sim.Down, sim.Degraded, tc.down, tc.degraded)
			}
		})
	}
}

func TestSimulateJSONIsNeverNull(t *testing.T) {
	sim, err := Simulate(mustParse(t, shop), []string{})
	if err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(sim)
	if string(data) != `{"down":[],"degraded":[]}` {
		t.Errorf("JSON = %s", data)
	}
}

func TestSimulateNamesWithColonsAndSpaces(t *testing.T) {
	m := mustParse(t, `
services: [{name: "svc:a b"}, {name: "x"}]
servers: [{name: "host:1"}, {name: "host:2", zone: "eu west:1"}]
placements: [{service: "svc:a b", server: "host:1"}, {service: x, server: "host:2"}]`)
	for _, tc := range []struct {
		fail string
		down string
	}{
		{"service:svc:a b", "svc:a b"},
		{"server:host:1", "svc:a b"},
		{"zone:eu west:1", "x"},
	} {
		sim, err := Simulate(m, []string{tc.fail})
		if err != nil {
			t.Fatalf("%s: %v", tc.fail, err)
		}
		if !slices.Equal(sim.Down, []string{tc.down}) {
			t.Errorf("%s: down %q, want [%q]", tc.fail, sim.Down, tc.down)
		}
	}
}

func TestSimulateRejectsUnknownAndMalformedItems(t *testing.T) {
	m := mustParse(t, shop)
	cases := []struct {
		name string
		fail []string
		want []string // each must appear in the message
	}{
		{"unknown server", []string{"server:nope"}, []string{`unknown server "nope"`}},
		{"unknown zone", []string{"zone:z9"}, []string{`unknown zone "z9"`}},
		{"unknown service", []string{"service:ghost"}, []string{`unknown service "ghost"`}},
		{"a server name is not a service", []string{"service:n1"}, []string{`unknown service "n1"`}},
		{"no kind", []string{"n1"}, []string{`"n1": want server:NAME, zone:NAME or service:NAME`}},
		{"unknown kind", []string{"node:n1"}, []string{`"node:n1": want`}},
		{"empty name", []string{"server:"}, []string{`"server:": want`}},
		{"empty item", []string{""}, []string{`"": want`}},
		{"every problem is named", []string{"server:n1", "server:x", "zone:y"}, []string{`unknown server "x"`, `unknown zone "y"`}},
		{"case matters", []string{"Server:n1"}, []string{`"Server:n1": want`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sim, err := Simulate(m, tc.fail)
			if err == nil {
				t.Fatalf("no error; got %+v", sim)
			}
			if code := topology.ErrorCode(err); code != topology.EINVALID {
				t.Errorf("code %q, want %q", code, topology.EINVALID)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

// TestSimulateReasons: every down or degraded service, and only those, has
// its reason in plain words, naming the server or the call that explains it.
func TestSimulateReasons(t *testing.T) {
	m := mustParse(t, shop)
	cases := []struct {
		fail []string
		want map[string]string
	}{
		{[]string{"server:n3"}, map[string]string{
			"db":     "down: its only server n3 failed",
			"api":    "down: calls db synchronously, which is down",
			"web":    "down: calls api synchronously, which is down",
			"cache":  "degraded: lost 1 of its 2 instances (n3 failed)",
			"report": "degraded: calls db asynchronously, which is down: its messages wait",
		}},
		{[]string{"zone:z1", "server:n3"}, map[string]string{
			"cache":  "down: all its servers failed (n1, n3)",
			"report": "down: its only server n1 failed",
		}},
		{[]string{"service:mailer"}, map[string]string{
			"mailer": "down: failed in the simulation",
			"api":    "degraded: calls mailer asynchronously, which is down: its messages wait",
		}},
		{[]string{"server:n1"}, map[string]string{
			"web": "degraded: lost 1 of its 2 instances (n1 failed)",
		}},
	}
	for _, tc := range cases {
		sim, err := Simulate(m, tc.fail)
		if err != nil {
			t.Fatal(err)
		}
		for name, want := range tc.want {
			if got := sim.Reasons[name]; got != want {
				t.Errorf("%v: %s's reason %q, want %q", tc.fail, name, got, want)
			}
		}
		checkReasons(t, sim)
	}
}

// TestSimulateReasonsEndAtAFailure: in a ring of sync calls, the chain of
// "calls X, which is down" explanations ends at what failed, never loops.
func TestSimulateReasonsEndAtAFailure(t *testing.T) {
	m := mustParse(t, `
services: [{name: a}, {name: b}, {name: c}, {name: d}]
servers: [{name: n1}, {name: n2}]
placements: [{service: a, server: n1}, {service: b, server: n1}, {service: c, server: n1}, {service: d, server: n2}]
dependencies: [{from: a, to: b}, {from: b, to: c}, {from: c, to: a}, {from: c, to: d}]`)
	sim, err := Simulate(m, []string{"server:n2"})
	if err != nil {
		t.Fatal(err)
	}
	if len(sim.Down) != 4 {
		t.Fatalf("down %q, want all four", sim.Down)
	}
	checkReasons(t, sim)
	for _, start := range sim.Down {
		seen := map[string]bool{}
		name := start
		for strings.HasPrefix(sim.Reasons[name], "down: calls ") {
			if seen[name] {
				t.Fatalf("the reasons loop from %s: %v", start, sim.Reasons)
			}
			seen[name] = true
			name = strings.Fields(sim.Reasons[name])[2]
		}
		if sim.Reasons[name] != "down: its only server n2 failed" {
			t.Errorf("the chain from %s ends at %s: %q", start, name, sim.Reasons[name])
		}
	}
}

// checkReasons: a reason for every down and degraded service, none else,
// each starting with what it explains.
func checkReasons(t *testing.T, sim *Simulation) {
	t.Helper()
	n := 0
	for prefix, names := range map[string][]string{"down: ": sim.Down, "degraded: ": sim.Degraded} {
		for _, name := range names {
			n++
			if !strings.HasPrefix(sim.Reasons[name], prefix) {
				t.Errorf("%s's reason %q does not start with %q", name, sim.Reasons[name], prefix)
			}
		}
	}
	if len(sim.Reasons) != n {
		t.Errorf("%d reasons for %d affected services: %v", len(sim.Reasons), n, sim.Reasons)
	}
}
