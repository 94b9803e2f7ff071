package topology_test

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/archmap/archmap/topology"
)

// want is one expected problem: its exact path and line, and a part of its
// message.
type want struct {
	path string
	line int
	msg  string
}

// mustParse parses a model the test expects to be valid.
func mustParse(tb testing.TB, data string) *topology.Model {
	tb.Helper()
	m, err := topology.Parse([]byte(data))
	if err != nil {
		tb.Fatalf("Parse: %v\ninput:\n%s", err, data)
	}
	return m
}

// problemsOf parses data, which the test expects to be refused with a
// *ValidationError, and returns its problems.
func problemsOf(tb testing.TB, data string) []topology.Problem {
	tb.Helper()
	m, err := topology.Parse([]byte(data))
	if err == nil {
		tb.Fatalf("Parse accepted the model: %+v\ninput:\n%s", m, data)
	}
	if m != nil {
		tb.Errorf("Parse returned a model along with the error %v", err)
	}
	var ve *topology.ValidationError
	if !errors.As(err, &ve) {
		tb.Fatalf("Parse error is %T (%v), want *topology.ValidationError", err, err)
	}
	if got := topology.ErrorCode(err); got != topology.EINVALID {
		tb.Errorf("ErrorCode = %q, want %q", got, topology.EINVALID)
	}
	return ve.Problems
}

func checkProblems(tb testing.TB, got []topology.Problem, wants []want) {
	tb.Helper()
	if len(got) != len(wants) {
		tb.Errorf("got %d problems, want %d:\n%s", len(got), len(wants), formatProblems(got))
		return
	}
	for i, w := range wants {
		g := got[i]
		if g.Path != w.path || g.Line != w.line || !strings.Contains(g.Message, w.msg) {
			tb.Errorf("problem %d = {%q line %d: %q}, want {%q line %d: …%q…}", i, g.Path, g.Line, g.Message, w.path, w.line, w.msg)
		}
	}
}

func formatProblems(ps []topology.Problem) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString("  " + p.String() + "\n")
	}
	return b.String()
}

