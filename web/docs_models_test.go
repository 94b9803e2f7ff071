package main

import (
	"encoding/json"
	"testing"
)

// TestProductionModels: archmap's models of itself in docs/examples, which
// docs/production.md shows, say what the page says. One node is the single
// point of failure archmap flags for others; two nodes leave no high
// finding.
func TestProductionModels(t *testing.T) {
	check := func(path string) (int, map[string][]string) {
		t.Helper()
		r := runCLI(t, "", nil, "check", "--format", "json", "--fail-on", "high", path)
		var out struct {
			Findings []struct {
				Rule     string   `json:"rule"`
				Severity string   `json:"severity"`
				Subjects []string `json:"subjects"`
				Accepted any      `json:"accepted"`
			} `json:"findings"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
			t.Fatalf("check %s: exit %d, %v: %s%s", path, r.code, err, r.stdout, r.stderr)
		}
		bySeverity := map[string][]string{}
		for _, f := range out.Findings {
			if f.Accepted == nil {
				bySeverity[f.Severity] = append(bySeverity[f.Severity], f.Rule)
			}
		}
		return r.code, bySeverity
	}

	code, found := check("../docs/examples/archmap-two-node.yaml")
	if code != 0 || len(found["high"]) > 0 {
		t.Errorf("archmap-two-node.yaml: exit %d, high findings %v; want none", code, found["high"])
	}
	code, found = check("../docs/examples/archmap-single.yaml")
	spof := 0
	for _, rule := range found["high"] {
		if rule == "spof-instance" || rule == "spof-server" {
			spof++
		}
	}
	if code != 1 || spof == 0 {
		t.Errorf("archmap-single.yaml: exit %d, high findings %v; want spof-instance or spof-server", code, found["high"])
	}
}
