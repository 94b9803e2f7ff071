package diff_test

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/archmap/archmap/diff"
	"github.com/archmap/archmap/topology"
)

func mustParse(tb testing.TB, doc string) *topology.Model {
	tb.Helper()
	m, err := topology.Parse([]byte(doc))
	if err != nil {
		tb.Fatalf("parse: %v\n%s", err, doc)
	}
	return m
}

func TestCompareModelChanges(t *testing.T) {
	oldM := mustParse(t, `version: 1
name: Shop
settings: {blast_radius: 3}
services:
  - {name: web}
  - {name: cart, team: a}
  - {name: legacy}
servers:
  - {name: n1, zone: z1}
placements:
  - {service: web, server: n1}
  - {service: cart, server: n1}
dependencies:
  - {from: web, to: cart}
  - {from: web, to: legacy}
`)
	newM := mustParse(t, `version: 1
name: Shop v2
settings: {blast_radius: 4}
services:
  - {name: web}
  - {name: basket, team: a}
  - {name: cart, team: b, kind: worker}
servers:
  - {name: n1, zone: z2}
placements:
  - {service: web, server: n1, instances: 2}
  - {service: cart, server: n1}
dependencies:
  - {from: web, to: cart, calls_per_request: 3, mode: async}
`)
	r := diff.Compare(oldM, newM)
	if r.Old != "Shop" || r.New != "Shop v2" {
		t.Errorf("names %q → %q", r.Old, r.New)
	}
	got := func(cs []diff.Change) string {
		var parts []string
		for _, c := range cs {
			s := c.Subject
			if c.Fields != nil {
				s += " {" + diff.FormatFields(c.Fields) + "}"
			}
			parts = append(parts, s)
		}
		return strings.Join(parts, "\n")
	}
	// A rename is a removal and an addition: basket is new, legacy gone.
	if want := "service:basket"; got(r.Model.Added) != want {
		t.Errorf("added:\n%s\nwant:\n%s", got(r.Model.Added), want)
	}
	if want := "service:legacy\ndependency:web->legacy"; got(r.Model.Removed) != want {
		t.Errorf("removed:\n%s\nwant:\n%s", got(r.Model.Removed), want)
	}
	want := strings.Join([]string{
		`service:cart {kind: "service" → "worker", team: "a" → "b"}`,
		`server:n1 {zone: "z1" → "z2"}`,
		`placement:web@n1 {instances: 1 → 2}`,
		`dependency:web->cart {calls_per_request: 1 → 3, mode: "sync" → "async"}`,
		`settings {blast_radius: 3 → 4}`,
	}, "\n")
	if got(r.Model.Changed) != want {
		t.Errorf("changed:\n%s\nwant:\n%s", got(r.Model.Changed), want)
	}
	same := diff.Compare(oldM, oldM)
	if !same.Model.Empty() || len(same.Findings.New)+len(same.Findings.Resolved) != 0 {
		t.Errorf("a model compared with itself: %+v", same)
	}
	if same.Summary.Persisting != len(same.Findings.Persisting) || same.Summary.Persisting == 0 {
		t.Errorf("persisting count %d of %d", same.Summary.Persisting, len(same.Findings.Persisting))
	}
	if h := same.Headline(); h != "no new risks" {
		t.Errorf("headline %q", h)
	}
}