// TestParseRefuses walks every rule of docs/model.md with a YAML model that
// breaks it, and checks the exact place and line of each problem.
func TestParseRefuses(t *testing.T) {
	long := strings.Repeat("n", 101)
	tests := []struct {
		name string
		in   string
		want []want
	}{
		// Names: required, 1–100 characters, no control characters.
		{"model name missing", `version: 1
services: []
`, []want{{"name", 1, "required"}}},
		{"model name empty", `name: ""
`, []want{{"name", 1, "required"}}},
		{"model name null", `name: ~
`, []want{{"name", 1, "required"}}},
		{"service name missing", `name: Shop
services:
  - kind: worker
`, []want{{"services[0].name", 3, "required"}}},
		{"server name empty", `name: Shop
servers:
  - name: node-a
  - name: ""
`, []want{{"servers[1].name", 4, "required"}}},
		{"two services without names are not duplicates", `name: Shop
services:
  - kind: cache
  - kind: queue
`, []want{{"services[0].name", 3, "required"}, {"services[1].name", 4, "required"}}},
		{"two half placements are not duplicates", `name: Shop
services:
  - name: a
placements:
  - service: a
  - service: a
`, []want{{"placements[0].server", 5, "required"}, {"placements[1].server", 6, "required"}}},
		{"service name of 101 characters", `name: Shop
services:
  - name: ` + long + `
`, []want{{"services[0].name", 3, "too long: 101 characters, at most 100"}}},
		{"server name of 101 two-byte characters", `name: Shop
servers:
  - name: ` + strings.Repeat("ü", 101) + `
`, []want{{"servers[0].name", 3, "too long: 101 characters, at most 100"}}},
		{"model name of 101 four-byte characters", `name: ` + strings.Repeat("😀", 101) + `
`, []want{{"name", 1, "too long: 101 characters, at most 100"}}},
		{"NUL in a service name", `name: Shop
services:
  - name: "a\0b"
`, []want{{"services[0].name", 3, "contains control character U+0000"}}},
		{"DEL in a server name", `name: Shop
servers:
  - name: "a\x7fb"
`, []want{{"servers[0].name", 3, "contains control character U+007F"}}},
		{"NEL (U+0085) in the model name", `name: "a\Nb"
`, []want{{"name", 1, "contains control character U+0085"}}},
		{"C1 control in a name", `name: "a\u009bb"
`, []want{{"name", 1, "contains control character U+009B"}}},
		{"escape sequence in a name", `name: "\e[2Jx"
`, []want{{"name", 1, "contains control character U+001B"}}},
		{"tab in a name", `name: "a\tb"
`, []want{{"name", 1, "contains control character U+0009"}}},
		{"newline in a name", `name: |
  two
  lines
`, []want{{"name", 1, "contains control character U+000A"}}},
		{"carriage return in a server name", `name: Shop
servers:
  - name: "a\rb"
`, []want{{"servers[0].name", 3, "contains control character U+000D"}}},
		{"invalid UTF-8 in a name", "name: Shop\nservices:\n  - name: \"caf\xe9\"\n",
			[]want{{"", 3, "not valid UTF-8"}}},
		{"raw control character in the file", "name: Shop\nservices:\n  - name: a\x01b\n",
			[]want{{"", 3, "control characters are not allowed"}}},

		// Free-text fields: labels are one line of at most 100 characters,
		// descriptions may hold lines and tabs but no other control characters.
		{"newline in a team", `name: Shop
services:
  - name: a
    team: "web\nops"
`, []want{{"services[0].team", 4, "contains control character U+000A"}}},
		{"101-character zone", `name: Shop
servers:
  - name: a
    zone: ` + long + `
`, []want{{"servers[0].zone", 4, "too long: 101 characters, at most 100"}}},
		{"tab in a region", `name: Shop
servers:
  - name: a
    region: "eu\twest"
`, []want{{"servers[0].region", 4, "contains control character U+0009"}}},
		{"NUL in a description", `name: Shop
description: "a\0b"
`, []want{{"description", 2, "contains control character U+0000"}}},
		{"description of 4001 characters", `name: Shop
services:
  - name: a
    description: ` + strings.Repeat("d", 4001) + `
`, []want{{"services[0].description", 4, "too long: 4001 characters, at most 4000"}}},

		// Uniqueness.
		{"duplicate service", `name: Shop
services:
  - name: api
  - name: web
  - name: api
`, []want{{"services[2].name", 5, `duplicate name "api" (first at services[0])`}}},
		{"duplicate server", `name: Shop
servers:
  - name: node-a
    zone: a
  - name: node-a
    zone: b
`, []want{{"servers[1].name", 5, `duplicate name "node-a" (first at servers[0])`}}},
		{"duplicate placement", `name: Shop
services:
  - name: web
servers:
  - name: node-a
placements:
  - service: web
    server: node-a
  - service: web
    server: node-a
    instances: 2
`, []want{{"placements[1]", 9, `service "web" is already placed on server "node-a" (placements[0])`}}},
		{"duplicate dependency with another protocol", `name: Shop
services:
  - name: web
  - name: api
dependencies:
  - from: web
    to: api
  - from: api
    to: web
  - from: web
    to: api
    protocol: grpc
`, []want{{"dependencies[2]", 10, `duplicate dependency "web" -> "api" (dependencies[0])`}}},

		// References.
		{"placement of an unknown service", `name: Shop
services:
  - name: web
servers:
  - name: node-a
placements:
  - service: wbe
    server: node-a
`, []want{{"placements[0].service", 7, `unknown service "wbe"`}}},
		{"placement on an unknown server", `name: Shop
services:
  - name: web
servers:
  - name: node-a
placements:
  - service: web
    server: node-b
`, []want{{"placements[0].server", 8, `unknown server "node-b"`}}},
		{"placement naming a server as its service", `name: Shop
servers:
  - name: node-a
placements:
  - service: node-a
    server: node-a
`, []want{{"placements[0].service", 5, `unknown service "node-a"`}}},
		{"placement without service and server", `name: Shop
placements:
  - instances: 2
`, []want{{"placements[0].service", 3, "required"}, {"placements[0].server", 3, "required"}}},
		{"dependency from an unknown service", `name: Shop
services:
  - name: api
dependencies:
  - from: web
    to: api
`, []want{{"dependencies[0].from", 5, `unknown service "web"`}}},
		{"dependency to an unknown service", `name: Shop
services:
  - name: web
dependencies:
  - from: web
    to: nowhere
`, []want{{"dependencies[0].to", 6, `unknown service "nowhere"`}}},
		{"dependency without ends", `name: Shop
dependencies:
  - protocol: grpc
`, []want{{"dependencies[0].from", 3, "required"}, {"dependencies[0].to", 3, "required"}}},

		// Instances: an integer of at least 1; a written 0 is refused, not defaulted.
		{"zero instances", placement("instances: 0"), []want{{"placements[0].instances", 9, "must be a whole number from 1 to 1000000, got 0"}}},
		{"negative instances", placement("instances: -3"), []want{{"placements[0].instances", 9, "must be a whole number from 1 to 1000000, got -3"}}},
		{"instances above the bound", placement("instances: 1000001"), []want{{"placements[0].instances", 9, "must be a whole number from 1 to 1000000, got 1000001"}}},
		{"instances that would overflow a sum", placement("instances: 9223372036854775807"), []want{{"placements[0].instances", 9, "from 1 to 1000000, got 9223372036854775807"}}},
		{"instances as a word", placement("instances: two"), []want{{"placements[0].instances", 9, `must be an integer, got "two"`}}},
		{"instances as a quoted number", placement(`instances: "2"`), []want{{"placements[0].instances", 9, `must be an integer, got "2"`}}},
		{"fractional instances", placement("instances: 2.5"), []want{{"placements[0].instances", 9, "must be an integer, got 2.5"}}},
		{"instances as a list", placement("instances: [2]"), []want{{"placements[0].instances", 9, "must be an integer, got a list"}}},
		{"instances past the integers", placement("instances: 1e300"), []want{{"placements[0].instances", 9, "must be an integer, got 1e300"}}},
		{"instances as a boolean", placement("instances: true"), []want{{"placements[0].instances", 9, "must be an integer, got true"}}},

		// Calls per request: a number greater than 0; a written 0 is refused.
		{"zero calls per request", dependency("calls_per_request: 0"), []want{{"dependencies[0].calls_per_request", 8, "must be a number greater than 0 and at most 1e9, got 0"}}},
		{"zero calls written as 0.0", dependency("calls_per_request: 0.0"), []want{{"dependencies[0].calls_per_request", 8, "must be a number greater than 0 and at most 1e9, got 0"}}},
		{"negative calls per request", dependency("calls_per_request: -1"), []want{{"dependencies[0].calls_per_request", 8, "must be a number greater than 0 and at most 1e9, got -1"}}},
		{"NaN calls per request", dependency("calls_per_request: .nan"), []want{{"dependencies[0].calls_per_request", 8, "got NaN"}}},
		{"infinite calls per request", dependency("calls_per_request: .inf"), []want{{"dependencies[0].calls_per_request", 8, "got +Inf"}}},
		{"minus infinite calls per request", dependency("calls_per_request: -.inf"), []want{{"dependencies[0].calls_per_request", 8, "got -Inf"}}},
		{"absurd calls per request", dependency("calls_per_request: 2e9"), []want{{"dependencies[0].calls_per_request", 8, "got 2e+09"}}},
		{"calls per request as a word", dependency("calls_per_request: often"), []want{{"dependencies[0].calls_per_request", 8, `must be a number, got "often"`}}},

		// Kinds, protocols, modes: one of the listed values, case and all.
		{"unknown service kind", `name: Shop
services:
  - name: a
    kind: lambda
`, []want{{"services[0].kind", 4, `unknown service kind "lambda"; want one of service, frontend, gateway, worker, function, database, cache, queue, external`}}},
		{"service kind in capitals", `name: Shop
services:
  - name: a
    kind: Database
`, []want{{"services[0].kind", 4, `unknown service kind "Database"`}}},
		{"unknown server kind", `name: Shop
servers:
  - name: a
    kind: cloud
`, []want{{"servers[0].kind", 4, `unknown server kind "cloud"; want one of physical, vm, container-host, kubernetes-node, serverless, managed`}}},
		{"unknown protocol", dependency("protocol: soap"), []want{{"dependencies[0].protocol", 8, `unknown protocol "soap"; want one of http, grpc, ipc, queue, sql, tcp, other`}}},
		{"protocol in capitals", dependency("protocol: HTTP"), []want{{"dependencies[0].protocol", 8, `unknown protocol "HTTP"`}}},
		{"unknown mode", dependency("mode: fire-and-forget"), []want{{"dependencies[0].mode", 8, `unknown mode "fire-and-forget"; want one of sync, async`}}},

		// Unknown fields, at every level.
		{"unknown top-level field", `name: Shop
owner: ops
`, []want{{"owner", 2, `unknown field "owner"; want one of version, name, description, settings, services, servers, placements, dependencies`}}},
		{"unknown settings field", `name: Shop
settings:
  chatty: 3
`, []want{{"settings.chatty", 3, `unknown field "chatty"; want one of chatty_calls_per_request, max_sync_chain, blast_radius`}}},
		{"unknown service field", `name: Shop
services:
  - name: a
    replicas: 3
`, []want{{"services[0].replicas", 4, `unknown field "replicas"; want one of name, kind, team, tech, description`}}},
		{"unknown server field", `name: Shop
servers:
  - name: a
    ip: 10.0.0.1
`, []want{{"servers[0].ip", 4, `unknown field "ip"; want one of name, kind, zone, region`}}},
		{"unknown placement field", placement("replicas: 2"), []want{{"placements[0].replicas", 9, `unknown field "replicas"; want one of service, server, instances`}}},
		{"unknown dependency field", dependency("timeout: 5s"), []want{{"dependencies[0].timeout", 8, `unknown field "timeout"; want one of from, to, protocol, mode, calls_per_request, description`}}},
		{"field name in capitals", `name: Shop
services:
  - Name: a
`, []want{{"services[0].Name", 3, `unknown field "Name"`}, {"services[0].name", 3, "required"}}},
		{"field given twice", `name: Shop
name: Shop again
`, []want{{"name", 2, "field given twice"}}},
		{"service field given twice", `name: Shop
services:
  - name: a
    kind: cache
    kind: queue
`, []want{{"services[0].kind", 5, "field given twice"}}},
		{"merge key", `name: Shop
services:
  - &base
    name: a
    team: t
  - <<: *base
    name: b
`, []want{{"services[1]", 6, "merge keys (<<) are not supported"}}},
		{"non-text field name", `name: Shop
services:
  - name: a
    [x]: 1
`, []want{{"services[0]", 4, "field names must be text"}}},

		// Wrong types.
		{"services as a mapping", `name: Shop
services:
  web:
    kind: frontend
`, []want{{"services", 3, "must be a list, got a mapping"}}},
		{"service as a list", `name: Shop
services:
  - [web, frontend]
`, []want{{"services[0]", 3, "must be a mapping of fields, got a list"}}},
		{"service as a bare name", `name: Shop
services:
  - web
`, []want{{"services[0]", 3, `must be a mapping of fields, got "web"`}}},
		{"name as a list", `name: [a, b]
`, []want{{"name", 1, "must be text, got a list"}}},
		{"team as a mapping", `name: Shop
services:
  - name: a
    team: {lead: x}
`, []want{{"services[0].team", 4, "must be text, got a mapping"}}},
		{"settings as a number", `name: Shop
settings: 5
`, []want{{"settings", 2, "must be a mapping of fields, got 5"}}},
		{"placements as text", `name: Shop
placements: everywhere
`, []want{{"placements", 2, `must be a list, got "everywhere"`}}},
		{"model as a list", `- name: Shop
`, []want{{"", 1, "the model must be a mapping of fields"}}},
		{"model as text", `just some text
`, []want{{"", 1, `the model must be a mapping of fields (version, name, description, settings, services, servers, placements, dependencies, accepted_risks), got "just some text"`}}},

		// Format version.
		{"version 2", `version: 2
name: Shop
`, []want{{"version", 1, "unsupported format version 2 (this archmap reads version 1)"}}},
		{"version 0", `version: 0
name: Shop
`, []want{{"version", 1, "unsupported format version 0"}}},
		{"version as text", `version: "1"
name: Shop
`, []want{{"version", 1, `must be an integer, got "1"`}}},
		{"version 1.5", `version: 1.5
name: Shop
`, []want{{"version", 1, "must be an integer, got 1.5"}}},

		// Settings: thresholds must be usable.
		{"zero chatty threshold", `name: Shop
settings:
  chatty_calls_per_request: 0
`, []want{{"settings.chatty_calls_per_request", 3, "must be a number greater than 0 and at most 1e9, got 0"}}},
		{"negative chatty threshold", `name: Shop
settings:
  chatty_calls_per_request: -2
`, []want{{"settings.chatty_calls_per_request", 3, "got -2"}}},
		{"NaN chatty threshold", `name: Shop
settings:
  chatty_calls_per_request: .NaN
`, []want{{"settings.chatty_calls_per_request", 3, "got NaN"}}},
		{"zero sync chain", `name: Shop
settings:
  max_sync_chain: 0
`, []want{{"settings.max_sync_chain", 3, "must be an integer of at least 1, got 0"}}},
		{"fractional sync chain", `name: Shop
settings:
  max_sync_chain: 2.5
`, []want{{"settings.max_sync_chain", 3, "must be an integer, got 2.5"}}},
		{"zero blast radius", `name: Shop
settings:
  blast_radius: 0
`, []want{{"settings.blast_radius", 3, "must be an integer of at least 1, got 0"}}},
		{"negative blast radius", `name: Shop
settings:
  blast_radius: -1
`, []want{{"settings.blast_radius", 3, "got -1"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkProblems(t, problemsOf(t, tt.in), tt.want)
		})
	}
}

// placement is a valid model whose single placement gets one more line (line 9).
func placement(line string) string {
	return `name: Shop
services:
  - name: web
servers:
  - name: node-a
placements:
  - service: web
    server: node-a
    ` + line + `
`
}

// dependency is a valid model whose single dependency gets one more line (line 8).
func dependency(line string) string {
	return `name: Shop
services:
  - name: web
  - name: api
dependencies:
  - from: web
    to: api
    ` + line + `
`
}

// TestParseAccepts is the other side of every boundary in TestParseRefuses.
func TestParseAccepts(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		check func(t *testing.T, m *topology.Model)
	}{
		{"name of 100 characters", "name: " + strings.Repeat("n", 100) + "\n", nil},
		{"name of 100 two-byte characters", "name: " + strings.Repeat("ü", 100) + "\n", func(t *testing.T, m *topology.Model) {
			if len(m.Name) != 200 {
				t.Errorf("name is %d bytes, want 200", len(m.Name))
			}
		}},
		{"name of 100 three-byte characters", "name: " + strings.Repeat("✓", 100) + "\n", nil},
		{"name of 100 four-byte characters", "name: " + strings.Repeat("😀", 100) + "\n", nil},
		{"name of one character", "name: x\n", nil},
		{"names with punctuation and spaces", `name: "Zahlungsdienst — Übersicht ✓"
services:
  - name: "<script>alert(1)</script>"
  - name: 'a" -> b [label="x'
  - name: back\slash \N
  - name: "  padded  "
`, func(t *testing.T, m *topology.Model) {
			got := []string{m.Services[0].Name, m.Services[1].Name, m.Services[2].Name, m.Services[3].Name}
			want := []string{"<script>alert(1)</script>", `a" -> b [label="x`, `back\slash \N`, "  padded  "}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("names = %q, want %q", got, want)
			}
		}},
		{"a service and a server of the same name", `name: Shop
services:
  - name: db
servers:
  - name: db
placements:
  - service: db
    server: db
`, nil},
		{"the same pair both ways, and a self-call", `name: Shop
services:
  - name: a
  - name: b
dependencies:
  - from: a
    to: b
  - from: b
    to: a
  - from: a
    to: a
`, nil},
		{"one service on two servers, two services on one", `name: Shop
services:
  - name: a
  - name: b
servers:
  - name: s1
  - name: s2
placements:
  - service: a
    server: s1
  - service: a
    server: s2
  - service: b
    server: s1
`, nil},
		{"description with lines and tabs", "name: Shop\ndescription: \"line one\\n\\tindented\\r\\nline three\"\n", func(t *testing.T, m *topology.Model) {
			if m.Description != "line one\n\tindented\r\nline three" {
				t.Errorf("description = %q", m.Description)
			}
		}},
		{"description of 4000 characters", "name: Shop\ndescription: " + strings.Repeat("d", 4000) + "\n", nil},
		{"integer spelled as 2.0", placement("instances: 2.0"), func(t *testing.T, m *topology.Model) {
			if m.Placements[0].Instances != 2 {
				t.Errorf("instances = %d, want 2", m.Placements[0].Instances)
			}
		}},
		{"YAML's other integer spellings", placement("instances: 0x10"), func(t *testing.T, m *topology.Model) {
			if m.Placements[0].Instances != 16 {
				t.Errorf("instances = %d, want 16", m.Placements[0].Instances)
			}
		}},
		{"fractional calls per request", dependency("calls_per_request: 0.25"), func(t *testing.T, m *topology.Model) {
			if m.Dependencies[0].CallsPerRequest != 0.25 {
				t.Errorf("calls_per_request = %v, want 0.25", m.Dependencies[0].CallsPerRequest)
			}
		}},
		{"the largest calls per request", dependency("calls_per_request: 1e9"), nil},
		{"aliases for values", `name: Shop
services:
  - name: a
    team: &team payments
  - name: b
    team: *team
`, func(t *testing.T, m *topology.Model) {
			if m.Services[1].Team != "payments" {
				t.Errorf("team through an alias = %q, want payments", m.Services[1].Team)
			}
		}},
		{"comments and a document marker", "# the shop\n---\nname: Shop # trailing comment\n...\n", func(t *testing.T, m *topology.Model) {
			if m.Name != "Shop" {
				t.Errorf("name = %q", m.Name)
			}
		}},
		{"byte order mark", "\ufeffname: Shop\n", nil},
		{"flow-style YAML that starts like JSON", "{name: Shop, services: [{name: a}]}\n", func(t *testing.T, m *topology.Model) {
			if m.Name != "Shop" || len(m.Services) != 1 {
				t.Errorf("model = %+v", m)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := mustParse(t, tt.in)
			if tt.check != nil {
				tt.check(t, m)
			}
		})
	}
}

