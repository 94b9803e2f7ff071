// Package diff compares two versions of a model: what changed in it and,
// the question a reviewer actually has, what the change did to its risks —
// which findings it introduced, which it resolved and which persist.
//
// It is a pure function of two topology.Models (no I/O, no clock but the
// date acceptances are judged on), used alike by `archmap diff`, the
// history view of the app and its API. docs/cli.md describes the output.
package diff

import (
	"cmp"
	"slices"
	"strings"

	"github.com/archmap/archmap/risk"
	"github.com/archmap/archmap/topology"
)

// Change is one model change. Subjects are `service:NAME`, `server:NAME`,
// `placement:SERVICE@SERVER`, `dependency:FROM->TO` or `settings`. A
// changed subject lists each field that differs as [old, new]. A rename is
// a removal and an addition: names are the identity of everything in a model.
type Change struct {
	Subject string            `json:"subject"`
	Fields  map[string][2]any `json:"fields,omitempty"`
}

// ModelChanges are the model's added, removed and changed subjects, each
// list sorted by kind (services, servers, placements, dependencies,
// settings, accepted risks) and then by subject.
type ModelChanges struct {
	Added   []Change `json:"added"`
	Removed []Change `json:"removed"`
	Changed []Change `json:"changed"`
}

// Empty reports whether the two models are the same.
func (c ModelChanges) Empty() bool {
	return len(c.Added) == 0 && len(c.Removed) == 0 && len(c.Changed) == 0
}

// Findings sorts the findings of both versions, matched by rule and
// subjects: New are only in the new version, Resolved only in the old one,
// Persisting in both (as the new version words them). Each list is in the
// order of `archmap check`.
type Findings struct {
	New        []risk.Finding `json:"new"`
	Resolved   []risk.Finding `json:"resolved"`
	Persisting []risk.Finding `json:"persisting"`
}

// Counts counts findings by severity.
type Counts struct {
	High   int `json:"high"`
	Medium int `json:"medium"`
	Low    int `json:"low"`
	Info   int `json:"info"`
}

// Total is the number of findings counted.
func (c Counts) Total() int { return c.High + c.Medium + c.Low + c.Info }

// Of is the count of one severity.
func (c Counts) Of(s risk.Severity) int {
	switch s {
	case risk.High:
		return c.High
	case risk.Medium:
		return c.Medium
	case risk.Low:
		return c.Low
	case risk.Info:
		return c.Info
	}
	return 0
}

func (c *Counts) add(s risk.Severity) {
	switch s {
	case risk.High:
		c.High++
	case risk.Medium:
		c.Medium++
	case risk.Low:
		c.Low++
	case risk.Info:
		c.Info++
	}
}

// Summary counts the new and resolved findings by severity. Like the
// findings summary of `check`, it leaves accepted findings out.
type Summary struct {
	New        Counts `json:"new"`
	Resolved   Counts `json:"resolved"`
	Persisting int    `json:"persisting"`
}

// Report is the whole comparison; its JSON is the output of
// `archmap diff --format json` and of the API's diff route.
type Report struct {
	Old      string       `json:"old"`
	New      string       `json:"new"`
	Model    ModelChanges `json:"model"`
	Findings Findings     `json:"findings"`
	Summary  Summary      `json:"summary"`
}

// Compare analyses both models and compares them. Both must be valid.
func Compare(oldModel, newModel *topology.Model) *Report {
	return CompareAnalysed(oldModel, risk.Analyze(oldModel), newModel, risk.Analyze(newModel))
}

// CompareAnalysed is Compare for callers that already hold each model's
// findings (the server keeps them per revision).
func CompareAnalysed(oldModel *topology.Model, oldReport *risk.Report, newModel *topology.Model, newReport *risk.Report) *Report {
	r := &Report{
		Old:   oldModel.Name,
		New:   newModel.Name,
		Model: compareModels(oldModel, newModel),
	}
	r.Findings = compareFindings(oldReport.Findings, newReport.Findings)
	for _, f := range r.Findings.New {
		if !accepted(f) {
			r.Summary.New.add(f.Severity)
		}
	}
	for _, f := range r.Findings.Resolved {
		if !accepted(f) {
			r.Summary.Resolved.add(f.Severity)
		}
	}
	r.Summary.Persisting = len(r.Findings.Persisting)
	return r
}

// FailingNew counts the new findings, not accepted, at or above threshold:
// what makes `archmap diff` exit 1.
func (r *Report) FailingNew(threshold risk.Severity) int {
	n := 0
	for _, f := range r.Findings.New {
		if !accepted(f) && f.Severity.AtLeast(threshold) {
			n++
		}
	}
	return n
}

// FindingKey identifies a finding across versions: its rule and subjects.
func FindingKey(f risk.Finding) string {
	return f.Rule + "\x00" + strings.Join(f.Subjects, "\x00")
}