// Names are user text: in Markdown and in the Mermaid block they must show
// as typed and never become syntax (HTML, links, table cells, the end of
// the code block).
func TestMarkdownEscapesNames(t *testing.T) {
	hostile := []string{
		"<img src=x onerror=alert(1)>",
		"a|b",
		"```",
		"[x](javascript:alert(1))",
		`q"] --> evil["`,
		"émoji 🚀 \\ back*slash_",
	}
	var b strings.Builder
	b.WriteString("version: 1\nname: x\nservices:\n")
	for _, h := range hostile {
		b.WriteString("  - {name: " + quote(h) + "}\n")
	}
	oldM := mustParse(t, "version: 1\nname: x\nservices:\n  - {name: seed}\n")
	newDoc := b.String() + "dependencies:\n"
	for _, h := range hostile[1:] {
		newDoc += "  - {from: " + quote(hostile[0]) + ", to: " + quote(h) + "}\n"
	}
	newM := mustParse(t, newDoc)
	var out bytes.Buffer
	if err := diff.Compare(oldM, newM).WriteMarkdown(&out, oldM, newM); err != nil {
		t.Fatal(err)
	}
	md := out.String()
	if strings.Count(md, "```") != 2 {
		t.Errorf("a name ended or opened a code block:\n%s", md)
	}
	if strings.Contains(md, "<img") || regexp.MustCompile(`[^\\]\]\(`).MatchString(md) {
		t.Errorf("a name became HTML or a link:\n%s", md)
	}
	// Every table row has as many cells as its header.
	for _, line := range strings.Split(md, "\n") {
		if strings.HasPrefix(line, "| added |") && strings.Count(strings.ReplaceAll(line, `\|`, ""), "|") != 4 {
			t.Errorf("a name split a table row: %s", line)
		}
	}
	// Inside the Mermaid block a label holds only safe characters and entity codes.
	_, block, ok := strings.Cut(md, "```mermaid")
	if !ok {
		t.Fatalf("no Mermaid block:\n%s", md)
	}
	label := regexp.MustCompile(`\["([^"]*)"\]`)
	for _, m := range label.FindAllStringSubmatch(block, -1) {
		if !regexp.MustCompile(`^([A-Za-z0-9 ._/-]|#[0-9]+;)*$`).MatchString(m[1]) {
			t.Errorf("unsafe Mermaid label %q", m[1])
		}
	}
}

func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}

func TestUnion(t *testing.T) {
	oldM := mustParse(t, `version: 1
name: x
services: [{name: a}, {name: b}, {name: gone}]
servers: [{name: n1}, {name: old-node}]
placements:
  - {service: a, server: n1}
  - {service: gone, server: old-node}
dependencies:
  - {from: a, to: b}
  - {from: a, to: gone}
`)
	newM := mustParse(t, `version: 1
name: x
services: [{name: a}, {name: b, team: t}, {name: new}]
servers: [{name: n1}]
placements:
  - {service: a, server: n1, instances: 2}
dependencies:
  - {from: a, to: b, mode: async}
  - {from: new, to: a}
`)
	u, marks := diff.Union(oldM, newM)
	if err := u.Validate(); err != nil {
		t.Fatalf("the union is not a valid model: %v", err)
	}
	if len(u.Services) != 4 || len(u.Servers) != 2 || len(u.Placements) != 2 || len(u.Dependencies) != 3 {
		t.Errorf("union sizes: %d services, %d servers, %d placements, %d dependencies", len(u.Services), len(u.Servers), len(u.Placements), len(u.Dependencies))
	}
	want := map[string]string{"a": diff.MarkChanged, "b": diff.MarkChanged, "new": diff.MarkAdded, "gone": diff.MarkRemoved}
	for name, m := range want {
		if marks.Services[name] != m {
			t.Errorf("service %s marked %q, want %q", name, marks.Services[name], m)
		}
	}
	if marks.Servers["old-node"] != diff.MarkRemoved || marks.Servers["n1"] != diff.MarkChanged {
		t.Errorf("server marks %v", marks.Servers)
	}
	if marks.Dependencies[[2]string{"a", "gone"}] != diff.MarkRemoved || marks.Dependencies[[2]string{"new", "a"}] != diff.MarkAdded || marks.Dependencies[[2]string{"a", "b"}] != diff.MarkChanged {
		t.Errorf("dependency marks %v", marks.Dependencies)
	}
	// The new model is left as it was.
	if len(newM.Services) != 3 || len(newM.Dependencies) != 2 {
		t.Errorf("Union changed its input")
	}
}