// TestParseDefaults: a missing value takes its default; a null one counts
// as missing.
func TestParseDefaults(t *testing.T) {
	m := mustParse(t, `name: Shop
services:
  - name: a
  - name: b
    kind:
servers:
  - name: s
placements:
  - service: a
    server: s
  - service: b
    server: s
    instances: ~
dependencies:
  - from: a
    to: b
  - from: b
    to: a
    calls_per_request: null
`)
	want := &topology.Model{
		Version:  1,
		Name:     "Shop",
		Settings: topology.Settings{ChattyCallsPerRequest: 5, MaxSyncChain: 5, BlastRadius: 3},
		Services: []topology.Service{{Name: "a", Kind: topology.KindService}, {Name: "b", Kind: topology.KindService}},
		Servers:  []topology.Server{{Name: "s", Kind: topology.ServerVM}},
		Placements: []topology.Placement{
			{Service: "a", Server: "s", Instances: 1},
			{Service: "b", Server: "s", Instances: 1},
		},
		Dependencies: []topology.Dependency{
			{From: "a", To: "b", Protocol: topology.ProtocolHTTP, Mode: topology.ModeSync, CallsPerRequest: 1},
			{From: "b", To: "a", Protocol: topology.ProtocolHTTP, Mode: topology.ModeSync, CallsPerRequest: 1},
		},
	}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("Parse =\n%+v\nwant\n%+v", m, want)
	}

	// Empty lists read the same as missing ones, so a model and its export
	// (which writes "services: []") compare equal.
	empty := mustParse(t, "name: Shop\nservices: []\nservers: []\nplacements: []\ndependencies: []\n")
	bare := mustParse(t, "name: Shop\n")
	if !reflect.DeepEqual(empty, bare) {
		t.Errorf("empty lists %+v differ from missing lists %+v", empty, bare)
	}
}

