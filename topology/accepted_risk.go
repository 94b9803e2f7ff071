package topology

import (
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// RuleIDs are the ids of the risk rules (docs/rules), in the order of the
// rules' table. They live here, beside the model, because an accepted risk
// names one and the model validates what it names; the risk package checks
// in a test that its rules are exactly these.
var RuleIDs = []string{
	"spof-instance", "spof-server", "spof-zone", "server-blast-radius",
	"chatty-cross-network", "ipc-across-servers", "sync-cycle",
	"deep-sync-chain", "shared-datastore", "unplaced-service", "idle-server",
}

// Bounds of an accepted risk.
const (
	MaxReasonLen           = 500
	MaxAcceptedSubjects    = 1000 // a sync cycle can hold many services; this bounds a hostile list
	AcceptedRiskDateLayout = "2006-01-02"
)

// AcceptedRisk is a finding the team has looked at and accepts, with why
// (docs/model.md, accepted_risks). It matches the finding of Rule whose subjects
// are exactly Subjects (in any order). From the day after Expires it no
// longer hides its finding.
type AcceptedRisk struct {
	Rule     string   `json:"rule" yaml:"rule"`
	Subjects []string `json:"subjects" yaml:"subjects"`
	Reason   string   `json:"reason" yaml:"reason"`
	Owner    string   `json:"owner,omitempty" yaml:"owner,omitempty"`
	Expires  string   `json:"expires,omitempty" yaml:"expires,omitempty"` // YYYY-MM-DD, or ""
}

// Key identifies what an acceptance matches: its rule and its subjects,
// sorted. Two acceptances with one key are duplicates.
func (a *AcceptedRisk) Key() string {
	return AcceptanceKey(a.Rule, a.Subjects)
}

// AcceptanceKey is the key of the finding of rule about subjects, in the
// form AcceptedRisk.Key gives, so findings and acceptances can be matched.
func AcceptanceKey(rule string, subjects []string) string {
	s := slices.Clone(subjects)
	slices.Sort(s)
	return rule + "\x00" + strings.Join(s, "\x00")
}

// ExpiredAt reports whether the acceptance has lapsed on the day of now
// (UTC): it holds through its Expires day.
func (a *AcceptedRisk) ExpiredAt(now time.Time) bool {
	if a.Expires == "" {
		return false
	}
	d, err := time.Parse(AcceptedRiskDateLayout, a.Expires)
	if err != nil {
		return false // Validate refuses it; a stored one cannot be malformed
	}
	today := now.UTC().Format(AcceptedRiskDateLayout)
	return d.Format(AcceptedRiskDateLayout) < today
}

// Validate checks one acceptance on its own; Model.Validate also refuses
// duplicates.
func (a *AcceptedRisk) Validate() error {
	var v validator
	a.validate(&v, place{})
	return v.err()
}

func (a *AcceptedRisk) validate(v *validator, p place) {
	switch {
	case a.Rule == "":
		v.add(p.field("rule"), "required")
	case !slices.Contains(RuleIDs, a.Rule):
		v.add(p.field("rule"), "unknown rule %s; want one of %s", strconv.Quote(a.Rule), strings.Join(RuleIDs, ", "))
	}
	switch {
	case len(a.Subjects) == 0:
		v.add(p.field("subjects"), "required: the subjects of the finding, like service:NAME, server:NAME or dependency:FROM->TO")
	case len(a.Subjects) > MaxAcceptedSubjects:
		v.add(p.field("subjects"), "too many subjects: %d, at most %d", len(a.Subjects), MaxAcceptedSubjects)
	default:
		seen := make(map[string]bool, len(a.Subjects))
		for i, s := range a.Subjects {
			sp := p.field("subjects") + "[" + strconv.Itoa(i) + "]"
			if msg := ValidateSubject(s); msg != "" {
				v.add(sp, "%s", msg)
			} else if seen[s] {
				v.add(sp, "subject %s given twice", strconv.Quote(s))
			}
			seen[s] = true
			if v.full() {
				return
			}
		}
	}
	switch n := utf8.RuneCountInString(a.Reason); {
	case strings.TrimSpace(a.Reason) == "":
		v.add(p.field("reason"), "required: say why the risk is accepted (1–%d characters)", MaxReasonLen)
	case n > MaxReasonLen:
		v.add(p.field("reason"), "too long: %d characters, at most %d", n, MaxReasonLen)
	default:
		v.text(p, "reason", a.Reason, MaxReasonLen, true)
	}
	v.text(p, "owner", a.Owner, MaxLabelLen, false)
	if a.Expires != "" {
		if _, err := time.Parse(AcceptedRiskDateLayout, a.Expires); err != nil {
			v.add(p.field("expires"), "must be a date written YYYY-MM-DD, got %s", strconv.Quote(a.Expires))
		}
	}
}

// ValidateSubject checks a finding's subject: service:NAME, server:NAME or
// dependency:FROM->TO with valid names. It returns the problem or "".
func ValidateSubject(s string) string {
	const want = "; want service:NAME, server:NAME or dependency:FROM->TO"
	kind, name, ok := strings.Cut(s, ":")
	if !ok {
		return "malformed subject " + strconv.Quote(s) + want
	}
	switch kind {
	case "service", "server":
		if msg := ValidateName(name); msg != "" {
			return "malformed subject " + strconv.Quote(s) + ": name " + msg
		}
	case "dependency":
		from, to, ok := strings.Cut(name, "->")
		if !ok {
			return "malformed subject " + strconv.Quote(s) + ": a dependency is written FROM->TO"
		}
		if ValidateName(from) != "" || ValidateName(to) != "" {
			return "malformed subject " + strconv.Quote(s) + ": both ends of a dependency must be valid names"
		}
	default:
		return "malformed subject " + strconv.Quote(s) + want
	}
	return ""
}
