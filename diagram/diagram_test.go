package diagram

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/archmap/archmap/risk"
	"github.com/archmap/archmap/topology"
	"github.com/archmap/archmap/topology/topologytest"
)

var update = flag.Bool("update", false, "rewrite the golden DOT files in testdata/golden")

func loadModel(tb testing.TB, path string) *topology.Model {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	m, err := topology.Parse(data)
	if err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	return m
}

func mustBuild(tb testing.TB, m *topology.Model, opts Options) *Diagram {
	tb.Helper()
	d, err := Build(m, risk.Analyze(m).Findings, opts)
	if err != nil {
		tb.Fatalf("Build(%+v): %v", opts, err)
	}
	return d
}

func mustRender(tb testing.TB, dot []byte) []byte {
	tb.Helper()
	svg, err := RenderLocal(context.Background(), dot, OutputSVG)
	if err != nil {
		tb.Fatalf("render: %v\n%s", err, dot)
	}
	return svg
}

var views = []struct {
	name string
	opts Options
}{
	{"services", Options{View: ViewServices}},
	{"deployment", Options{View: ViewDeployment}},
	{"services-team", Options{View: ViewServices, Group: GroupTeam}},
	{"deployment-team", Options{View: ViewDeployment, Group: GroupTeam}},
	{"services-focus", Options{View: ViewServices, Focus: "cart", Depth: 1}},
	{"deployment-focus", Options{View: ViewDeployment, Focus: "orders", Depth: 2}},
}

func TestGoldenDOT(t *testing.T) {
	m := loadModel(t, "testdata/shop.yaml")
	for _, v := range views {
		t.Run(v.name, func(t *testing.T) {
			got := mustBuild(t, m, v.opts).DOT
			path := filepath.Join("testdata", "golden", v.name+".dot")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("DOT differs from %s (run go test -update if the change is meant):\n%s", path, firstDiff(string(want), string(got)))
			}
			// The same input gives the same bytes.
			if again := mustBuild(t, m, v.opts).DOT; !bytes.Equal(again, got) {
				t.Error("two builds of one model differ")
			}
		})
	}
}

func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := range max(len(wl), len(gl)) {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return fmt.Sprintf("line %d:\nwant: %s\ngot:  %s", i+1, w, g)
		}
	}
	return ""
}

// TestSVGShowsEveryName renders both views and checks that the SVG is
// well-formed and names every service (services view) or server and
// placed service (deployment view), exactly as typed.
func TestSVGShowsEveryName(t *testing.T) {
	models := map[string]*topology.Model{
		"shop":      loadModel(t, "testdata/shop.yaml"),
		"hostile":   hostileModel(),
		"generated": topologytest.Generate(40),
	}
	for name, m := range models {
		for _, view := range []string{ViewServices, ViewDeployment} {
			t.Run(name+"/"+view, func(t *testing.T) {
				svg := mustRender(t, mustBuild(t, m, Options{View: view}).DOT)
				texts := normalizedTexts(parseSVG(t, svg))
				for _, s := range m.Services {
					if !slices.Contains(texts, s.Name) && !hasPrefixed(texts, s.Name+" ×") {
						t.Errorf("service %q is not in the SVG texts", s.Name)
					}
				}
				if view == ViewDeployment {
					for _, s := range m.Servers {
						if !slices.Contains(texts, s.Name+" · "+string(s.Kind)) {
							t.Errorf("server %q is not in the SVG texts", s.Name)
						}
					}
				}
			})
		}
	}
}

func hasPrefixed(texts []string, prefix string) bool {
	return slices.ContainsFunc(texts, func(s string) bool { return strings.HasPrefix(s, prefix) })
}

// normalizedTexts undoes the one change Graphviz makes to text: runs of
// spaces are written as space/no-break-space pairs so they survive XML.
func normalizedTexts(texts []string) []string {
	out := make([]string, len(texts))
	for i, s := range texts {
		out[i] = strings.ReplaceAll(s, "\u00a0", " ")
	}
	return out
}

// hostile names try to break out of DOT strings, trigger Graphviz escapes
// or HTML-like labels, and inject markup into the SVG.
var hostileNames = []string{
	`<script>alert(1)</script>`,
	`a" -> b [label="x`,
	`back\slash \N`,
	`\G \E \T \H \L \n \l \r \\ end\`,
	`&amp; &lt;b&gt; &#10; &`,
	`<b>html?</b>`,
	`Zahlungsdienst — Übersicht ✓`,
	`日本語のサービス`,
	`"]; evil [shape=box`,
	`}; digraph x {`,
	`two  spaces`,
	`{rank=same}`,
	`emoji 🚀 ok`,
}

