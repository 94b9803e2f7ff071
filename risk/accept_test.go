package risk

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/archmap/archmap/topology"
)

// TestRuleIDsAgree: the model validates acceptances against
// topology.RuleIDs; they must be exactly this package's rules, in order.
func TestRuleIDsAgree(t *testing.T) {
	var ids []string
	for _, r := range Rules() {
		ids = append(ids, r.ID)
	}
	if !slices.Equal(ids, topology.RuleIDs) {
		t.Errorf("risk rules %q, topology.RuleIDs %q", ids, topology.RuleIDs)
	}
}

const acceptModel = `name: Shop
services:
  - name: redis-cart
    kind: cache
  - name: cart
servers:
  - name: a
  - name: b
placements:
  - service: redis-cart
    server: a
  - service: cart
    server: a
    instances: 2
  - service: cart
    server: b
dependencies:
  - from: cart
    to: redis-cart
accepted_risks:
`

var day = time.Date(2027, 3, 1, 12, 0, 0, 0, time.UTC)

// TestAcceptance: an acceptance of the only high finding keeps it in the
// list, marked, out of the counts; once lapsed it counts again and is
// stale; one that matches nothing is stale too, with its place.
func TestAcceptance(t *testing.T) {
	open := AnalyzeAt(mustParse(t, acceptModel), day)
	if open.Summary.High != 1 || open.Worst() != High {
		t.Fatalf("without acceptances: %+v", open.Summary)
	}

	r := AnalyzeAt(mustParse(t, acceptModel+`  - rule: spof-instance
    subjects: [service:redis-cart]
    reason: Cache only
    owner: platform
    expires: 2027-03-31
`), day)
	if len(r.Findings) != len(open.Findings) {
		t.Fatalf("accepted findings left the list: %d, want %d", len(r.Findings), len(open.Findings))
	}
	f := r.Findings[0]
	if f.Rule != RuleSpofInstance || f.Accepted == nil || *f.Accepted != (Acceptance{"Cache only", "platform", "2027-03-31"}) {
		t.Errorf("first finding %+v accepted %+v", f, f.Accepted)
	}
	if r.Summary.High != 0 || r.Summary.Accepted != 1 || r.Worst() == High {
		t.Errorf("summary %+v worst %q", r.Summary, r.Worst())
	}
	if r.StaleAcceptances != nil {
		t.Errorf("stale: %+v", r.StaleAcceptances)
	}
	data, _ := json.Marshal(r.Findings[0])
	var shape struct{ Accepted map[string]any }
	if err := json.Unmarshal(data, &shape); err != nil {
		t.Fatal(err)
	}
	if got := shape.Accepted; got["reason"] != "Cache only" || got["owner"] != "platform" || got["expires"] != "2027-03-31" {
		t.Errorf("accepted JSON = %s", data)
	}

	lapsed := AnalyzeAt(mustParse(t, acceptModel+`  - rule: spof-instance
    subjects: [service:redis-cart]
    reason: Cache only
    expires: 2027-02-28
  - rule: sync-cycle
    subjects: [service:cart, service:redis-cart]
    reason: fixed long ago, and expired too
    expires: 2020-01-01
`), day)
	if lapsed.Summary.High != 1 || lapsed.Summary.Accepted != 0 || lapsed.Findings[0].Accepted != nil {
		t.Errorf("a lapsed acceptance still hides: %+v", lapsed.Summary)
	}
	want := []struct {
		index int
		path  string
		why   string
	}{{0, "accepted_risks[0]", StaleExpired}, {1, "accepted_risks[1]", StaleNoFinding}}
	if len(lapsed.StaleAcceptances) != len(want) {
		t.Fatalf("stale = %+v", lapsed.StaleAcceptances)
	}
	for i, w := range want {
		s := lapsed.StaleAcceptances[i]
		if s.Index != w.index || s.Path != w.path || s.Why != w.why {
			t.Errorf("stale[%d] = %+v, want %+v", i, s, w)
		}
	}
	// The day of expiry itself still holds.
	if r := AnalyzeAt(mustParse(t, acceptModel+`  - rule: spof-instance
    subjects: [service:redis-cart]
    reason: Cache only
    expires: 2027-03-01
`), day); r.Summary.Accepted != 1 {
		t.Errorf("acceptance lapsed on its own day: %+v", r.Summary)
	}
}

// TestAcceptanceNeedsExactSubjects: an acceptance names exactly the
// finding's subjects; a subset of a cycle's does not accept the cycle.
func TestAcceptanceNeedsExactSubjects(t *testing.T) {
	m := mustParse(t, `name: c
services: [{name: a}, {name: b}, {name: c}]
dependencies:
  - {from: a, to: b}
  - {from: b, to: c}
  - {from: c, to: a}
accepted_risks:
  - rule: sync-cycle
    subjects: [service:a, service:b]
    reason: partial
  - rule: sync-cycle
    subjects: [service:c, service:b, service:a]
    reason: the whole cycle, in another order
`)
	r := AnalyzeAt(m, day)
	var cycle *Finding
	for i := range r.Findings {
		if r.Findings[i].Rule == RuleSyncCycle {
			cycle = &r.Findings[i]
		}
	}
	if cycle == nil || cycle.Accepted == nil || cycle.Accepted.Reason != "the whole cycle, in another order" {
		t.Fatalf("cycle %+v", cycle)
	}
	if len(r.StaleAcceptances) != 1 || r.StaleAcceptances[0].Index != 0 {
		t.Errorf("stale %+v", r.StaleAcceptances)
	}
}
