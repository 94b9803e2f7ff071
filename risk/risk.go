// Package risk flags what an experienced SRE would point at in a
// topology.Model — single points of failure, chatty or impossible calls
// across the network, synchronous cycles and chains, shared databases, the
// blast radius of a server — and simulates failures (docs/rules, docs/cli.md#simulate).
//
// Everything here is a pure function of a model and, for acceptances that
// lapse, of the day (AnalyzeAt): no I/O, no escaping. Names appear in
// messages exactly as the user typed them; the renderers escape them for
// their medium.
package risk

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/archmap/archmap/topology"
)

// Severity ranks a finding. Its string is the one of the JSON contract.
type Severity string

// The severities, from the most to the least serious.
const (
	High   Severity = "high"
	Medium Severity = "medium"
	Low    Severity = "low"
	Info   Severity = "info"
)

// Severities lists every severity, most serious first.
var Severities = []Severity{High, Medium, Low, Info}

// Rank orders severities: High is 4, Info 1, anything else 0.
func (s Severity) Rank() int {
	switch s {
	case High:
		return 4
	case Medium:
		return 3
	case Low:
		return 2
	case Info:
		return 1
	}
	return 0
}

// AtLeast reports whether s is as serious as min or more.
func (s Severity) AtLeast(min Severity) bool { return s.Rank() >= min.Rank() }

// ParseSeverity reads "high", "medium", "low" or "info".
func ParseSeverity(s string) (Severity, error) {
	for _, v := range Severities {
		if string(v) == s {
			return v, nil
		}
	}
	return "", topology.Errorf(topology.EINVALID, "unknown severity %q; want high, medium, low or info", s)
}

// The rule ids, one page each in docs/rules. Users' CI pipelines match on them: never rename one.
const (
	RuleSpofInstance       = "spof-instance"
	RuleSpofServer         = "spof-server"
	RuleSpofZone           = "spof-zone"
	RuleServerBlastRadius  = "server-blast-radius"
	RuleChattyCrossNetwork = "chatty-cross-network"
	RuleIPCAcrossServers   = "ipc-across-servers"
	RuleSyncCycle          = "sync-cycle"
	RuleDeepSyncChain      = "deep-sync-chain"
	RuleSharedDatastore    = "shared-datastore"
	RuleUnplacedService    = "unplaced-service"
	RuleIdleServer         = "idle-server"
)

// Finding is one risk, about one or more subjects (see ServiceSubject and
// friends). Subjects are sorted.
type Finding struct {
	Rule       string   `json:"rule"`
	Severity   Severity `json:"severity"`
	Subjects   []string `json:"subjects"`
	Message    string   `json:"message"`
	Suggestion string   `json:"suggestion"`
	// Accepted is set when the model's accepted_risks accept this finding
	// (and the acceptance has not lapsed): it is still reported, but no
	// longer counted or failed on.
	Accepted *Acceptance `json:"accepted,omitempty"`
}

// Acceptance is why a finding is accepted, and by whom and until when
// (empty when not said).
type Acceptance struct {
	Reason  string `json:"reason"`
	Owner   string `json:"owner"`
	Expires string `json:"expires"`
}

// Summary counts the findings not accepted by severity, and the accepted
// ones apart.
type Summary struct {
	High     int `json:"high"`
	Medium   int `json:"medium"`
	Low      int `json:"low"`
	Info     int `json:"info"`
	Accepted int `json:"accepted"`
}

// Report is the outcome of Analyze; its JSON is the contract of docs/rules/README.md#findings.
type Report struct {
	Model    string    `json:"model"`
	Findings []Finding `json:"findings"`
	Summary  Summary   `json:"summary"`
	// StaleAcceptances are the model's acceptances that match no finding or
	// have lapsed; left out when there are none.
	StaleAcceptances []StaleAcceptance `json:"stale_acceptances,omitempty"`
}

// ServiceSubject names a service as a finding's subject.
func ServiceSubject(name string) string { return "service:" + name }

// ServerSubject names a server as a finding's subject.
func ServerSubject(name string) string { return "server:" + name }

