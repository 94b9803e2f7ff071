package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/archmap/archmap/diff"
)

// diffOld is a small shop whose orders database runs on two servers of its
// own, one per zone. Its legacy service is placed nowhere (a finding that
// persists through the change).
const diffOld = `version: 1
name: Shop
services:
  - {name: web, kind: frontend}
  - {name: cart}
  - {name: orders}
  - {name: search}
  - {name: email}
  - {name: orders-db, kind: database}
  - {name: legacy}
servers:
  - {name: app-1, zone: a}
  - {name: app-2, zone: b}
  - {name: db-1, zone: a}
  - {name: db-2, zone: b}
placements:
  - {service: web, server: app-1}
  - {service: web, server: app-2}
  - {service: cart, server: app-1}
  - {service: cart, server: app-2}
  - {service: orders, server: app-1}
  - {service: orders, server: app-2}
  - {service: search, server: app-1}
  - {service: search, server: app-2}
  - {service: email, server: app-1}
  - {service: email, server: app-2}
  - {service: orders-db, server: db-1}
  - {service: orders-db, server: db-2}
dependencies:
  - {from: web, to: cart}
  - {from: web, to: orders}
  - {from: orders, to: orders-db, protocol: sql}
`

// diffNew gives the database a single instance on app-1, next to five
// other services: a single point of failure and a blast radius that were
// not there before.
var diffNew = strings.NewReplacer(
	"  - {service: orders-db, server: db-1}\n  - {service: orders-db, server: db-2}\n", "  - {service: orders-db, server: app-1}\n",
	"  - {name: db-1, zone: a}\n  - {name: db-2, zone: b}\n", "",
).Replace(diffOld)