func hostileModel() *topology.Model {
	m := &topology.Model{Version: 1, Name: `Hostile <model> "x"`}
	for i, n := range hostileNames {
		m.Services = append(m.Services, topology.Service{Name: n, Team: hostileNames[(i+1)%len(hostileNames)], Tech: hostileNames[(i+2)%len(hostileNames)], Description: "line 1\n" + n})
		m.Servers = append(m.Servers, topology.Server{Name: "srv " + n, Zone: "zone " + hostileNames[i%3]})
		m.Placements = append(m.Placements, topology.Placement{Service: n, Server: "srv " + n, Instances: 1 + i%2})
		if i > 0 {
			m.Dependencies = append(m.Dependencies, topology.Dependency{From: hostileNames[i-1], To: n, Description: n})
		}
	}
	m.Dependencies = append(m.Dependencies, topology.Dependency{From: hostileNames[0], To: hostileNames[0]})
	m.ApplyDefaults()
	if err := m.Validate(); err != nil {
		panic(err)
	}
	return m
}

// Every element and attribute Graphviz writes for our DOT.
var (
	allowedElements = map[string]bool{"svg": true, "g": true, "title": true, "a": true, "path": true, "polygon": true,
		"polyline": true, "ellipse": true, "text": true}
	allowedAttrs = map[string]bool{"width": true, "height": true, "viewBox": true, "xmlns": true, "xlink": true,
		"id": true, "class": true, "transform": true, "fill": true, "stroke": true, "points": true, "d": true,
		"cx": true, "cy": true, "rx": true, "ry": true, "x": true, "y": true, "text-anchor": true,
		"font-family": true, "font-size": true, "font-weight": true, "font-style": true, "title": true,
		"stroke-width": true, "stroke-dasharray": true, "fill-opacity": true, "stroke-opacity": true}
	safeID = regexp.MustCompile(`^[a-z0-9_-]+$`)
)

func TestHostileNamesRenderAsTyped(t *testing.T) {
	m := hostileModel()
	for _, v := range views[:4] {
		t.Run(v.name, func(t *testing.T) {
			d := mustBuild(t, m, v.opts)
			svg := mustRender(t, d.DOT)
			checkNoInjection(t, svg)
			texts := normalizedTexts(parseSVG(t, svg))
			titles := tooltips(t, svg)
			for _, n := range hostileNames {
				if !v.opts.grouped() && !slices.Contains(texts, n) && !hasPrefixed(texts, n+" ×") {
					t.Errorf("name %q is not a text of the SVG", n)
				}
				if !slices.ContainsFunc(titles, func(s string) bool { return strings.Contains(s, n) }) {
					t.Errorf("name %q is in no tooltip", n)
				}
			}
			exported, err := Standalone(svg, m.Name)
			if err != nil {
				t.Fatal(err)
			}
			checkNoInjection(t, exported)
		})
	}
}

func (o Options) grouped() bool { return o.Group != "" }

// checkNoInjection fails when the SVG holds an element or attribute our
// DOT cannot produce, or an id that is not one of ours.
func checkNoInjection(tb testing.TB, svg []byte) {
	tb.Helper()
	d := xml.NewDecoder(bytes.NewReader(svg))
	d.Strict = true
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			tb.Fatalf("SVG is not well-formed: %v", err)
		}
		el, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if !allowedElements[el.Name.Local] && el.Name.Local != "style" {
			tb.Errorf("unexpected element <%s>", el.Name.Local)
		}
		for _, a := range el.Attr {
			if !allowedAttrs[a.Name.Local] && a.Name.Space != "xmlns" && !(el.Name.Local == "style" && a.Name.Local == "type") {
				tb.Errorf("unexpected attribute %s=%q on <%s>", a.Name.Local, a.Value, el.Name.Local)
			}
			if a.Name.Local == "id" && !safeID.MatchString(a.Value) {
				tb.Errorf("unsafe id %q", a.Value)
			}
		}
	}
}

