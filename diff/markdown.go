package diff

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/archmap/archmap/risk"
	"github.com/archmap/archmap/topology"
)

// Bounds of the Markdown report. A pull-request comment holds at most
// 65 536 characters on the common code hosts; past these counts a list
// says how many it left out, so a huge change still posts.
const (
	maxMarkdownFindings = 50  // per table
	maxMarkdownChanges  = 100 // model changes
	maxMermaidServices  = 40  // nodes of the flowchart
)

// WriteMarkdown writes the report for a pull-request comment: a headline,
// the new and resolved findings with their suggestions, the model changes
// and a Mermaid flowchart of the changed services and their neighbours.
// oldModel and newModel are the models compared (for the flowchart's
// edges). Every name is escaped: user text never becomes Markdown, HTML or
// Mermaid syntax.
func (r *Report) WriteMarkdown(w io.Writer, oldModel, newModel *topology.Model) error {
	ew := &errWriter{w: w}
	ew.printf("### archmap: %s\n\n", mdEscape(r.Headline()))
	if r.Old != r.New {
		ew.printf("Model %s → %s. ", mdEscape(r.Old), mdEscape(r.New))
	} else {
		ew.printf("Model %s. ", mdEscape(r.New))
	}
	ew.printf("%d finding(s) persist unchanged.\n", r.Summary.Persisting)

	findingTable := func(title string, fs []risk.Finding, withFix bool) {
		if len(fs) == 0 {
			return
		}
		ew.printf("\n#### %s (%d)\n\n", title, len(fs))
		if withFix {
			ew.printf("| severity | rule | subjects | finding | suggestion |\n|---|---|---|---|---|\n")
		} else {
			ew.printf("| severity | rule | subjects | finding |\n|---|---|---|---|\n")
		}
		for i, f := range fs {
			if i == maxMarkdownFindings {
				ew.printf("\n…and %d more.\n", len(fs)-i)
				break
			}
			subjects := make([]string, len(f.Subjects))
			for j, s := range f.Subjects {
				subjects[j] = mdEscape(s)
			}
			sev := severityMark[f.Severity] + " " + string(f.Severity)
			if a := acceptedNote(f); a != "" {
				sev += mdEscape(a)
			}
			ew.printf("| %s | %s | %s | %s |", sev, mdEscape(f.Rule), strings.Join(subjects, "<br>"), mdEscape(f.Message))
			if withFix {
				ew.printf(" %s |", mdEscape(f.Suggestion))
			}
			ew.printf("\n")
		}
	}
	findingTable("New findings", r.Findings.New, true)
	findingTable("Resolved findings", r.Findings.Resolved, false)

	if r.Model.Empty() {
		ew.printf("\nThe models are the same.\n")
		return ew.err
	}
	ew.printf("\n#### Model changes\n\n| change | subject | fields |\n|---|---|---|\n")
	n := 0
	row := func(what string, c Change) {
		if n++; n > maxMarkdownChanges {
			return
		}
		ew.printf("| %s | %s | %s |\n", what, mdEscape(c.Subject), mdEscape(FormatFields(c.Fields)))
	}
	for _, c := range r.Model.Added {
		row("added", c)
	}
	for _, c := range r.Model.Removed {
		row("removed", c)
	}
	for _, c := range r.Model.Changed {
		row("changed", c)
	}
	if n > maxMarkdownChanges {
		ew.printf("\n…and %d more.\n", n-maxMarkdownChanges)
	}
	r.writeMermaid(ew, oldModel, newModel)
	return ew.err
}

// severityMark shows severity by shape as well as colour.
var severityMark = map[risk.Severity]string{
	risk.High:   "🔴",
	risk.Medium: "🟠",
	risk.Low:    "🔵",
	risk.Info:   "⚪",
}

// ChangedServices returns, for each service a change touches, how: "added",
// "removed" or "changed" (a service whose own fields, placements or calls
// changed).
func (r *Report) ChangedServices() map[string]string {
	marks := map[string]string{}
	mark := func(name, how string) {
		if _, ok := marks[name]; !ok || how != "changed" {
			marks[name] = how
		}
	}
	for _, list := range []struct {
		how     string
		changes []Change
	}{{"added", r.Model.Added}, {"removed", r.Model.Removed}, {"changed", r.Model.Changed}} {
		for _, c := range list.changes {
			kind, rest, _ := strings.Cut(c.Subject, ":")
			switch kind {
			case "service":
				mark(rest, list.how)
			case "placement":
				svc, _, _ := strings.Cut(rest, "@")
				mark(svc, "changed")
			case "dependency":
				from, to, _ := strings.Cut(rest, "->")
				mark(from, "changed")
				mark(to, "changed")
			}
		}
	}
	return marks
}