// TestParseReportsEveryProblem: all problems of a model come back at once,
// in the order of the file, and a field that failed to decode is not
// reported a second time as missing.
func TestParseReportsEveryProblem(t *testing.T) {
	in := `version: 1
name: Shop
colour: blue
services:
  - name: web
    kind: website
  - name: api
  - name: web
servers:
  - name: node-a
    kind: cloud
placements:
  - service: web
    server: node-b
    instances: 0
  - service: ghost
    server: node-a
    instances: many
dependencies:
  - from: web
    to: api
    protocol: soap
    mode: sometimes
    calls_per_request: -1
  - from: web
    to: api
`
	checkProblems(t, problemsOf(t, in), []want{
		{"colour", 3, `unknown field "colour"`},
		{"services[0].kind", 6, `unknown service kind "website"`},
		{"services[2].name", 8, `duplicate name "web"`},
		{"servers[0].kind", 11, `unknown server kind "cloud"`},
		{"placements[0].server", 14, `unknown server "node-b"`},
		{"placements[0].instances", 15, "from 1 to 1000000, got 0"},
		{"placements[1].service", 16, `unknown service "ghost"`},
		{"placements[1].instances", 18, `must be an integer, got "many"`},
		{"dependencies[0].protocol", 22, `unknown protocol "soap"`},
		{"dependencies[0].mode", 23, `unknown mode "sometimes"`},
		{"dependencies[0].calls_per_request", 24, "greater than 0 and at most 1e9, got -1"},
		{"dependencies[1]", 25, `duplicate dependency "web" -> "api"`},
	})
}

