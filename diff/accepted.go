package diff

import (
	"slices"
	"strings"

	"github.com/archmap/archmap/risk"
	"github.com/archmap/archmap/topology"
)

// AcceptedRiskSubject names an acceptance as the changes do:
// accepted_risk:RULE:SUBJECTS, the subjects sorted and joined by commas,
// so an acceptance whose subjects were only reordered is unchanged.
func AcceptedRiskSubject(rule string, subjects []string) string {
	s := slices.Clone(subjects)
	slices.Sort(s)
	return "accepted_risk:" + rule + ":" + strings.Join(s, ",")
}

// acceptedRiskEntries lists the model's accepted risks as comparable
// entries, subject `accepted_risk:RULE:SUBJECTS`; what can change is why,
// who and until when.
func acceptedRiskEntries(m *topology.Model) []entry {
	out := make([]entry, 0, len(m.AcceptedRisks))
	for _, a := range m.AcceptedRisks {
		out = append(out, entry{kindAcceptedRisk, AcceptedRiskSubject(a.Rule, a.Subjects), []field{
			{"reason", a.Reason}, {"owner", a.Owner}, {"expires", a.Expires},
		}})
	}
	return out
}

// accepted reports whether a finding is covered by a live acceptance (the
// analysis marks it).
func accepted(f risk.Finding) bool { return f.Accepted != nil }

// acceptedNote marks an accepted finding in the text and Markdown reports.
func acceptedNote(f risk.Finding) string {
	if !accepted(f) {
		return ""
	}
	return " (accepted)"
}