// writeMermaid draws the changed services and their direct neighbours with
// the calls between them, in both versions: added and removed calls are
// labelled, added, removed and changed services coloured.
func (r *Report) writeMermaid(ew *errWriter, oldModel, newModel *topology.Model) {
	marks := r.ChangedServices()
	if len(marks) == 0 {
		return
	}
	changed := make([]string, 0, len(marks))
	for name := range marks {
		changed = append(changed, name)
	}
	slices.Sort(changed)
	type edge struct {
		from, to string
		mode     topology.Mode
		how      string // "", "added" or "removed"
	}
	newDeps := map[[2]string]topology.Dependency{}
	for _, d := range newModel.Dependencies {
		newDeps[[2]string{d.From, d.To}] = d
	}
	oldDeps := map[[2]string]topology.Dependency{}
	for _, d := range oldModel.Dependencies {
		oldDeps[[2]string{d.From, d.To}] = d
	}
	var edges []edge
	for _, d := range newModel.Dependencies {
		how := ""
		if _, ok := oldDeps[[2]string{d.From, d.To}]; !ok {
			how = "added"
		}
		edges = append(edges, edge{d.From, d.To, d.Mode, how})
	}
	for _, d := range oldModel.Dependencies {
		if _, ok := newDeps[[2]string{d.From, d.To}]; !ok {
			edges = append(edges, edge{d.From, d.To, d.Mode, "removed"})
		}
	}
	// The nodes: the changed services first (as many as fit), then their
	// neighbours while room is left.
	shown := map[string]bool{}
	var nodes []string
	add := func(name string) {
		if !shown[name] && len(nodes) < maxMermaidServices {
			shown[name] = true
			nodes = append(nodes, name)
		}
	}
	for _, name := range changed {
		add(name)
	}
	isChanged := func(name string) bool { _, ok := marks[name]; return ok }
	for _, e := range edges {
		if isChanged(e.from) {
			add(e.to)
		}
		if isChanged(e.to) {
			add(e.from)
		}
	}
	id := make(map[string]string, len(nodes))
	for i, name := range nodes {
		id[name] = fmt.Sprintf("s%d", i)
	}
	ew.printf("\n#### Changed services and their neighbours\n\n```mermaid\nflowchart LR\n")
	for _, name := range nodes {
		ew.printf("  %s[\"%s\"]", id[name], mermaidText(name))
		if how, ok := marks[name]; ok {
			ew.printf(":::%s", how)
		}
		ew.printf("\n")
	}
	for _, e := range edges {
		from, to := id[e.from], id[e.to]
		if from == "" || to == "" || !(isChanged(e.from) || isChanged(e.to)) {
			continue
		}
		arrow := "-->"
		if e.mode == topology.ModeAsync {
			arrow = "-.->"
		}
		switch e.how {
		case "added":
			ew.printf("  %s %s|added| %s\n", from, arrow, to)
		case "removed":
			ew.printf("  %s --x|removed| %s\n", from, to)
		default:
			ew.printf("  %s %s %s\n", from, arrow, to)
		}
	}
	ew.printf("  classDef added fill:#dafbe1,stroke:#1a7f37,stroke-width:2px\n")
	ew.printf("  classDef removed fill:#ffebe9,stroke:#cf222e,stroke-dasharray:5 5\n")
	ew.printf("  classDef changed fill:#fff8c5,stroke:#9a6700,stroke-width:2px\n")
	ew.printf("```\n")
	if len(marks) > maxMermaidServices || len(nodes) == maxMermaidServices {
		ew.printf("\nThe flowchart shows %d services; the tables above list every change.\n", len(nodes))
	}
}

// mdEscape writes user text so that Markdown shows it as typed: one line,
// HTML's specials as entities, and the punctuation that Markdown reads as
// syntax inside a line (emphasis, code, links, table cells, strikethrough)
// escaped. Nothing this writes starts a line, so block syntax (#, -, 1.)
// needs no escape.
func mdEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '\n' || r == '\r' || r == '\t':
			b.WriteByte(' ')
		case strings.ContainsRune("\\`*_[]|~", r):
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// mermaidText writes a name for a quoted Mermaid label: letters, digits and
// a few safe characters as they are, everything else as Mermaid's entity
// code (#35; for #), so no name can end the label or the code block.
func mermaidText(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == ' ', r == '-', r == '_', r == '.', r == '/':
			b.WriteRune(r)
		default:
			fmt.Fprintf(&b, "#%d;", r)
		}
	}
	return b.String()
}