// TestParseBoundsProblems: a hostile file that breaks a rule on every line
// gets a bounded list, not millions of problems.
func TestParseBoundsProblems(t *testing.T) {
	var b strings.Builder
	b.WriteString("name: Shop\nservices:\n")
	for range 5000 {
		b.WriteString("  - {colour: red}\n")
	}
	problems := problemsOf(t, b.String())
	if len(problems) != 1001 {
		t.Fatalf("got %d problems, want 1000 and a last one saying there are more", len(problems))
	}
	if first := problems[0]; first.Path != "services[0].colour" || first.Line != 3 {
		t.Errorf("first problem = %v, want services[0].colour at line 3", first)
	}
	if last := problems[1000]; !strings.Contains(last.Message, "too many problems") || last.Path != "" {
		t.Errorf("last problem = %v, want a note that more were left out", last)
	}

	// At the bound exactly, nothing is left out and nothing says so.
	for _, n := range []int{1000, 1001} {
		got := problemsOf(t, "name: Shop\nservices:\n"+strings.Repeat("  - {}\n", n))
		cut := strings.Contains(got[len(got)-1].Message, "too many problems")
		if n == 1000 && (len(got) != 1000 || cut) || n == 1001 && (len(got) != 1001 || !cut) {
			t.Errorf("%d services without a name: %d problems, the last %q", n, len(got), got[len(got)-1])
		}
	}
}