// tooltips returns the xlink:title values of the SVG.
func tooltips(tb testing.TB, svg []byte) []string {
	tb.Helper()
	d := xml.NewDecoder(bytes.NewReader(svg))
	var out []string
	for {
		tok, err := d.Token()
		if err != nil {
			return out
		}
		if el, ok := tok.(xml.StartElement); ok {
			for _, a := range el.Attr {
				if a.Name.Local == "title" && a.Name.Space == xlinkNS {
					out = append(out, strings.ReplaceAll(a.Value, "\u00a0", " "))
				}
			}
		}
	}
}

func TestIDsAndIndex(t *testing.T) {
	m := loadModel(t, "testdata/shop.yaml")
	for _, v := range views {
		t.Run(v.name, func(t *testing.T) {
			d := mustBuild(t, m, v.opts)
			svg := mustRender(t, d.DOT)
			ids := svgIDs(t, svg)
			check := func(what, id string) {
				if !ids[id] {
					t.Errorf("%s: id %q is not in the SVG", what, id)
				}
			}
			for name, list := range d.Index.Services {
				if len(list) == 0 {
					t.Errorf("service %q has no element", name)
				}
				for _, id := range list {
					check("service "+name, id)
				}
			}
			for k, list := range d.Index.Dependencies {
				for _, id := range list {
					check("dependency "+k.From+"->"+k.To, id)
				}
			}
			for name, id := range d.Index.Servers {
				check("server "+name, id)
			}
			for name, id := range d.Index.Zones {
				check("zone "+name, id)
			}
			check("legend", LegendID)
			if v.opts.Focus == "" && len(d.Index.Services) != len(m.Services) {
				t.Errorf("index has %d services, the model %d", len(d.Index.Services), len(m.Services))
			}
		})
	}
	t.Run("services view ids", func(t *testing.T) {
		d := mustBuild(t, m, Options{})
		if got := d.Index.Services["cart"]; !slices.Equal(got, []string{ServiceID("cart")}) {
			t.Errorf("cart → %v", got)
		}
		if got := d.Index.Dependencies[DependencyKey{"api", "cart"}]; !slices.Equal(got, []string{DependencyID("api", "cart")}) {
			t.Errorf("api->cart → %v", got)
		}
	})
	t.Run("deployment view ids", func(t *testing.T) {
		d := mustBuild(t, m, Options{View: ViewDeployment})
		want := []string{PlacementID("cart", "app-1"), PlacementID("cart", "app-2")}
		if got := d.Index.Services["cart"]; !slices.Equal(got, want) {
			t.Errorf("cart → %v, want %v", got, want)
		}
		if got := d.Index.Services["reports"]; !slices.Equal(got, []string{ServiceID("reports")}) {
			t.Errorf("unplaced reports → %v", got)
		}
		// orders (app-1) → cart: the copy on app-1 answers, on the server.
		if got := d.Index.Dependencies[DependencyKey{"orders", "cart"}]; !slices.Contains(got, DeploymentEdgeID("orders", "cart", "app-1", "app-1")) {
			t.Errorf("orders->cart → %v: want the on-server edge", got)
		}
		if d.Index.Servers["spare"] != ServerID("spare") || d.Index.Zones["eu-1a"] != ZoneID("eu-1a") {
			t.Errorf("servers %v zones %v", d.Index.Servers, d.Index.Zones)
		}
	})
}

func svgIDs(tb testing.TB, svg []byte) map[string]bool {
	tb.Helper()
	d := xml.NewDecoder(bytes.NewReader(svg))
	ids := map[string]bool{}
	for {
		tok, err := d.Token()
		if err != nil {
			return ids
		}
		if el, ok := tok.(xml.StartElement); ok {
			for _, a := range el.Attr {
				if a.Name.Local == "id" {
					if ids[a.Value] && !strings.HasPrefix(a.Value, "a_") {
						tb.Errorf("id %q appears twice", a.Value)
					}
					ids[a.Value] = true
				}
			}
		}
	}
}

