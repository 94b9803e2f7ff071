package risk

import (
	"strconv"
	"time"

	"github.com/archmap/archmap/topology"
)

// StaleAcceptance is an acceptance of the model that hides nothing: it
// matches no finding (the finding was fixed, or the subjects were renamed),
// or it has lapsed and its finding counts again. Index and Path are its
// place in the model's accepted_risks; Line is filled by a caller that
// knows the file (0 otherwise).
type StaleAcceptance struct {
	topology.AcceptedRisk
	Index int    `json:"index"`
	Path  string `json:"path"`
	Line  int    `json:"line,omitempty"`
	// Why is "matches no finding", else "expired" (its finding counts again).
	Why string `json:"why"`
}

// The reasons an acceptance is stale.
const (
	StaleExpired   = "expired"
	StaleNoFinding = "matches no finding"
)

// accept marks each finding accepted by a live acceptance of list and
// returns the acceptances that hide nothing, in the model's order.
func accept(fs []Finding, list []topology.AcceptedRisk, now time.Time) []StaleAcceptance {
	if len(list) == 0 {
		return nil
	}
	byKey := make(map[string]int, len(list))
	for i := range list {
		if _, dup := byKey[list[i].Key()]; !dup {
			byKey[list[i].Key()] = i
		}
	}
	matched := make([]bool, len(list))
	for i := range fs {
		j, ok := byKey[topology.AcceptanceKey(fs[i].Rule, fs[i].Subjects)]
		if !ok {
			continue
		}
		matched[j] = true
		if a := &list[j]; !a.ExpiredAt(now) {
			fs[i].Accepted = &Acceptance{Reason: a.Reason, Owner: a.Owner, Expires: a.Expires}
		}
	}
	var stale []StaleAcceptance
	for i, a := range list {
		why := ""
		// One that matches nothing says so even when it has expired too:
		// renewing it would not help.
		switch {
		case !matched[i]:
			why = StaleNoFinding
		case a.ExpiredAt(now):
			why = StaleExpired
		default:
			continue
		}
		stale = append(stale, StaleAcceptance{AcceptedRisk: a, Index: i, Path: "accepted_risks[" + strconv.Itoa(i) + "]", Why: why})
	}
	return stale
}
