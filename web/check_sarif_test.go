package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// sarifSchema compiles the vendored SARIF 2.1.0 schema, formats asserted.
func sarifSchema(tb testing.TB) *jsonschema.Schema {
	tb.Helper()
	f, err := os.Open(filepath.Join("testdata", "sarif", "sarif-schema-2.1.0.json"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		tb.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	const url = "file:///sarif-schema-2.1.0.json"
	if err := c.AddResource(url, doc); err != nil {
		tb.Fatal(err)
	}
	s, err := c.Compile(url)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// validateSARIF fails unless out is a SARIF 2.1.0 log by the schema.
func validateSARIF(tb testing.TB, s *jsonschema.Schema, out string) {
	tb.Helper()
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(out))
	if err != nil {
		tb.Fatalf("not JSON: %v", err)
	}
	if err := s.Validate(inst); err != nil {
		tb.Errorf("the SARIF does not validate against the 2.1.0 schema: %v", err)
	}
}

// sarifOut is the part of a SARIF log the tests read.
type sarifOut struct {
	Runs []struct {
		Tool struct {
			Driver struct {
				Version        string `json:"version"`
				InformationURI string `json:"informationUri"`
				Rules          []struct {
					ID              string `json:"id"`
					FullDescription struct{ Text string }
					Help            struct{ Text, Markdown string }
					HelpURI         string `json:"helpUri"`
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		AutomationDetails struct{ ID string } `json:"automationDetails"`
		Results           []struct {
			RuleID           string `json:"ruleId"`
			Level            string `json:"level"`
			Locations        []sarifLoc
			RelatedLocations []sarifLoc `json:"relatedLocations"`
			Suppressions     []struct {
				Kind, Status, Justification string
				Location                    *sarifLoc
			} `json:"suppressions"`
			Properties struct{ Subjects []string } `json:"properties"`
		} `json:"results"`
	} `json:"runs"`
}

type sarifLoc struct {
	PhysicalLocation struct {
		ArtifactLocation struct{ URI string }
		Region           *struct{ StartLine int }
	}
	Message *struct{ Text string }
}

func parseSARIF(tb testing.TB, out string) sarifOut {
	tb.Helper()
	var log sarifOut
	if err := json.Unmarshal([]byte(out), &log); err != nil || len(log.Runs) != 1 {
		tb.Fatalf("not one SARIF run (%v):\n%s", err, out)
	}
	return log
}

const acceptedCheckModel = `version: 1
name: Cache
services:
  - name: api
  - name: redis-cart
    kind: cache
servers:
  - name: n1
  - name: n2
placements:
  - {service: api, server: n1}
  - {service: api, server: n2}
  - {service: redis-cart, server: n1}
dependencies:
  - {from: api, to: redis-cart}
accepted_risks:
  - rule: spof-instance
    subjects: [service:redis-cart]
    reason: Cache only; rebuilt from orders-db in 2 minutes
    owner: platform
`

// TestCheckAcceptedRisk is issue 16's must-show: an acceptance of the only
// high finding makes check pass, the JSON marks it, the summary counts it
// apart; once expired check fails again and reports the stale acceptance
// at its line; SARIF carries the suppression with its justification.
func TestCheckAcceptedRisk(t *testing.T) {
	schema := sarifSchema(t)
	live := writeModel(t, "live.yaml", acceptedCheckModel+"    expires: 2999-12-31\n")
	res := runRiskCLI(t, "", nil, "check", "--format", "json", live)
	if res.code != 0 {
		t.Fatalf("exit %d with the only high finding accepted: %s%s", res.code, res.stdout, res.stderr)
	}
	var r struct {
		Findings []struct {
			Rule     string
			Accepted *struct{ Reason, Owner, Expires string }
		}
		Summary          map[string]int
		StaleAcceptances []map[string]any `json:"stale_acceptances"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Findings) == 0 || r.Findings[0].Rule != "spof-instance" || r.Findings[0].Accepted == nil ||
		r.Findings[0].Accepted.Reason != "Cache only; rebuilt from orders-db in 2 minutes" || r.Findings[0].Accepted.Owner != "platform" || r.Findings[0].Accepted.Expires != "2999-12-31" {
		t.Errorf("findings %+v", r.Findings)
	}
	if r.Summary["high"] != 0 || r.Summary["accepted"] != 1 || r.StaleAcceptances != nil {
		t.Errorf("summary %v stale %v", r.Summary, r.StaleAcceptances)
	}
	// --fail-on low would still fail on an open finding, never on the accepted one.
	if res := runRiskCLI(t, "", nil, "check", "--fail-on", "info", live); res.code != 0 {
		text := res.stdout
		if !strings.Contains(text, "ACCEPTED (1, not counted)") {
			t.Errorf("exit %d and no accepted group:\n%s", res.code, text)
		}
	}
	text := runRiskCLI(t, "", nil, "check", live).stdout
	for _, want := range []string{"1 accepted\n", "\nACCEPTED (1, not counted)\n  spof-instance  service:redis-cart  [high]\n      accepted: Cache only", "owner platform, until 2999-12-31"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}

	res = runRiskCLI(t, "", nil, "check", "--format", "sarif", live)
	validateSARIF(t, schema, res.stdout)
	log := parseSARIF(t, res.stdout)
	found := false
	for _, x := range log.Runs[0].Results {
		if x.RuleID != "spof-instance" {
			continue
		}
		found = true
		if len(x.Suppressions) != 1 || x.Suppressions[0].Kind != "inSource" || x.Suppressions[0].Status != "accepted" ||
			x.Suppressions[0].Justification != "Cache only; rebuilt from orders-db in 2 minutes" {
			t.Errorf("suppressions %+v", x.Suppressions)
		} else if l := x.Suppressions[0].Location; l == nil || l.PhysicalLocation.Region == nil || l.PhysicalLocation.Region.StartLine != 17 {
			t.Errorf("the suppression is not at accepted_risks[0] (line 17): %+v", l)
		}
	}
	if !found {
		t.Error("no spof-instance result")
	}

	expired := writeModel(t, "expired.yaml", acceptedCheckModel+"    expires: 2020-01-31\n")
	res = runRiskCLI(t, "", nil, "check", "--format", "json", expired)
	if res.code != 1 {
		t.Errorf("exit %d with the acceptance expired, want 1", res.code)
	}
	r.Findings, r.StaleAcceptances, r.Summary = nil, nil, nil
	if err := json.Unmarshal([]byte(res.stdout), &r); err != nil {
		t.Fatal(err)
	}
	if r.Summary["high"] != 1 || r.Summary["accepted"] != 0 || r.Findings[0].Accepted != nil {
		t.Errorf("expired: summary %v, first %+v", r.Summary, r.Findings[0])
	}
	if len(r.StaleAcceptances) != 1 || r.StaleAcceptances[0]["why"] != "expired" || r.StaleAcceptances[0]["path"] != "accepted_risks[0]" || r.StaleAcceptances[0]["line"] != float64(17) || r.StaleAcceptances[0]["rule"] != "spof-instance" {
		t.Errorf("stale %v", r.StaleAcceptances)
	}
	text = runRiskCLI(t, "", nil, "check", expired).stdout
	if !strings.Contains(text, "STALE ACCEPTANCES (1)\n  "+expired+":17: accepted_risks[0]: expired spof-instance service:redis-cart\n") {
		t.Errorf("text lacks the stale acceptance with its place:\n%s", text)
	}
	res = runRiskCLI(t, "", nil, "check", "--format", "sarif", expired)
	validateSARIF(t, schema, res.stdout)
	log = parseSARIF(t, res.stdout)
	notes := 0
	for _, x := range log.Runs[0].Results {
		if x.RuleID == "spof-instance" && x.Suppressions != nil {
			t.Error("an expired acceptance still suppresses")
		}
		if x.RuleID == "stale-acceptance" {
			notes++
			if x.Level != "note" || x.Locations[0].PhysicalLocation.Region.StartLine != 17 {
				t.Errorf("stale note %+v", x)
			}
		}
	}
	if notes != 1 {
		t.Errorf("%d stale-acceptance notes, want 1", notes)
	}
}

// TestCheckSARIFMetadata: the driver says its version and where to read
// more; every rule has a full description, markdown help and a help URI
// at its page under docs/rules; the run is named after the model's path.
func TestCheckSARIFMetadata(t *testing.T) {
	schema := sarifSchema(t)
	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.MkdirAll("deploy/prod", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("deploy/prod/model.yaml", []byte(acceptedCheckModel), 0o644); err != nil {
		t.Fatal(err)
	}
	res := runRiskCLI(t, "", nil, "check", "--format", "sarif", "--fail-on", "never", "deploy/prod/model.yaml")
	validateSARIF(t, schema, res.stdout)
	log := parseSARIF(t, res.stdout)
	run := log.Runs[0]
	d := run.Tool.Driver
	if d.Version == "" || !strings.HasPrefix(d.InformationURI, "https://") {
		t.Errorf("driver version %q informationUri %q", d.Version, d.InformationURI)
	}
	for _, r := range d.Rules {
		if r.FullDescription.Text == "" || r.Help.Markdown == "" {
			t.Errorf("rule %s lacks a full description or markdown help", r.ID)
		}
		if r.ID != "stale-acceptance" && !strings.HasSuffix(r.HelpURI, "/docs/rules/"+r.ID+".md") {
			t.Errorf("rule %s helpUri %q", r.ID, r.HelpURI)
		}
	}
	if run.AutomationDetails.ID != "archmap/deploy/prod/model.yaml/" {
		t.Errorf("automationDetails.id %q", run.AutomationDetails.ID)
	}
	// Related locations: the dependency's result would name both ends;
	// here the spof-instance of redis-cart has one subject and none.
	for _, x := range run.Results {
		if len(x.Locations) != 1 || x.Locations[0].PhysicalLocation.ArtifactLocation.URI != "deploy/prod/model.yaml" {
			t.Errorf("%s located at %+v", x.RuleID, x.Locations)
		}
		want := len(x.Properties.Subjects) - 1
		if x.RuleID == "spof-server" {
			want++ // and the server its instances share
		}
		if len(x.RelatedLocations) != want {
			t.Errorf("%s: %d related locations for subjects %q", x.RuleID, len(x.RelatedLocations), x.Properties.Subjects)
		}
	}
}

// TestCheckSARIFRelatedLocations: a finding about several subjects (a sync
// cycle) points at the first and relates the others, each at its line.
func TestCheckSARIFRelatedLocations(t *testing.T) {
	path := writeModel(t, "cycle.yaml", `version: 1
name: Cycle
services:
  - name: a
  - name: b
  - name: c
dependencies:
  - {from: a, to: b}
  - {from: b, to: c}
  - {from: c, to: a}
`)
	res := runRiskCLI(t, "", nil, "check", "--format", "sarif", "--fail-on", "never", path)
	validateSARIF(t, sarifSchema(t), res.stdout)
	found := false
	for _, x := range parseSARIF(t, res.stdout).Runs[0].Results {
		if x.RuleID != "sync-cycle" {
			continue
		}
		var lines []int
		for _, l := range append(x.Locations, x.RelatedLocations...) {
			lines = append(lines, l.PhysicalLocation.Region.StartLine)
		}
		if len(lines) != 3 || lines[0] != 4 || lines[1] != 5 || lines[2] != 6 {
			t.Errorf("sync-cycle at lines %v, want [4 5 6]", lines)
		}
		found = true
	}
	if !found {
		t.Error("no sync-cycle result")
	}
	// A spof-server points at the service and relates the server it shares.
	path = writeModel(t, "server.yaml", "version: 1\nname: S\nservices:\n  - name: web\nservers:\n  - name: n1\nplacements:\n  - {service: web, server: n1, instances: 2}\n")
	res = runRiskCLI(t, "", nil, "check", "--format", "sarif", "--fail-on", "never", path)
	validateSARIF(t, sarifSchema(t), res.stdout)
	for _, x := range parseSARIF(t, res.stdout).Runs[0].Results {
		if x.RuleID == "spof-server" {
			if len(x.RelatedLocations) != 1 || x.RelatedLocations[0].Message.Text != "server:n1" || x.RelatedLocations[0].PhysicalLocation.Region.StartLine != 6 {
				t.Errorf("spof-server related locations %+v", x.RelatedLocations)
			}
			return
		}
	}
	t.Error("no spof-server result")
}

// TestCheckSARIFOnlineBoutique is issue 16's must-show: checking Online
// Boutique's directory of manifests points every result at a .yaml file of
// that directory, at a line, and the log validates.
func TestCheckSARIFOnlineBoutique(t *testing.T) {
	dir := realdataPath(t, "online-boutique/kubernetes-manifests")
	res := runRiskCLI(t, "", nil, "check", "--from", "kubernetes", "--format", "sarif", "--fail-on", "never", dir)
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	validateSARIF(t, sarifSchema(t), res.stdout)
	log := parseSARIF(t, res.stdout)
	results := log.Runs[0].Results
	if len(results) < 10 {
		t.Fatalf("only %d results", len(results))
	}
	files := map[string]bool{}
	for _, x := range results {
		for _, l := range append(x.Locations, x.RelatedLocations...) {
			uri := l.PhysicalLocation.ArtifactLocation.URI
			p := strings.TrimPrefix(uri, "file://")
			if filepath.Dir(p) != filepath.ToSlash(dir) || !strings.HasSuffix(p, ".yaml") {
				t.Errorf("%s %v at %q, not a .yaml file of %s", x.RuleID, x.Properties.Subjects, uri, dir)
			}
			if _, err := os.Stat(p); err != nil {
				t.Errorf("%s: %v", x.RuleID, err)
			}
			if l.PhysicalLocation.Region == nil || l.PhysicalLocation.Region.StartLine < 1 {
				t.Errorf("%s %v at %q without a line", x.RuleID, x.Properties.Subjects, uri)
				continue
			}
			files[filepath.Base(p)] = true
			// The line is the workload's: its file says so there.
			data, _ := os.ReadFile(p)
			lines := bytes.Split(data, []byte("\n"))
			line := string(lines[l.PhysicalLocation.Region.StartLine-1])
			if !strings.Contains(line, "replicas:") && !strings.Contains(line, "name:") && !strings.Contains(line, "value:") {
				t.Errorf("%s points at line %d of %s: %q", x.RuleID, l.PhysicalLocation.Region.StartLine, p, line)
			}
		}
	}
	// The single redis-cart is found in its own file, not the first one.
	found := false
	for _, x := range results {
		if x.RuleID == "spof-instance" && len(x.Properties.Subjects) == 1 && x.Properties.Subjects[0] == "service:redis-cart" {
			found = strings.HasSuffix(x.Locations[0].PhysicalLocation.ArtifactLocation.URI, "/redis.yaml") ||
				strings.HasSuffix(x.Locations[0].PhysicalLocation.ArtifactLocation.URI, "/cartservice.yaml")
			if !found {
				t.Errorf("redis-cart's spof-instance at %+v", x.Locations[0])
			}
		}
	}
	if len(files) < 5 {
		t.Errorf("results point at only %d files: %v", len(files), files)
	}
}

// TestCheckSARIFCompose: a compose service's findings point at its
// deploy.replicas (else its key) in the compose file.
func TestCheckSARIFCompose(t *testing.T) {
	schema := sarifSchema(t)
	dir := t.TempDir()
	t.Chdir(dir)
	compose := `services:
  web:
    image: nginx
    deploy:
      replicas: 1
    environment:
      DB_URL: postgres://db:5432/app
  db:
    image: postgres:16
`
	if err := os.WriteFile("compose.yaml", []byte(compose), 0o644); err != nil {
		t.Fatal(err)
	}
	res := runRiskCLI(t, "", nil, "check", "--from", "compose", "--format", "sarif", "--fail-on", "never", "compose.yaml")
	validateSARIF(t, schema, res.stdout)
	want := map[string]int{"service:web": 5, "service:db": 8}
	seen := 0
	for _, x := range parseSARIF(t, res.stdout).Runs[0].Results {
		if x.RuleID != "spof-instance" {
			continue
		}
		l := x.Locations[0].PhysicalLocation
		if l.ArtifactLocation.URI != "compose.yaml" || l.Region == nil || l.Region.StartLine != want[x.Properties.Subjects[0]] {
			t.Errorf("%v at %+v, want compose.yaml:%d", x.Properties.Subjects, l, want[x.Properties.Subjects[0]])
		}
		seen++
	}
	if seen != 2 {
		t.Errorf("%d spof-instance results, want 2:\n%s", seen, res.stdout)
	}
}