func TestIDs(t *testing.T) {
	tests := []struct {
		name string
		id   string
		re   string
	}{
		{"service", ServiceID("cart"), `^svc-[0-9a-f]{12}$`},
		{"hostile service", ServiceID(`<script>"'`), `^svc-[0-9a-f]{12}$`},
		{"placement", PlacementID("cart", "node-a"), `^svc-[0-9a-f]{12}-[0-9a-f]{8}$`},
		{"dependency", DependencyID("a", "b"), `^dep-[0-9a-f]{12}$`},
		{"deployment edge", DeploymentEdgeID("a", "b", "s", ""), `^dep-[0-9a-f]{12}-[0-9a-f]{8}$`},
		{"server", ServerID("node-a"), `^srv-[0-9a-f]{12}$`},
		{"zone", ZoneID("eu"), `^zone-[0-9a-f]{12}$`},
		{"team", TeamID("web"), `^team-[0-9a-f]{12}$`},
		{"team placement", TeamPlacementID("web", "s"), `^team-[0-9a-f]{12}-[0-9a-f]{8}$`},
		{"group edge", GroupEdgeID("x", "y"), `^grp-[0-9a-f]{12}$`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !regexp.MustCompile(tt.re).MatchString(tt.id) {
				t.Errorf("%q does not match %s", tt.id, tt.re)
			}
		})
	}
	if ServiceID("cart") != "svc-"+hash(12, "cart") || !strings.HasPrefix(PlacementID("cart", "x"), ServiceID("cart")+"-") {
		t.Error("placement ids must extend their service's id")
	}
	// Names that join the same way must not collide.
	if DependencyID("a b", "c") == DependencyID("a", "b c") || DependencyID("ab", "c") == DependencyID("a", "bc") {
		t.Error("dependency ids collide")
	}
}

func TestBuildErrors(t *testing.T) {
	m := loadModel(t, "testdata/shop.yaml")
	tests := []struct {
		name string
		opts Options
		code string
	}{
		{"unknown view", Options{View: "matrix"}, topology.EINVALID},
		{"unknown grouping", Options{Group: "zone"}, topology.EINVALID},
		{"unknown focus", Options{Focus: "nope"}, topology.ENOTFOUND},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Build(m, nil, tt.opts)
			if topology.ErrorCode(err) != tt.code {
				t.Errorf("got %v, want code %s", err, tt.code)
			}
		})
	}
}

func TestFocus(t *testing.T) {
	m := loadModel(t, "testdata/shop.yaml")
	tests := []struct {
		focus string
		depth int
		want  []string
	}{
		{"cart", 1, []string{"api", "cart", "cart-cache", "orders"}},
		{"events", 1, []string{"events", "mailer", "orders", "thumbnails"}},
		{"events", 2, []string{"api", "cart", "events", "mailer", "orders", "thumbnails"}},
		{"payments", 1, []string{"orders", "payments"}},
	}
	for _, tt := range tests {
		t.Run(tt.focus, func(t *testing.T) {
			d := mustBuild(t, m, Options{Focus: tt.focus, Depth: tt.depth})
			var got []string
			for name := range d.Index.Services {
				got = append(got, name)
			}
			slices.Sort(got)
			if !slices.Equal(got, tt.want) {
				t.Errorf("focus %s depth %d shows %v, want %v", tt.focus, tt.depth, got, tt.want)
			}
		})
	}
}

func TestGroupByTeam(t *testing.T) {
	m := loadModel(t, "testdata/shop.yaml")
	d := mustBuild(t, m, Options{Group: GroupTeam})
	if got := d.Index.Services["cart"]; !slices.Equal(got, []string{TeamID("storefront")}) {
		t.Errorf("cart → %v, want its team", got)
	}
	// Services without a team stay on their own.
	if got := d.Index.Services["thumbnails"]; !slices.Equal(got, []string{ServiceID("thumbnails")}) {
		t.Errorf("thumbnails → %v", got)
	}
	// storefront → platform: api→… no; web→api is storefront→platform.
	svg := mustRender(t, d.DOT)
	texts := parseSVG(t, svg)
	for _, want := range []string{"storefront", "platform", "fulfilment", "3 services"} {
		if !slices.Contains(texts, want) {
			t.Errorf("grouped SVG lacks %q: %q", want, texts)
		}
	}
	// A focus keeps the focused service out of its team.
	d = mustBuild(t, m, Options{Group: GroupTeam, Focus: "orders", Depth: 1})
	if got := d.Index.Services["orders"]; !slices.Equal(got, []string{ServiceID("orders")}) {
		t.Errorf("focused orders → %v", got)
	}
}

