package diagram

import (
	"strings"
	"testing"

	"github.com/archmap/archmap/risk"
	"github.com/archmap/archmap/topology"
)

// TestAcceptedFindingsDrawnApart: a service whose only finding is accepted
// is not coloured by it but carries the class finding-accepted, and its
// tooltip says the finding is accepted; an open finding still colours.
func TestAcceptedFindingsDrawnApart(t *testing.T) {
	m, err := topology.Parse([]byte(`name: A
services:
  - {name: cache, kind: cache}
  - {name: db, kind: database}
servers: [{name: n1}]
placements:
  - {service: cache, server: n1}
  - {service: db, server: n1}
accepted_risks:
  - rule: spof-instance
    subjects: [service:cache]
    reason: a cache
`))
	if err != nil {
		t.Fatal(err)
	}
	d := mustBuild(t, m, Options{})
	dot := string(d.DOT)
	line := func(id string) string {
		for _, l := range strings.Split(dot, "\n") {
			if strings.Contains(l, `"`+id+`"`) && strings.Contains(l, "class=") {
				return l
			}
		}
		t.Fatalf("no node %s in\n%s", id, dot)
		return ""
	}
	cache, db := line(ServiceID("cache")), line(ServiceID("db"))
	if !strings.Contains(cache, "finding-accepted") || strings.Contains(cache, "sev-high") || strings.Contains(cache, severityColors[risk.High]) {
		t.Errorf("accepted cache node: %s", cache)
	}
	if !strings.Contains(cache, "ACCEPTED HIGH") {
		t.Errorf("the tooltip does not say accepted: %s", cache)
	}
	if strings.Contains(db, "finding-accepted") || !strings.Contains(db, "sev-high") {
		t.Errorf("open db node: %s", db)
	}
}