// TestValidate checks models built in code, as the store and the API build them.
func TestValidate(t *testing.T) {
	valid := func() *topology.Model {
		m := &topology.Model{
			Name:         "Shop",
			Services:     []topology.Service{{Name: "web"}, {Name: "api"}},
			Servers:      []topology.Server{{Name: "node-a"}},
			Placements:   []topology.Placement{{Service: "web", Server: "node-a"}},
			Dependencies: []topology.Dependency{{From: "web", To: "api"}},
		}
		m.ApplyDefaults()
		return m
	}
	tests := []struct {
		name   string
		change func(m *topology.Model)
		want   []want // Line is always 0 without a file
	}{
		{"valid", func(*topology.Model) {}, nil},
		{"invalid UTF-8 in a name", func(m *topology.Model) { m.Services[0].Name = "caf\xe9" }, []want{
			{"services[0].name", 0, "not valid UTF-8"},
			{"placements[0].service", 0, `unknown service "web"`},
			{"dependencies[0].from", 0, `unknown service "web"`},
		}},
		{"invalid UTF-8 in a team", func(m *topology.Model) { m.Services[0].Team = "caf\xe9" }, []want{{"services[0].team", 0, "not valid UTF-8"}}},
		{"zero instances", func(m *topology.Model) { m.Placements[0].Instances = 0 }, []want{{"placements[0].instances", 0, "got 0"}}},
		{"zero calls per request", func(m *topology.Model) { m.Dependencies[0].CallsPerRequest = 0 }, []want{{"dependencies[0].calls_per_request", 0, "got 0"}}},
		{"NaN calls per request", func(m *topology.Model) { m.Dependencies[0].CallsPerRequest = math.NaN() }, []want{{"dependencies[0].calls_per_request", 0, "got NaN"}}},
		{"empty kind (defaults not applied)", func(m *topology.Model) { m.Services[1].Kind = "" }, []want{{"services[1].kind", 0, `unknown service kind ""`}}},
		{"version 3", func(m *topology.Model) { m.Version = 3 }, []want{{"version", 0, "unsupported format version 3"}}},
		{"two problems in one service", func(m *topology.Model) { m.Services[1] = topology.Service{Name: "", Kind: "x"} }, []want{
			{"services[1].name", 0, "required"},
			{"services[1].kind", 0, `unknown service kind "x"`},
			{"dependencies[0].to", 0, `unknown service "api"`},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := valid()
			tt.change(m)
			err := m.Validate()
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			var ve *topology.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Validate = %v, want a *ValidationError", err)
			}
			checkProblems(t, ve.Problems, tt.want)
		})
	}
}