func TestDiffDatabaseMovedOntoABusyServer(t *testing.T) {
	oldPath := writeModel(t, "old.yaml", diffOld)
	newPath := writeModel(t, "new.yaml", diffNew)

	res := runRiskCLI(t, "", nil, "diff", "--format", "json", oldPath, newPath)
	if res.code != 1 {
		t.Fatalf("exit %d, want 1 (a new high finding)\nstdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
	}
	var rep diff.Report
	if err := json.Unmarshal([]byte(res.stdout), &rep); err != nil {
		t.Fatalf("not the diff JSON: %v\n%s", err, res.stdout)
	}
	var newRules []string
	for _, f := range rep.Findings.New {
		newRules = append(newRules, f.Rule+" "+strings.Join(f.Subjects, ","))
	}
	for _, want := range []string{"server-blast-radius server:app-1", "spof-instance service:orders-db"} {
		if !contains(newRules, want) {
			t.Errorf("new findings %q lack %s", newRules, want)
		}
	}
	if rep.Summary.New.High == 0 {
		t.Errorf("summary.new.high = 0; summary %+v", rep.Summary)
	}
	// The placement moved: one removed, one added; the server went.
	wantAdded := []string{"placement:orders-db@app-1"}
	wantRemoved := []string{"server:db-1", "server:db-2", "placement:orders-db@db-1", "placement:orders-db@db-2"}
	if got := subjects(rep.Model.Added); !equalStrings(got, wantAdded) {
		t.Errorf("added %q, want %q", got, wantAdded)
	}
	if got := subjects(rep.Model.Removed); !equalStrings(got, wantRemoved) {
		t.Errorf("removed %q, want %q (servers before placements)", got, wantRemoved)
	}
	// The raw JSON uses the contract's names.
	for _, key := range []string{`"old": "Shop"`, `"new": "Shop"`, `"added"`, `"removed"`, `"changed"`, `"persisting"`, `"resolved"`} {
		if !strings.Contains(res.stdout, key) {
			t.Errorf("JSON lacks %s", key)
		}
	}

	// --fail-on never: same report, exit 0.
	if res := runRiskCLI(t, "", nil, "diff", "--fail-on", "never", oldPath, newPath); res.code != 0 {
		t.Errorf("--fail-on never: exit %d\n%s", res.code, res.stderr)
	}
	// The other way round the change resolves the risk: exit 0.
	back := runRiskCLI(t, "", nil, "diff", "--format", "json", newPath, oldPath)
	if back.code != 0 {
		t.Fatalf("reverse diff exit %d\n%s", back.code, back.stderr)
	}
	if err := json.Unmarshal([]byte(back.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Summary.Resolved.High == 0 || len(rep.Findings.New) != 0 {
		t.Errorf("reverse diff: resolved %+v new %d", rep.Summary.Resolved, len(rep.Findings.New))
	}
}

func TestDiffChangedFields(t *testing.T) {
	oldPath := writeModel(t, "old.yaml", diffOld)
	newPath := writeModel(t, "new.yaml", strings.Replace(diffOld, "  - {service: cart, server: app-2}\n", "  - {service: cart, server: app-2, instances: 3}\n", 1))
	res := runRiskCLI(t, "", nil, "diff", "--format", "json", oldPath, newPath)
	if res.code != 0 {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
	if !strings.Contains(res.stdout, `"subject": "placement:cart@app-2"`) || !strings.Contains(res.stdout, `"instances": [`) {
		t.Errorf("the changed placement is not listed with its field:\n%s", res.stdout)
	}
	text := runRiskCLI(t, "", nil, "diff", oldPath, newPath)
	if !strings.Contains(text.stdout, "~ placement:cart@app-2  instances: 1 → 3") {
		t.Errorf("text output:\n%s", text.stdout)
	}
	// Standard input for one side.
	in := runRiskCLI(t, diffOld, nil, "diff", "-", newPath)
	if in.code != 0 || in.stdout != text.stdout {
		t.Errorf("OLD from standard input: exit %d, output differs:\n%s", in.code, in.stdout)
	}
}

func TestDiffBadInput(t *testing.T) {
	good := writeModel(t, "good.yaml", diffOld)
	bad := writeModel(t, "bad.yaml", "version: 1\nname: x\nservices:\n  - {name: a}\n  - {name: a}\n")
	for name, args := range map[string][]string{
		"one argument":    {"diff", good},
		"invalid new":     {"diff", good, bad},
		"missing old":     {"diff", filepath.Join(t.TempDir(), "nope.yaml"), good},
		"both stdin":      {"diff", "-", "-"},
		"unknown format":  {"diff", "--format", "html", good, good},
		"unknown fail-on": {"diff", "--fail-on", "critical", good, good},
		"unknown --from":  {"diff", "--from", "helm", good, good},
	} {
		res := runRiskCLI(t, "", nil, args...)
		if res.code != 2 {
			t.Errorf("%s: exit %d, want 2\n%s", name, res.code, res.stderr)
		}
		if res.stdout != "" {
			t.Errorf("%s: printed a report on bad input:\n%s", name, res.stdout)
		}
	}
	res := runRiskCLI(t, "", nil, "diff", good, bad)
	if !strings.Contains(res.stderr, "bad.yaml:5") {
		t.Errorf("the invalid file's problem is not located:\n%s", res.stderr)
	}
}

func TestDiffMarkdown(t *testing.T) {
	oldPath := writeModel(t, "old.yaml", diffOld)
	newPath := writeModel(t, "new.yaml", diffNew)
	res := runRiskCLI(t, "", nil, "diff", "--format", "markdown", oldPath, newPath)
	if res.code != 1 {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
	md := res.stdout
	for _, want := range []string{
		"### archmap: 2 new high risks",
		"#### New findings",
		"| severity | rule | subjects | finding | suggestion |",
		"server-blast-radius",
		"#### Model changes",
		"| added | placement:orders-db@app-1 |",
		"```mermaid\nflowchart LR\n",
		":::changed",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	if strings.Count(md, "```") != 2 {
		t.Errorf("want exactly one fenced block:\n%s", md)
	}
}

// The Kubernetes case of the issue: two directories of manifests that
// differ only in one Deployment's replicas, 1 → 2.
func TestDiffFromKubernetesReplicas(t *testing.T) {
	src := realdataPath(t, "online-boutique/kubernetes-manifests")
	oldDir, newDir := t.TempDir(), t.TempDir()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, oldDir, e.Name(), data)
		if e.Name() == "cartservice.yaml" {
			changed := strings.Replace(string(data), "spec:\n  selector:", "spec:\n  replicas: 2\n  selector:", 1)
			if changed == string(data) {
				t.Fatal("cartservice.yaml has no Deployment spec to add replicas to")
			}
			data = []byte(changed)
		}
		writeFile(t, newDir, e.Name(), data)
	}
	res := runRiskCLI(t, "", nil, "diff", "--from", "kubernetes", "--format", "json", oldDir, newDir)
	if res.code != 0 {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
	var rep diff.Report
	if err := json.Unmarshal([]byte(res.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	resolved := false
	for _, f := range rep.Findings.Resolved {
		if f.Rule == "spof-instance" && strings.Join(f.Subjects, ",") == "service:cartservice" {
			resolved = true
		}
	}
	if !resolved {
		t.Errorf("cartservice's spof-instance is not resolved: %+v", rep.Findings.Resolved)
	}
	if len(rep.Findings.New) != 0 {
		t.Errorf("new findings from one more replica: %+v", rep.Findings.New)
	}
	if len(rep.Model.Added)+len(rep.Model.Removed) == 0 && len(rep.Model.Changed) == 0 {
		t.Errorf("no model change reported")
	}
}

func TestDiffSARIFBaselineStates(t *testing.T) {
	oldPath := writeModel(t, "old.yaml", diffOld)
	newPath := writeModel(t, "new.yaml", diffNew)
	res := runRiskCLI(t, "", nil, "diff", "--format", "sarif", oldPath, newPath)
	if res.code != 1 {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
	schema := sarifSchema(t)
	validateSARIF(t, schema, res.stdout)
	var log sarifLog
	if err := json.Unmarshal([]byte(res.stdout), &log); err != nil {
		t.Fatal(err)
	}
	states := map[string]int{}
	for _, r := range log.Runs[0].Results {
		states[r.BaselineState]++
		want := newPath
		if r.BaselineState == "absent" {
			want = oldPath
		}
		if got := r.Locations[0].PhysicalLocation.ArtifactLocation.URI; got != sarifURI(want) {
			t.Errorf("%s result of %s located in %s, want %s", r.BaselineState, r.RuleID, got, want)
		}
	}
	if states["new"] != 2 || states["unchanged"] != 1 || len(states) != 2 {
		t.Errorf("baseline states %v, want 2 new and 1 unchanged", states)
	}
	back := runRiskCLI(t, "", nil, "diff", "--format", "sarif", newPath, oldPath)
	validateSARIF(t, schema, back.stdout)
	if err := json.Unmarshal([]byte(back.stdout), &log); err != nil {
		t.Fatal(err)
	}
	states = map[string]int{}
	for _, r := range log.Runs[0].Results {
		states[r.BaselineState]++
	}
	if states["absent"] != 2 || states["unchanged"] != 1 || len(states) != 2 {
		t.Errorf("reverse: baseline states %v, want 2 absent and 1 unchanged", states)
	}
}

func subjects(cs []diff.Change) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Subject
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func equalStrings(a, b []string) bool {
	return strings.Join(a, "\x00") == strings.Join(b, "\x00")
}
