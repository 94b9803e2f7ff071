package server

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/archmap/archmap/diagram"
	"github.com/archmap/archmap/risk"
	"github.com/archmap/archmap/topology"
	"github.com/archmap/archmap/views"
)

// Page sizes of the findings view: a group shows its first groupPreview
// findings; a group on its own (filtered to its rule) pages by groupPage.
// A model with thousands of findings thus stays a page of a few hundred
// items at most.
const (
	groupPreview = 25
	groupPage    = 200
)

// parseFindingsFilter reads the filter from a query; unknown severities
// and rules are ignored rather than refused, so an old link still opens.
func parseFindingsFilter(get func(string) []string) views.FindingsFilter {
	var f views.FindingsFilter
	for _, v := range get("severity") {
		for _, part := range strings.Split(v, ",") {
			if s, err := risk.ParseSeverity(strings.TrimSpace(part)); err == nil && !slices.Contains(f.Severities, s) {
				f.Severities = append(f.Severities, s)
			}
		}
	}
	slices.SortFunc(f.Severities, func(a, b risk.Severity) int { return b.Rank() - a.Rank() })
	first := func(k string) string {
		if v := get(k); len(v) > 0 {
			return strings.TrimSpace(v[0])
		}
		return ""
	}
	if r := first("rule"); slices.Contains(topology.RuleIDs, r) {
		f.Rule = r
	}
	f.Team = first("team")
	if t := first("q"); len(t) <= 200 {
		f.Text = t
	}
	if p, err := strconv.Atoi(first("page")); err == nil && p > 0 && p < 1_000_000 {
		f.Page = p
	}
	return f
}

// ruleTitles say how many of what a rule found: "12 services run a single
// instance". %s is the count with its noun.
var ruleTitles = map[string][2]string{
	risk.RuleSpofInstance:       {"service", "%s run a single instance"},
	risk.RuleSpofServer:         {"service", "%s keep all instances on one server"},
	risk.RuleSpofZone:           {"service", "%s run in one zone only"},
	risk.RuleServerBlastRadius:  {"server", "%s take down too many services when lost"},
	risk.RuleChattyCrossNetwork: {"call", "%s across the network are chatty"},
	risk.RuleIPCAcrossServers:   {"IPC call", "%s cross servers"},
	risk.RuleSyncCycle:          {"cycle", "%s of synchronous calls"},
	risk.RuleDeepSyncChain:      {"entry service", "%s start long synchronous chains"},
	risk.RuleSharedDatastore:    {"database", "%s shared by several services"},
	risk.RuleUnplacedService:    {"service", "%s placed on no server"},
	risk.RuleIdleServer:         {"server", "%s host nothing"},
}

func groupTitle(rule string, n int) string {
	t, ok := ruleTitles[rule]
	if !ok {
		return fmt.Sprintf("%d findings", n)
	}
	noun := t[0]
	if n != 1 {
		noun += "s"
	}
	title := fmt.Sprintf(t[1], strconv.Itoa(n)+" "+noun)
	if n == 1 {
		// "1 service run" → "1 service runs" for the verbs used above.
		for _, v := range []string{" run ", " keep ", " take ", " start ", " host ", " cross "} {
			if i := strings.Index(title, v); i >= 0 {
				title = title[:i] + " " + strings.TrimSpace(v) + "s " + title[i+len(v):]
				break
			}
		}
		title = strings.Replace(title, " are chatty", " is chatty", 1)
	}
	return title
}

// findingTeams are the teams a finding involves: those of its services,
// of both ends of its dependencies, of the services on its servers.
type teamIndex struct {
	service map[string]string   // name → team
	server  map[string][]string // name → services on it
}

func newTeamIndex(m *topology.Model) teamIndex {
	t := teamIndex{service: map[string]string{}, server: map[string][]string{}}
	for _, s := range m.Services {
		t.service[s.Name] = s.Team
	}
	for _, p := range m.Placements {
		t.server[p.Server] = append(t.server[p.Server], p.Service)
	}
	return t
}

// involves reports whether the finding touches a service of team.
func (t teamIndex) involves(f risk.Finding, m subjectIndex, team string) bool {
	for _, s := range f.Subjects {
		for _, svc := range m.services(s, t) {
			if t.service[svc] == team {
				return true
			}
		}
	}
	return false
}

