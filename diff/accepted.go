package diff

import (
	"github.com/archmap/archmap/risk"
	"github.com/archmap/archmap/topology"
)

// acceptedRiskEntries lists the model's accepted risks as comparable
// entries, subject `accepted_risk:RULE:SUBJECTS`.
func acceptedRiskEntries(m *topology.Model) []entry { return nil }

// accepted reports whether a finding is covered by a live acceptance.
func accepted(f risk.Finding) bool { return false }

// acceptedNote marks an accepted finding in the text and Markdown reports.
func acceptedNote(f risk.Finding) string {
	if !accepted(f) {
		return ""
	}
	return " (accepted)"
}