// TestValidateEntity checks the entity-by-entity validation the API uses:
// paths are the bare field names.
func TestValidateEntity(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want []want
	}{
		{"valid service", (&topology.Service{Name: "a", Kind: topology.KindCache}).Validate(), nil},
		{"service", (&topology.Service{Name: "a\x00", Kind: "lambda", Team: "x\ny"}).Validate(), []want{
			{"name", 0, "control character U+0000"}, {"kind", 0, "unknown service kind"}, {"team", 0, "control character U+000A"},
		}},
		{"valid server", (&topology.Server{Name: "s", Kind: topology.ServerManaged}).Validate(), nil},
		{"server", (&topology.Server{Name: strings.Repeat("s", 101), Kind: "cloud"}).Validate(), []want{
			{"name", 0, "too long: 101 characters"}, {"kind", 0, "unknown server kind"},
		}},
		{"valid placement", (&topology.Placement{Service: "a", Server: "s", Instances: 1}).Validate(), nil},
		{"placement", (&topology.Placement{Instances: -1}).Validate(), []want{
			{"service", 0, "required"}, {"server", 0, "required"}, {"instances", 0, "got -1"},
		}},
		{"valid dependency", (&topology.Dependency{From: "a", To: "b", Protocol: topology.ProtocolIPC, Mode: topology.ModeAsync, CallsPerRequest: 0.5}).Validate(), nil},
		{"dependency", (&topology.Dependency{From: "a", To: "b", Protocol: "soap", Mode: "maybe", CallsPerRequest: math.Inf(1), Description: "x\x00"}).Validate(), []want{
			{"protocol", 0, "unknown protocol"}, {"mode", 0, "unknown mode"}, {"calls_per_request", 0, "got +Inf"}, {"description", 0, "control character U+0000"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.want == nil {
				if tt.err != nil {
					t.Fatalf("Validate: %v", tt.err)
				}
				return
			}
			var ve *topology.ValidationError
			if !errors.As(tt.err, &ve) {
				t.Fatalf("Validate = %v, want a *ValidationError", tt.err)
			}
			checkProblems(t, ve.Problems, tt.want)
		})
	}
}

