package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/archmap/archmap/risk"
	"github.com/archmap/archmap/topology"
	"github.com/archmap/archmap/topology/topologytest"
)

// cliResult is what one in-process run of the real program left behind.
type cliResult struct {
	stdout, stderr string
	code           int
}

// runRiskCLI runs archmap with args through runEnv, with stdin and the given
// environment twins, and returns its output and exit status as main would
// set it.
func runRiskCLI(tb testing.TB, stdin string, environ map[string]string, args ...string) cliResult {
	tb.Helper()
	var out, errOut bytes.Buffer
	e := &env{
		stdin:  strings.NewReader(stdin),
		stdout: &out,
		stderr: &errOut,
		getenv: func(k string) string { return environ[k] },
	}
	err := runEnv(context.Background(), e, args)
	code := 0
	var ee *exitError
	switch {
	case errors.As(err, &ee):
		code = ee.code
	case err != nil:
		code = 2
	}
	if err != nil && err.Error() != "" {
		errOut.WriteString("archmap: " + err.Error() + "\n")
	}
	return cliResult{out.String(), errOut.String(), code}
}

func writeModel(tb testing.TB, name, doc string) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), name)
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		tb.Fatal(err)
	}
	return path
}

const boutique = "../risk/testdata/online-boutique.yaml"

// onlyInfo has a single finding, an idle server (info).
const onlyInfo = `version: 1
name: Quiet
services:
  - {name: a}
servers:
  - {name: n1}
  - {name: n2}
  - {name: n3}
placements:
  - {service: a, server: n1}
  - {service: a, server: n2}
`

func TestCheckExitCodes(t *testing.T) {
	quiet := writeModel(t, "quiet.yaml", onlyInfo)
	clean := writeModel(t, "clean.yaml", "version: 1\nname: Clean\n")
	invalid := writeModel(t, "bad.yaml", "version: 1\nname: Bad\nservices:\n  - {name: a}\n  - {name: a}\n")
	cases := []struct {
		name    string
		args    []string
		environ map[string]string
		code    int
	}{
		{"a high finding fails by default", []string{"check", boutique}, nil, 1},
		{"--fail-on never", []string{"check", "--fail-on", "never", boutique}, nil, 0},
		{"ARCHMAP_FAIL_ON twin", []string{"check", boutique}, map[string]string{"ARCHMAP_FAIL_ON": "never"}, 0},
		{"the flag wins over its twin", []string{"check", "--fail-on", "high", boutique}, map[string]string{"ARCHMAP_FAIL_ON": "never"}, 1},
		{"info below the default", []string{"check", quiet}, nil, 0},
		{"info at --fail-on info", []string{"check", "--fail-on", "info", quiet}, nil, 1},
		{"info below --fail-on low", []string{"check", "--fail-on", "low", quiet}, nil, 0},
		{"no findings at --fail-on info", []string{"check", "--fail-on", "info", clean}, nil, 0},
		{"invalid model", []string{"check", invalid}, nil, 2},
		{"missing file", []string{"check", filepath.Join(t.TempDir(), "nope.yaml")}, nil, 2},
		{"no model", []string{"check"}, nil, 2},
		{"two models", []string{"check", quiet, clean}, nil, 2},
		{"unknown format", []string{"check", "--format", "xml", quiet}, nil, 2},
		{"unknown severity", []string{"check", "--fail-on", "critical", quiet}, nil, 2},
		{"unknown flag", []string{"check", "--strict", quiet}, nil, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := runRiskCLI(t, "", tc.environ, tc.args...)
			if res.code != tc.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", res.code, tc.code, res.stdout, res.stderr)
			}
		})
	}
}

