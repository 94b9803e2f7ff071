package topology_test

import (
	"strings"
	"testing"
	"time"

	"github.com/archmap/archmap/topology"
)

const acceptedBase = `version: 1
name: Shop
services:
  - name: redis-cart
    kind: cache
accepted_risks:
`

// TestAcceptedRiskProblems: every way an acceptance can be wrong is named
// with its place and line, and nothing else is reported.
func TestAcceptedRiskProblems(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []want
	}{
		{"unknown rule", `  - rule: spof-everything
    subjects: [service:redis-cart]
    reason: fine`, []want{{"accepted_risks[0].rule", 7, `unknown rule "spof-everything"`}}},
		{"missing rule", `  - subjects: [service:redis-cart]
    reason: fine`, []want{{"accepted_risks[0].rule", 7, "required"}}},
		{"malformed subject", `  - rule: spof-instance
    subjects: [redis-cart]
    reason: fine`, []want{{"accepted_risks[0].subjects[0]", 8, `malformed subject "redis-cart"`}}},
		{"unknown kind of subject", `  - rule: spof-instance
    subjects:
      - service:redis-cart
      - zone:eu-1
    reason: fine`, []want{{"accepted_risks[0].subjects[1]", 10, `malformed subject "zone:eu-1"`}}},
		{"dependency without arrow", `  - rule: chatty-cross-network
    subjects: ["dependency:a-b"]
    reason: fine`, []want{{"accepted_risks[0].subjects[0]", 8, "FROM->TO"}}},
		{"empty name", `  - rule: spof-instance
    subjects: ["service:"]
    reason: fine`, []want{{"accepted_risks[0].subjects[0]", 8, "name required"}}},
		{"subject given twice", `  - rule: sync-cycle
    subjects: [service:a, service:a]
    reason: fine`, []want{{"accepted_risks[0].subjects[1]", 8, "given twice"}}},
		{"subject not text", `  - rule: sync-cycle
    subjects: [{service: a}]
    reason: fine`, []want{{"accepted_risks[0].subjects[0]", 8, "must be text"}}},
		{"subjects not a list", `  - rule: sync-cycle
    subjects: service:a
    reason: fine`, []want{{"accepted_risks[0].subjects", 8, "must be a list"}}},
		{"no subjects", `  - rule: spof-instance
    subjects: []
    reason: fine`, []want{{"accepted_risks[0].subjects", 8, "required"}}},
		{"missing reason", `  - rule: spof-instance
    subjects: [service:redis-cart]`, []want{{"accepted_risks[0].reason", 7, "required: say why"}}},
		{"blank reason", `  - rule: spof-instance
    subjects: [service:redis-cart]
    reason: "   "`, []want{{"accepted_risks[0].reason", 9, "required"}}},
		{"reason too long", `  - rule: spof-instance
    subjects: [service:redis-cart]
    reason: ` + strings.Repeat("x", 501), []want{{"accepted_risks[0].reason", 9, "too long: 501 characters, at most 500"}}},
		{"control character in the owner", `  - rule: spof-instance
    subjects: [service:redis-cart]
    reason: ok
    owner: "a\u0007b"`, []want{{"accepted_risks[0].owner", 10, "control character"}}},
		{"bad date", `  - rule: spof-instance
    subjects: [service:redis-cart]
    reason: ok
    expires: 31/03/2027`, []want{{"accepted_risks[0].expires", 10, `YYYY-MM-DD, got "31/03/2027"`}}},
		{"impossible date", `  - rule: spof-instance
    subjects: [service:redis-cart]
    reason: ok
    expires: 2027-02-30`, []want{{"accepted_risks[0].expires", 10, "YYYY-MM-DD"}}},
		{"unknown field", `  - rule: spof-instance
    subjects: [service:redis-cart]
    reason: ok
    until: 2027-01-01`, []want{{"accepted_risks[0].until", 10, `unknown field "until"`}}},
		{"the same finding twice, subjects in another order", `  - rule: sync-cycle
    subjects: [service:a, service:b]
    reason: ok
  - rule: sync-cycle
    subjects: [service:b, service:a]
    reason: again`, []want{{"accepted_risks[1]", 10, "already accepted at accepted_risks[0]"}}},
		{"not a list", `  rule: spof-instance`, []want{{"accepted_risks", 7, "must be a list"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkProblems(t, problemsOf(t, acceptedBase+tt.in+"\n"), tt.want)
		})
	}
}

// TestAcceptedRiskValid: an acceptance may name things the model does not
// have (it is then stale, which the risk report says, not an error), and
// a service whose name holds "->" can still be a subject.
func TestAcceptedRiskValid(t *testing.T) {
	m := mustParse(t, acceptedBase+`  - rule: spof-instance
    subjects: [service:gone]
    reason: it was removed
  - rule: chatty-cross-network
    subjects: ["dependency:a->b->c"]
    reason: odd names are names
`)
	if len(m.AcceptedRisks) != 2 || m.AcceptedRisks[0].Subjects[0] != "service:gone" {
		t.Fatalf("accepted risks = %+v", m.AcceptedRisks)
	}
}

// TestAcceptedRiskExpiry: an acceptance holds through its expiry day and
// lapses the day after; without a date it never lapses.
func TestAcceptedRiskExpiry(t *testing.T) {
	a := topology.AcceptedRisk{Expires: "2027-03-31"}
	for _, tt := range []struct {
		now  string
		want bool
	}{
		{"2027-03-30T12:00:00Z", false},
		{"2027-03-31T23:59:59Z", false},
		{"2027-04-01T00:00:00Z", true},
		{"2030-01-01T00:00:00Z", true},
	} {
		now, _ := time.Parse(time.RFC3339, tt.now)
		if got := a.ExpiredAt(now); got != tt.want {
			t.Errorf("ExpiredAt(%s) = %v, want %v", tt.now, got, tt.want)
		}
	}
	if (&topology.AcceptedRisk{}).ExpiredAt(time.Now().AddDate(100, 0, 0)) {
		t.Error("an acceptance without a date lapsed")
	}
}