// subjectIndex resolves subjects to the model's names without parsing
// them (a name may hold "->" or ":"): every subject the model can produce
// is built once with the risk package's constructors.
type subjectIndex map[string]subjectRef

type subjectRef struct {
	kind     string // service, server, dependency
	name     string // service or server name
	from, to string
}

func newSubjectIndex(m *topology.Model) subjectIndex {
	idx := make(subjectIndex, len(m.Services)+len(m.Servers)+len(m.Dependencies))
	for _, s := range m.Services {
		idx[risk.ServiceSubject(s.Name)] = subjectRef{kind: "service", name: s.Name}
	}
	for _, s := range m.Servers {
		idx[risk.ServerSubject(s.Name)] = subjectRef{kind: "server", name: s.Name}
	}
	for _, d := range m.Dependencies {
		idx[risk.DependencySubject(d.From, d.To)] = subjectRef{kind: "dependency", from: d.From, to: d.To}
	}
	return idx
}

func (idx subjectIndex) services(subject string, t teamIndex) []string {
	r, ok := idx[subject]
	if !ok {
		return nil
	}
	switch r.kind {
	case "service":
		return []string{r.name}
	case "dependency":
		return []string{r.from, r.to}
	}
	return t.server[r.name]
}

// targets are the ids of the diagram elements a finding marks: its
// services, servers and dependencies, and the team nodes of its services
// for a diagram grouped by team (past a few hundred services the page
// groups on its own).
//
// Filtered to a team, only that team's part of a finding is marked: its
// services, the dependencies that touch them and the servers they run on,
// so that a cycle through half the system does not outline every team.
func (idx subjectIndex) targets(f risk.Finding, teams teamIndex, only string) []string {
	var out []string
	in := func(svc string) bool { return only == "" || teams.service[svc] == only }
	seenTeam := map[string]bool{} // a cycle may hold thousands of services of a few teams
	team := func(svc string) {
		if t := teams.service[svc]; t != "" && !seenTeam[t] {
			seenTeam[t] = true
			out = append(out, diagram.TeamID(t))
		}
	}
	for _, s := range f.Subjects {
		r, ok := idx[s]
		if !ok {
			continue
		}
		switch r.kind {
		case "service":
			if in(r.name) {
				out = append(out, diagram.ServiceID(r.name))
				team(r.name)
			}
		case "server":
			if only == "" || slices.ContainsFunc(teams.server[r.name], in) {
				out = append(out, diagram.ServerID(r.name))
			}
		case "dependency":
			if in(r.from) || in(r.to) {
				out = append(out, diagram.DependencyID(r.from, r.to))
			}
		}
	}
	return out
}

// diagramURL is the diagram focused on the finding's first service (the
// caller of a dependency), or the deployment view for a server.
func (idx subjectIndex) diagramURL(base string, f risk.Finding) string {
	for _, s := range f.Subjects {
		r := idx[s]
		switch r.kind {
		case "service":
			return base + "/diagram?focus=" + url.QueryEscape(r.name) + "&depth=1"
		case "dependency":
			return base + "/diagram?focus=" + url.QueryEscape(r.from) + "&depth=1"
		case "server":
			return base + "/diagram?view=deployment"
		}
	}
	return base + "/diagram"
}

// findingID is a stable id of a finding for anchors: its rule and subjects.
func findingID(f risk.Finding) string {
	sum := sha256.Sum256([]byte(topology.AcceptanceKey(f.Rule, f.Subjects)))
	return "f-" + hex.EncodeToString(sum[:6])
}

// matchesText: the text is looked for, case folded, in the rule, the
// subjects and the message.
func matchesText(f risk.Finding, text string) bool {
	if text == "" {
		return true
	}
	text = strings.ToLower(text)
	if strings.Contains(f.Rule, text) || strings.Contains(strings.ToLower(f.Message), text) {
		return true
	}
	for _, s := range f.Subjects {
		if strings.Contains(strings.ToLower(s), text) {
			return true
		}
	}
	return false
}