func TestCheckInvalidModelNamesEveryProblem(t *testing.T) {
	path := writeModel(t, "bad.yaml", `version: 1
name: Bad
services:
  - {name: a}
  - {name: a}
dependencies:
  - {from: a, to: ghost}
`)
	res := runRiskCLI(t, "", nil, "check", "--format", "json", path)
	if res.code != 2 {
		t.Fatalf("exit %d", res.code)
	}
	if res.stdout != "" {
		t.Errorf("printed findings for an invalid model: %s", res.stdout)
	}
	for _, want := range []string{
		path + `:5: services[1].name: duplicate name "a"`,
		path + `:7: dependencies[0].to: unknown service "ghost"`,
	} {
		if !strings.Contains(res.stderr, want) {
			t.Errorf("stderr does not say %q:\n%s", want, res.stderr)
		}
	}
}

func TestCheckJSONIsTheReport(t *testing.T) {
	data, err := os.ReadFile(boutique)
	if err != nil {
		t.Fatal(err)
	}
	m, err := topology.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	want := risk.Analyze(m)

	for _, source := range []struct{ name, stdin, arg string }{{"file", "", boutique}, {"stdin", string(data), "-"}} {
		t.Run(source.name, func(t *testing.T) {
			res := runRiskCLI(t, source.stdin, nil, "check", "--format", "json", source.arg)
			if res.code != 1 {
				t.Errorf("exit %d, want 1", res.code)
			}
			var got risk.Report
			if err := json.Unmarshal([]byte(res.stdout), &got); err != nil {
				t.Fatalf("stdout is not JSON: %v\n%s", err, res.stdout)
			}
			if !reflect.DeepEqual(&got, want) {
				t.Errorf("report differs from Analyze:\n got  %+v\n want %+v", got, *want)
			}
			if !strings.HasPrefix(res.stdout, "{\n  \"model\": \"Online Boutique\",\n  \"findings\": [\n    {\n      \"rule\": ") || !strings.HasSuffix(res.stdout, "}\n") {
				t.Errorf("not indented by two spaces with a final newline:\n%s", res.stdout)
			}
		})
	}

	res := runRiskCLI(t, "", nil, "check", "--format", "json", writeModel(t, "clean.yaml", "version: 1\nname: Clean\n"))
	if res.code != 0 || !strings.Contains(res.stdout, `"findings": [],`) {
		t.Errorf("no findings must be an empty array (exit %d):\n%s", res.code, res.stdout)
	}
}