func TestSizeBudgetGroups(t *testing.T) {
	m := topologytest.Generate(MaxServices + 1)
	d := mustBuild(t, m, Options{})
	if !d.Grouped || d.Note == "" {
		t.Fatalf("a %d-service diagram was not grouped (note %q)", len(m.Services), d.Note)
	}
	if len(d.Index.Teams) == 0 {
		t.Error("no team nodes")
	}
	d = mustBuild(t, m, Options{Focus: m.Services[10].Name})
	if d.Grouped {
		t.Error("a focused diagram was grouped")
	}
}

// Opening a team of the overview draws its services one by one and the
// services of other teams it calls or is called by as those teams' nodes:
// every call leaving the team ends on a node, none inside another team.
func TestOpenTeam(t *testing.T) {
	m := topologytest.Generate(300)
	const team = "team-003"
	for _, view := range []string{ViewServices, ViewDeployment} {
		d := mustBuild(t, m, Options{View: view, Team: team})
		if !d.Grouped {
			t.Errorf("%s: an opened team is not drawn among team nodes", view)
		}
		members, others := 0, map[string]bool{}
		for _, s := range m.Services {
			ids, shown := d.Index.Services[s.Name]
			if s.Team == team {
				members++
				if !shown || len(ids) == 0 || strings.HasPrefix(ids[0], "team-") {
					t.Errorf("%s: member %s drawn as %v", view, s.Name, ids)
				}
				continue
			}
			if shown {
				others[s.Team] = true
			}
		}
		if members != 20 {
			t.Fatalf("%d members of %s", members, team)
		}
		if _, ok := d.Index.Teams[team]; ok {
			t.Errorf("%s: the opened team still has a node of its own", view)
		}
		for other := range others {
			if len(d.Index.Teams[other]) == 0 {
				t.Errorf("%s: neighbour team %s has no node", view, other)
			}
		}
		if view == ViewServices && len(others) == 0 {
			t.Errorf("no neighbour team of %s is drawn", team)
		}
		if view == ViewDeployment {
			// Only the servers something shown runs on.
			if strings.Contains(string(d.DOT), "no services") {
				t.Error("an opened team's deployment view draws idle servers")
			}
		}
		// A call between two other teams is not drawn: only the team's.
		for _, dep := range m.Dependencies {
			a, b := teamOf(m, dep.From), teamOf(m, dep.To)
			_, drawn := d.Index.Dependencies[DependencyKey{dep.From, dep.To}]
			if want := a == team || b == team; drawn != want && view == ViewServices {
				t.Errorf("%s: call %s→%s (%s→%s) drawn %v", view, dep.From, dep.To, a, b, drawn)
			}
		}
	}
	if err := (Options{Team: "nobody"}).CheckModel(m); topology.ErrorCode(err) != topology.ENOTFOUND {
		t.Errorf("opening a missing team: %v", err)
	}
}

func teamOf(m *topology.Model, service string) string {
	for _, s := range m.Services {
		if s.Name == service {
			return s.Team
		}
	}
	return ""
}

// The one-box-per-server view has few nodes but thousands of virtual ones
// (long edges between zones): its layout bounds crossing minimisation and
// must not cap network simplex by the node count, which makes Graphviz 12
// take six times longer (see serversBudget).
func TestServersOnlyLayoutBudget(t *testing.T) {
	d := mustBuild(t, topologytest.Generate(300), Options{View: ViewDeployment})
	if !d.ServersOnly {
		t.Fatal("the deployment view of 300 services is not one box per server")
	}
	dot := string(d.DOT)
	for _, want := range []string{"mclimit=0.3;", "remincross=\"false\";", "searchsize=20;"} {
		if !strings.Contains(dot, want) {
			t.Errorf("the DOT does not set %s", want)
		}
	}
	if strings.Contains(dot, "nslimit") {
		t.Error("the DOT limits network simplex (nslimit)")
	}
}