// DependencySubject names the dependency from → to as a finding's subject.
func DependencySubject(from, to string) string { return "dependency:" + from + "->" + to }

// Analyze runs every rule of docs/rules on a valid model (as topology.Parse
// or Model.Validate accept it) and returns the findings in contract order,
// with the model's acceptances applied as of today.
func Analyze(m *topology.Model) *Report {
	return AnalyzeAt(m, time.Now())
}

// AnalyzeAt is Analyze on the day of now (UTC), which decides only which
// acceptances have lapsed.
func AnalyzeAt(m *topology.Model, now time.Time) *Report {
	g := newGraph(m)
	fs := make([]Finding, 0, len(m.Services)+len(m.Servers))
	for _, rule := range rules {
		fs = rule.check(g, fs)
	}
	for i := range fs {
		slices.Sort(fs[i].Subjects)
	}
	slices.SortFunc(fs, compareFindings)
	r := &Report{Model: m.Name, Findings: fs}
	r.StaleAcceptances = accept(fs, m.AcceptedRisks, now)
	for _, f := range fs {
		if f.Accepted != nil {
			r.Summary.Accepted++
			continue
		}
		switch f.Severity {
		case High:
			r.Summary.High++
		case Medium:
			r.Summary.Medium++
		case Low:
			r.Summary.Low++
		case Info:
			r.Summary.Info++
		}
	}
	return r
}

// compareFindings is the contract order: severity (high first), rule id,
// then the sorted subject lists compared element by element. Message and
// suggestion only break ties between findings whose subjects read the same
// (dependency "a->b" → "c" and "a" → "b->c"), so the order never depends on
// the order of the model.
func compareFindings(a, b Finding) int {
	if c := b.Severity.Rank() - a.Severity.Rank(); c != 0 {
		return c
	}
	if c := strings.Compare(a.Rule, b.Rule); c != 0 {
		return c
	}
	if c := slices.Compare(a.Subjects, b.Subjects); c != 0 {
		return c
	}
	if c := strings.Compare(a.Message, b.Message); c != 0 {
		return c
	}
	return strings.Compare(a.Suggestion, b.Suggestion)
}

// Worst returns the most serious severity among the findings not accepted,
// or "" when there are none.
func (r *Report) Worst() Severity {
	var worst Severity
	for _, f := range r.Findings {
		if f.Accepted == nil && f.Severity.Rank() > worst.Rank() {
			worst = f.Severity
		}
	}
	return worst
}

// BySubject indexes the findings by each of their subjects, in report order
// (so a subject's first finding is its most serious), for a diagram to mark
// a service, server or edge and list what is wrong with it.
func (r *Report) BySubject() map[string][]Finding {
	idx := make(map[string][]Finding)
	for _, f := range r.Findings {
		for _, s := range f.Subjects {
			idx[s] = append(idx[s], f)
		}
	}
	return idx
}

// Rule describes one rule for people and for SARIF's rule table.
type Rule struct {
	ID       string
	Severity Severity // the usual severity; some findings of the rule may differ
	Summary  string   // one line: what the rule finds
	Help     string   // why it matters and what to do
}

// Rules lists every rule in the order of the table of docs/rules/README.md.
func Rules() []Rule {
	out := make([]Rule, len(rules))
	for i, r := range rules {
		out[i] = r.Rule
	}
	return out
}

// list writes names for a sentence: "a", "a and b", "a, b and c", cut after
// max names with a count of the rest so a message stays readable.
func list(names []string, max int) string {
	n := len(names)
	switch {
	case n == 0:
		return ""
	case n == 1:
		return names[0]
	case n > max:
		return strings.Join(names[:max], ", ") + fmt.Sprintf(" and %d more", n-max)
	}
	return strings.Join(names[:n-1], ", ") + " and " + names[n-1]
}

// listOf writes the first names of a list of total names: "a, b and 8 more".
func listOf(first []string, total int) string {
	if total <= len(first) {
		return list(first, len(first))
	}
	return strings.Join(first, ", ") + fmt.Sprintf(" and %d more", total-len(first))
}

// plural returns "1 service", "3 services".
func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}