func TestCheckSARIF(t *testing.T) {
	doc := `version: 1
name: Shop
services:
  - name: web
  - name: "<cart> \"x\""
    kind: cache
servers:
  - name: n1
  - name: idle
placements:
  - {service: web, server: n1, instances: 2}
  - {service: "<cart> \"x\"", server: n1}
dependencies:
  - {from: web, to: "<cart> \"x\"", protocol: ipc}
`
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "shop model.yaml"), []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	res := runRiskCLI(t, "", nil, "check", "--format", "sarif", "shop model.yaml")
	if res.code != 1 {
		t.Errorf("exit %d, want 1: %s", res.code, res.stderr)
	}
	var log struct {
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name  string `json:"name"`
					Rules []struct {
						ID               string `json:"id"`
						ShortDescription struct{ Text string }
						Help             struct{ Text string }
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID    string `json:"ruleId"`
				RuleIndex int    `json:"ruleIndex"`
				Level     string `json:"level"`
				Message   struct{ Text string }
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string }
						Region           *struct{ StartLine int }
					}
				}
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &log); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, res.stdout)
	}
	if log.Version != "2.1.0" || len(log.Runs) != 1 || log.Runs[0].Tool.Driver.Name != "archmap" {
		t.Fatalf("not a SARIF 2.1.0 log of archmap:\n%s", res.stdout)
	}
	run := log.Runs[0]
	// Every risk rule, and the note about stale acceptances.
	if len(run.Tool.Driver.Rules) != len(risk.Rules())+1 {
		t.Errorf("%d rules in the driver, want %d", len(run.Tool.Driver.Rules), len(risk.Rules())+1)
	}
	for _, r := range run.Tool.Driver.Rules {
		if r.ID == "" || r.ShortDescription.Text == "" || r.Help.Text == "" {
			t.Errorf("rule without id, description or help: %+v", r)
		}
	}
	// Each finding is located at the line of its first subject.
	want := map[string]struct {
		level string
		line  int
	}{
		"server-blast-radius": {"", 0},      // not expected: two services only
		"spof-instance":       {"error", 5}, // <cart> "x", services[1]
		"spof-server":         {"error", 4}, // web, services[0]
		"idle-server":         {"note", 9},  // servers[1]
		"ipc-across-servers":  {"", 0},      // co-located: silent
		"unplaced-service":    {"", 0},
	}
	seen := map[string]bool{}
	for _, r := range run.Results {
		seen[r.RuleID] = true
		w, ok := want[r.RuleID]
		if !ok || w.line == 0 {
			t.Errorf("unexpected result %s", r.RuleID)
			continue
		}
		if r.Level != w.level {
			t.Errorf("%s: level %q, want %q", r.RuleID, r.Level, w.level)
		}
		if run.Tool.Driver.Rules[r.RuleIndex].ID != r.RuleID {
			t.Errorf("%s: ruleIndex %d points at %s", r.RuleID, r.RuleIndex, run.Tool.Driver.Rules[r.RuleIndex].ID)
		}
		if len(r.Locations) != 1 || r.Locations[0].PhysicalLocation.Region == nil {
			t.Errorf("%s: no line", r.RuleID)
			continue
		}
		loc := r.Locations[0].PhysicalLocation
		if loc.ArtifactLocation.URI != "shop%20model.yaml" {
			t.Errorf("%s: uri %q", r.RuleID, loc.ArtifactLocation.URI)
		}
		if loc.Region.StartLine != w.line {
			t.Errorf("%s: line %d, want %d", r.RuleID, loc.Region.StartLine, w.line)
		}
	}
	for rule, w := range want {
		if w.line > 0 && !seen[rule] {
			t.Errorf("no %s result", rule)
		}
	}
	if !strings.Contains(res.stdout, `<cart> \"x\" (a cache, holding state) runs a single instance`) {
		t.Errorf("the name is not in the message as typed:\n%s", res.stdout)
	}
}

func TestCheckText(t *testing.T) {
	path := writeModel(t, "t.yaml", `version: 1
name: "Shop <&>"
services:
  - {name: "Zürich \"api\"", kind: database}
  - {name: orphan}
servers:
  - {name: n1}
placements:
  - {service: "Zürich \"api\"", server: n1}
`)
	res := runRiskCLI(t, "", nil, "check", "--fail-on", "never", path)
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	for _, want := range []string{
		"Shop <&>: 2 finding(s): 1 high, 0 medium, 1 low, 0 info\n",
		"\nHIGH\n  spof-instance  service:Zürich \"api\"\n      Zürich \"api\" (a database, holding state) runs a single instance, on n1",
		"\nLOW\n  unplaced-service  service:orphan\n",
		"fix: place orphan on the servers it runs on",
	} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("text output lacks %q:\n%s", want, res.stdout)
		}
	}
	if strings.Contains(res.stdout, "\x1b[") {
		t.Errorf("colour codes written to a non-terminal:\n%q", res.stdout)
	}
	res = runRiskCLI(t, "", nil, "check", writeModel(t, "c.yaml", "version: 1\nname: Clean\n"))
	if res.stdout != "Clean: no findings\n" || res.code != 0 {
		t.Errorf("clean model: exit %d, %q", res.code, res.stdout)
	}
}

// go test -run '^$' -bench Check ./web/
func BenchmarkCheck(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		data, err := topology.EncodeYAML(topologytest.Generate(n))
		if err != nil {
			b.Fatal(err)
		}
		path := filepath.Join(b.TempDir(), "model.yaml")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if res := runRiskCLI(b, "", nil, "check", "--format", "json", "--fail-on", "never", path); res.code != 0 {
					b.Fatalf("exit %d: %s", res.code, res.stderr)
				}
			}
		})
	}
}