func compareFindings(oldFs, newFs []risk.Finding) Findings {
	inOld := make(map[string]bool, len(oldFs))
	for _, f := range oldFs {
		inOld[FindingKey(f)] = true
	}
	inNew := make(map[string]bool, len(newFs))
	out := Findings{New: []risk.Finding{}, Resolved: []risk.Finding{}, Persisting: []risk.Finding{}}
	for _, f := range newFs {
		k := FindingKey(f)
		inNew[k] = true
		if inOld[k] {
			out.Persisting = append(out.Persisting, f)
		} else {
			out.New = append(out.New, f)
		}
	}
	for _, f := range oldFs {
		if !inNew[FindingKey(f)] {
			out.Resolved = append(out.Resolved, f)
		}
	}
	// risk.Analyze returns findings in contract order, and filtering keeps it.
	return out
}

// subject kinds in the order changes are listed.
const (
	kindService = iota
	kindServer
	kindPlacement
	kindDependency
	kindSettings
	kindAcceptedRisk
)

// entry is one subject of a model with its comparable fields, in the order
// they are reported.
type entry struct {
	kind    int
	subject string
	fields  []field
}

type field struct {
	name  string
	value any
}

// ServiceSubject, PlacementSubject and friends name the parts of a model as
// the changes do; the first three are risk's finding subjects.
func PlacementSubject(service, server string) string { return "placement:" + service + "@" + server }

// SettingsSubject names the model's settings (the rules' thresholds).
const SettingsSubject = "settings"

func entries(m *topology.Model) []entry {
	out := make([]entry, 0, len(m.Services)+len(m.Servers)+len(m.Placements)+len(m.Dependencies)+1)
	for _, s := range m.Services {
		out = append(out, entry{kindService, risk.ServiceSubject(s.Name), []field{
			{"kind", string(s.Kind)}, {"team", s.Team}, {"tech", s.Tech}, {"description", s.Description},
		}})
	}
	for _, s := range m.Servers {
		out = append(out, entry{kindServer, risk.ServerSubject(s.Name), []field{
			{"kind", string(s.Kind)}, {"zone", s.Zone}, {"region", s.Region},
		}})
	}
	for _, p := range m.Placements {
		out = append(out, entry{kindPlacement, PlacementSubject(p.Service, p.Server), []field{
			{"instances", p.Instances},
		}})
	}
	for _, d := range m.Dependencies {
		out = append(out, entry{kindDependency, risk.DependencySubject(d.From, d.To), []field{
			{"protocol", string(d.Protocol)}, {"mode", string(d.Mode)},
			{"calls_per_request", d.CallsPerRequest}, {"description", d.Description},
		}})
	}
	s := m.Settings
	out = append(out, entry{kindSettings, SettingsSubject, []field{
		{"chatty_calls_per_request", s.ChattyCallsPerRequest},
		{"max_sync_chain", s.MaxSyncChain},
		{"blast_radius", s.BlastRadius},
	}})
	return append(out, acceptedRiskEntries(m)...)
}

func compareModels(oldModel, newModel *topology.Model) ModelChanges {
	oldEntries, newEntries := entries(oldModel), entries(newModel)
	oldBy := make(map[string]entry, len(oldEntries))
	for _, e := range oldEntries {
		oldBy[e.subject] = e
	}
	type sortable struct {
		kind int
		c    Change
	}
	var added, removed, changed []sortable
	seen := make(map[string]bool, len(newEntries))
	for _, e := range newEntries {
		seen[e.subject] = true
		o, ok := oldBy[e.subject]
		if !ok {
			added = append(added, sortable{e.kind, Change{Subject: e.subject}})
			continue
		}
		var fields map[string][2]any
		for i, f := range e.fields {
			if o.fields[i].value != f.value {
				if fields == nil {
					fields = map[string][2]any{}
				}
				fields[f.name] = [2]any{o.fields[i].value, f.value}
			}
		}
		if fields != nil {
			changed = append(changed, sortable{e.kind, Change{Subject: e.subject, Fields: fields}})
		}
	}
	for _, e := range oldEntries {
		if !seen[e.subject] {
			removed = append(removed, sortable{e.kind, Change{Subject: e.subject}})
		}
	}
	sorted := func(s []sortable) []Change {
		slices.SortFunc(s, func(a, b sortable) int {
			return cmp.Or(cmp.Compare(a.kind, b.kind), strings.Compare(a.c.Subject, b.c.Subject))
		})
		out := make([]Change, len(s))
		for i, x := range s {
			out[i] = x.c
		}
		return out
	}
	return ModelChanges{Added: sorted(added), Removed: sorted(removed), Changed: sorted(changed)}
}