func TestValidateName(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // "" for a valid name, else a part of the problem
	}{
		{"ascii", "cart", ""},
		{"one character", "x", ""},
		{"100 characters", strings.Repeat("a", 100), ""},
		{"100 two-byte characters", strings.Repeat("é", 100), ""},
		{"100 three-byte characters", strings.Repeat("✓", 100), ""},
		{"100 four-byte characters", strings.Repeat("😀", 100), ""},
		{"spaces and punctuation", "  a: b # c  ", ""},
		{"markup", `<script>alert(1)</script>`, ""},
		{"DOT syntax", `a" -> b [label="x`, ""},
		{"line separator is not a control character", "a\u2028b", ""},
		{"empty", "", "required"},
		{"101 characters", strings.Repeat("a", 101), "too long: 101 characters, at most 100"},
		{"101 two-byte characters", strings.Repeat("é", 101), "too long: 101 characters"},
		{"5000 characters", strings.Repeat("a", 5000), "too long: 5000 characters"},
		{"NUL", "a\x00", "control character U+0000"},
		{"DEL", "a\x7f", "control character U+007F"},
		{"NEL", "a\u0085", "control character U+0085"},
		{"tab", "a\tb", "control character U+0009"},
		{"newline", "a\nb", "control character U+000A"},
		{"carriage return", "a\r", "control character U+000D"},
		{"invalid UTF-8", "caf\xe9", "not valid UTF-8"},
		{"truncated UTF-8", "\xe2\x9c", "not valid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := topology.ValidateName(tt.in)
			if tt.want == "" && got != "" || tt.want != "" && !strings.Contains(got, tt.want) {
				t.Errorf("ValidateName(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
