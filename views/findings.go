package views

import (
	"net/url"

	"github.com/archmap/archmap/risk"
)

// FindingsFilter is what the findings view shows, as in its URL: the
// severities (none: all), one rule, one team, a text to look for, and the
// page of a group when one rule is chosen.
type FindingsFilter struct {
	Severities []risk.Severity
	Rule       string
	Team       string
	Text       string
	Page       int // 0-based, with Rule set
}

// Query is the filter as a URL query, the form the view's links and the
// accept forms' way back carry.
func (f FindingsFilter) Query() url.Values {
	q := url.Values{}
	for _, s := range f.Severities {
		q.Add("severity", string(s))
	}
	if f.Rule != "" {
		q.Set("rule", f.Rule)
	}
	if f.Team != "" {
		q.Set("team", f.Team)
	}
	if f.Text != "" {
		q.Set("q", f.Text)
	}
	if f.Page > 0 {
		q.Set("page", itoa(int64(f.Page)))
	}
	return q
}

// HasSeverity reports whether the filter shows findings of severity s.
func (f FindingsFilter) HasSeverity(s risk.Severity) bool {
	if len(f.Severities) == 0 {
		return true
	}
	for _, x := range f.Severities {
		if x == s {
			return true
		}
	}
	return false
}

// Active reports whether anything is filtered out.
func (f FindingsFilter) Active() bool {
	return len(f.Severities) > 0 || f.Rule != "" || f.Team != "" || f.Text != ""
}

// FindingsData is the findings view of one model.
type FindingsData struct {
	Base     string // the workspace's address, or the share page's
	Editable bool   // a signed-in editor: accept and withdraw forms
	CSRF     string // the token those forms carry
	Revision int64
	Filter   FindingsFilter
	Total    int // findings of the model, before filtering
	Shown    int // findings that pass the filter, open and accepted
	Summary  risk.Summary
	Groups   []RuleGroup // open findings by rule, most serious first
	Accepted RuleGroup   // accepted findings, every rule
	Stale    []risk.StaleAcceptance
	Rules    []string // rule ids with a finding, for the filter
	Teams    []string
	// Marks is the data island findings.js outlines the diagram from:
	// every filtered finding's diagram elements (JSON).
	Marks string
	// DiagramURL loads the diagram fragment the outlines go on ("" for none).
	DiagramURL string
	// Error is a message about the last action (a refused acceptance).
	Error string
}

// RuleGroup is the findings of one rule (or every accepted finding).
type RuleGroup struct {
	Rule     string
	Title    string // "12 services run a single instance"
	Severity risk.Severity
	Count    int
	Items    []FindingItem // at most a page of them
	More     int           // how many more than Items the group holds
	MoreURL  string        // the group alone, next page
	PrevURL  string
	Open     bool
}

// FindingItem is one finding as the view shows it.
type FindingItem struct {
	risk.Finding
	ID         string   // stable, for anchors and tests
	Targets    []string // ids of its elements in the diagram
	DiagramURL string   // the diagram focused on it
}