// findingsData builds the findings view of a model for a filter: open
// findings grouped by rule in report order (most serious group first),
// accepted ones in a group of their own, each group cut to a page.
func findingsData(m *topology.Model, r *risk.Report, filter views.FindingsFilter, base string) *views.FindingsData {
	d := &views.FindingsData{Base: base, Filter: filter, Total: len(r.Findings), Summary: r.Summary, Stale: r.StaleAcceptances}
	teams := newTeamIndex(m)
	subjects := newSubjectIndex(m)
	seenTeam := map[string]bool{}
	for _, s := range m.Services {
		if s.Team != "" && !seenTeam[s.Team] {
			seenTeam[s.Team] = true
			d.Teams = append(d.Teams, s.Team)
		}
	}
	slices.Sort(d.Teams)
	// Past diagram.MaxServices the services view draws teams, not
	// services (when there are teams): only team nodes can be outlined.
	grouped := len(m.Services) > diagram.MaxServices && len(d.Teams) > 0
	groups := map[string]*views.RuleGroup{}
	var order []string
	marks := struct {
		Open     map[string]string `json:"open"`     // element id → worst severity
		Accepted map[string]bool   `json:"accepted"` // element id → marked accepted
	}{map[string]string{}, map[string]bool{}}
	d.Accepted = views.RuleGroup{Title: "Accepted risks"}
	for _, f := range r.Findings {
		if !slices.Contains(d.Rules, f.Rule) {
			d.Rules = append(d.Rules, f.Rule)
		}
		if !filter.HasSeverity(f.Severity) || (filter.Rule != "" && f.Rule != filter.Rule) ||
			(filter.Team != "" && !teams.involves(f, subjects, filter.Team)) || !matchesText(f, filter.Text) {
			continue
		}
		d.Shown++
		targets := subjects.targets(f, teams, filter.Team)
		for _, id := range targets {
			if grouped && !strings.HasPrefix(id, "team-") {
				continue // not drawn: the marks stay small on a big model
			}
			if f.Accepted != nil {
				marks.Accepted[id] = true
			} else if cur, ok := marks.Open[id]; !ok || risk.Severity(cur).Rank() < f.Severity.Rank() {
				marks.Open[id] = string(f.Severity)
			}
		}
		g := &d.Accepted
		if f.Accepted == nil {
			if g = groups[f.Rule]; g == nil {
				g = &views.RuleGroup{Rule: f.Rule, Severity: f.Severity}
				groups[f.Rule] = g
				order = append(order, f.Rule)
			}
		}
		g.Count++
		item := views.FindingItem{Finding: f, ID: findingID(f), Targets: targets, DiagramURL: subjects.diagramURL(base, f)}
		start, size := 0, groupPreview
		if filter.Rule != "" {
			start, size = filter.Page*groupPage, groupPage
		}
		if g.Count > start && len(g.Items) < size {
			g.Items = append(g.Items, item)
		}
	}
	slices.Sort(d.Rules)
	for _, rule := range order {
		g := groups[rule]
		g.Title = groupTitle(rule, g.Count)
		d.Groups = append(d.Groups, *g)
	}
	pageGroup := func(g *views.RuleGroup) {
		start := 0
		if filter.Rule != "" {
			start = filter.Page * groupPage
		}
		g.More = g.Count - start - len(g.Items)
		// A group alone (or the only one) opens; so does a short one.
		g.Open = filter.Rule != "" || len(d.Groups) == 1 || g.Count <= 5
		if g.Rule == "" {
			return
		}
		next := filter
		next.Rule = g.Rule
		if g.More > 0 {
			if filter.Rule != "" {
				next.Page = filter.Page + 1
			} else {
				next.Page = 0
			}
			g.MoreURL = base + "/findings?" + next.Query().Encode()
		}
		if filter.Rule != "" && filter.Page > 0 {
			prev := filter
			prev.Page--
			g.PrevURL = base + "/findings?" + prev.Query().Encode()
		}
	}
	for i := range d.Groups {
		pageGroup(&d.Groups[i])
	}
	pageGroup(&d.Accepted)
	d.Accepted.Open = d.Accepted.Count > 0 && d.Accepted.Count <= 5
	b, _ := json.Marshal(marks)
	d.Marks = string(b)
	return d
}