// Grouped into more teams than dot lays out in time (300 take native dot
// 3.9 s, 500 over 25 s), the services view is placed by force (sfdp): it
// renders, in real Graphviz, with every team in it, and says why it looks
// as it does.
func TestManyTeamsArePlacedByForce(t *testing.T) {
	m := topologytest.Generate(20 * (MaxTeams + 50)) // 20 services a team
	d := mustBuild(t, m, Options{})
	if !d.Grouped || len(d.Index.Teams) <= MaxTeams {
		t.Fatalf("grouped %v into %d teams", d.Grouped, len(d.Index.Teams))
	}
	dot := string(d.DOT)
	if !strings.Contains(dot, `layout="sfdp";`) || !strings.Contains(dot, `overlap="scale";`) {
		t.Fatal("the DOT of 250 teams does not ask for sfdp")
	}
	if !strings.Contains(d.Note, "placed by how they connect") {
		t.Errorf("note %q does not say why", d.Note)
	}
	cfg := testRendererConfig()
	cfg.Workers = 1
	svg, err := newTestRenderer(t, cfg).Render(context.Background(), d.DOT, OutputSVG)
	if err != nil {
		t.Fatal(err)
	}
	svg = bytes.ReplaceAll(svg, []byte("&#45;"), []byte("-")) // Graphviz's spelling of "-" in ids
	for team, ids := range d.Index.Teams {
		if !bytes.Contains(svg, []byte(`id="`+ids[0]+`"`)) {
			t.Fatalf("team %s (%s) is not in the SVG", team, ids[0])
		}
	}
	// Graphviz honours the engine a DOT names (its "layout" attribute), in
	// the worker too: a graph dot needs minutes for renders within seconds
	// when it asks for sfdp.
	cfg.Timeout = 20 * time.Second
	force := bytes.Replace(slowDOT(1), []byte("{\n"), []byte("{\nlayout=\"sfdp\";\n"), 1)
	if _, err := newTestRenderer(t, cfg).Render(context.Background(), force, OutputSVG); err != nil {
		t.Errorf("a slow graph asking for sfdp: %v", err)
	}
	// A grouped view of fewer teams keeps dot's columns.
	small := mustBuild(t, topologytest.Generate(MaxServices+1), Options{})
	if strings.Contains(string(small.DOT), "sfdp") {
		t.Error("a few teams are placed by force")
	}
}

func TestStandalone(t *testing.T) {
	m := loadModel(t, "testdata/shop.yaml")
	svg := mustRender(t, mustBuild(t, m, Options{}).DOT)
	// Things Graphviz would write for other DOT, which must not survive.
	svg = bytes.Replace(svg, []byte("</svg>"), []byte(`<script>alert(1)</script><image href="http://x/y.png"/><a xlink:href="https://evil.example/">x</a><g onclick="alert(1)" style="fill:url(http://x)"/></svg>`), 1)
	out, err := Standalone(svg, `Golden <shop> & "views"`)
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	for _, bad := range []string{"<script", "<image", "href", "onclick", "http://x", "evil.example", "<!DOCTYPE", "<!--"} {
		if strings.Contains(s, bad) {
			t.Errorf("exported SVG contains %q", bad)
		}
	}
	for _, want := range []string{`xmlns="http://www.w3.org/2000/svg"`, "<style", "<title>Golden &lt;shop&gt; &amp; \"views\"</title>"} {
		if !strings.Contains(s, want) {
			t.Errorf("exported SVG lacks %q", want)
		}
	}
	texts := parseSVG(t, out)
	if !slices.Contains(texts, "cart") {
		t.Error("exported SVG lost its texts")
	}
	if len(tooltips(t, out)) == 0 {
		t.Error("exported SVG lost its tooltips")
	}
	if _, err := Standalone([]byte("<svg><g></svg>"), "x"); err == nil {
		t.Error("malformed SVG accepted")
	}
}

func TestWideLabelsFit(t *testing.T) {
	tests := []struct {
		label string
		minPt float64 // the width a browser needs, in points at 12pt
	}{
		{"Zahlungsdienst — Übersicht ✓", 170},
		{"日本語のサービス", 96},
		{"plain ascii", 0},
	}
	for _, tt := range tests {
		t.Run(tt.label, func(t *testing.T) {
			a := widthFor(nil, tt.label, "box")
			if tt.minPt == 0 {
				if len(a) != 0 {
					t.Errorf("ASCII label got %v; Graphviz measures it right", a)
				}
				return
			}
			if len(a) != 1 {
				t.Fatalf("no width set for %q", tt.label)
			}
			var w float64
			if _, err := fmt.Sscan(strings.TrimPrefix(a[0], "width="), &w); err != nil {
				t.Fatal(err)
			}
			if w*72 < tt.minPt {
				t.Errorf("width %.1fpt for %q, want at least %.0fpt", w*72, tt.label, tt.minPt)
			}
		})
	}
}
