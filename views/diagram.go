package views

import (
	"encoding/json"
	"net/url"
	"strconv"

	"github.com/archmap/archmap/diagram"
	"github.com/archmap/archmap/risk"
	"github.com/archmap/archmap/topology"
)

// DiagramOptions are the choices of the diagram toolbar, carried in the
// page's query string so that a view can be bookmarked and shared.
type DiagramOptions = diagram.Options

// DiagramPageData is what the diagram tab shows around the diagram itself,
// which loads as a fragment (DiagramFragment) so that a slow layout shows a
// loading indicator instead of holding up the page.
type DiagramPageData struct {
	Slug     string
	Options  DiagramOptions
	Services []string // for the focus select
	Teams    []string // for the team filter
	Servers  []topology.Server
	Zones    []string
	Report   *risk.Report
	// Base is the path the fragment, panel and simulate URLs hang off:
	// /w/{slug} here, the share path on a share page.
	Base string
	// ReadOnly hides what would change the model (share pages).
	ReadOnly bool
	// Places maps each server to the services placed on it, so that the
	// search box can find a server in the services view too, where it has
	// no element of its own.
	Places map[string][]string
	// FailServices are the services the simulation lists to tick; nil past
	// their bound (a text field takes their place).
	FailServices []string

	// The page stays bounded whatever the model's size: a list longer than
	// its bound is left out (Services, Teams, Servers, Zones nil) and the
	// page offers a text field or a count instead; these are the full
	// counts. MaxFindings bounds the findings listed one by one (0: all),
	// the rest are summed up by rule.
	ServiceCount, TeamCount, ServerCount, ZoneCount int
	MaxFindings                                     int
}

// MaxSubjectsShown bounds the subjects listed under one finding: a sync
// cycle may take in thousands of services.
const MaxSubjectsShown = 20

// FindingsShown is how many findings the page lists one by one.
func (d *DiagramPageData) FindingsShown() int {
	if d.MaxFindings > 0 {
		return min(d.MaxFindings, len(d.Report.Findings))
	}
	return len(d.Report.Findings)
}

// RuleCount is the number of findings of one rule and severity.
type RuleCount struct {
	Rule     string
	Severity risk.Severity
	Count    int
}

// FindingsByRule sums the findings up by rule and severity, most serious
// first: the overview of a report too long to list.
func (d *DiagramPageData) FindingsByRule() []RuleCount {
	var out []RuleCount
	at := map[[2]string]int{}
	for _, f := range d.Report.Findings { // sorted by severity, then rule
		k := [2]string{string(f.Severity), f.Rule}
		i, ok := at[k]
		if !ok {
			i = len(out)
			at[k] = i
			out = append(out, RuleCount{Rule: f.Rule, Severity: f.Severity})
		}
		out[i].Count++
	}
	return out
}

// shownSubjects is the first subjects of a finding, and how many more.
func shownSubjects(f risk.Finding) ([]string, int) {
	if len(f.Subjects) <= MaxSubjectsShown {
		return f.Subjects, 0
	}
	return f.Subjects[:MaxSubjectsShown], len(f.Subjects) - MaxSubjectsShown
}

// FindingsBySeverity groups the report's findings, most serious first,
// leaving out empty groups.
func (d *DiagramPageData) FindingsBySeverity() []FindingGroup {
	var out []FindingGroup
	shown := d.Report.Findings[:d.FindingsShown()]
	for _, sev := range risk.Severities {
		var g FindingGroup
		g.Severity = sev
		for _, f := range shown {
			if f.Severity == sev {
				g.Findings = append(g.Findings, f)
			}
		}
		if len(g.Findings) > 0 {
			out = append(out, g)
		}
	}
	return out
}

// FindingGroup is the findings of one severity.
type FindingGroup struct {
	Severity risk.Severity
	Findings []risk.Finding
}

// DiagramData is the data island of a rendered diagram: how the ids of its
// SVG elements map to the model, so that app.js can select, highlight and
// mark without parsing labels. It is JSON in a <script type="application/json">.
type DiagramData struct {
	View string `json:"view"`
	// Services maps a service name to its diagram elements (one node in the
	// services view, one per placement in the deployment view), its team and
	// its direct neighbours.
	Services map[string]DiagramService `json:"services"`
	// Edges maps "from->to" to the edge elements of that dependency.
	Edges map[string][]string `json:"edges"`
	// Servers maps a server name to its cluster element (deployment view).
	Servers map[string][]string `json:"servers"`
	// PanelURL is fetched with ?service=NAME for the side panel.
	PanelURL string `json:"panel_url"`
	// Teams maps a team collapsed into node(s) to their elements: a click
	// on one opens the team (diagram-page.js).
	Teams map[string][]string `json:"teams"`
}

// DiagramCrumb is the way back from an opened team to the overview: the
// team shown ("" for the overview, which has no crumb) and the address of
// the page without it.
type DiagramCrumb struct {
	Team string
	Back string
}

// DiagramService is one service in the data island.
type DiagramService struct {
	IDs        []string `json:"ids"`
	Team       string   `json:"team"`
	Upstream   []string `json:"up"`
	Downstream []string `json:"down"`
}

// ServicePanelData is the side panel of a selected service.
type ServicePanelData struct {
	Service    topology.Service
	Placements []topology.Placement
	Upstream   []topology.Dependency // calls into the service
	Downstream []topology.Dependency // calls the service makes
	Findings   []risk.Finding        // its own, and those on its calls
	// EditorURL leads to the service's row in the model editor; "" where
	// there is no editor (share pages).
	EditorURL string
}

// ServiceEditorURL is the model tab searched for a service's name, at its
// row (id 0: at the services section). The model tab keeps each section's
// search in its URL under the section's name (?services.q=NAME).
func ServiceEditorURL(slug, name string, id int64) string {
	anchor := "#" + SectionServices
	if id > 0 {
		anchor = "#" + rowID("service", id)
	}
	return WorkspaceURL(slug) + "?" + url.Values{SectionServices + ".q": {name}}.Encode() + anchor
}

// ServerPanelData is the side panel of a selected server.
type ServerPanelData struct {
	Server     topology.Server
	Placements []topology.Placement // what runs there
	Findings   []risk.Finding
	Loss       *SimulationData // what losing it takes down
}

// SimulationData is the outcome of a failure simulation.
type SimulationData struct {
	Failed   []string // what was failed, as "server:a", "zone:z"
	Down     []string
	Degraded []string
	Total    int               // services in the model, for the headline
	Reasons  map[string]string // service → why it is down or degraded
	// Marks is the data island app.js marks the diagram from.
	Marks SimulationMarks
}

// SimulationMarks names what to mark on the diagram: services by name,
// failed servers by name.
type SimulationMarks struct {
	Down     []string `json:"down"`
	Degraded []string `json:"degraded"`
	Servers  []string `json:"servers"`
}

// maxLossShown bounds the services a server panel lists as lost with it.
const maxLossShown = 50

// firstOf is the first n of list.
func firstOf(list []string, n int) []string {
	if len(list) > n {
		return list[:n]
	}
	return list
}

// Summary is the headline of a simulation: "3 of 14 services down, 2 degraded".
func (s *SimulationData) Summary() string {
	return strconv.Itoa(len(s.Down)) + " of " + strconv.Itoa(s.Total) + " services down, " + strconv.Itoa(len(s.Degraded)) + " degraded"
}

// failedLabel writes a failure item for people: "zone eu-west-1a".
func failedLabel(item string) string {
	for _, p := range []string{"server:", "zone:", "service:"} {
		if len(item) > len(p) && item[:len(p)] == p {
			return p[:len(p)-1] + " " + item[len(p):]
		}
	}
	return item
}

func severityClass(s risk.Severity) string { return "sev-" + string(s) }

func subjectLabel(subject string) string {
	for _, p := range []string{"service:", "server:", "dependency:"} {
		if len(subject) > len(p) && subject[:len(p)] == p {
			return subject[len(p):]
		}
	}
	return subject
}

func withQuery(path, query string) string {
	if query == "" {
		return path
	}
	return path + "?" + query
}

func depLabel(d topology.Dependency) string {
	s := string(d.Protocol) + ", " + string(d.Mode)
	if d.CallsPerRequest != 1 {
		s += ", ×" + formatNumber(d.CallsPerRequest)
	}
	return s
}

// jsonAttr encodes v as JSON for a data-island attribute; templ escapes the
// attribute value, and app.js reads it back with JSON.parse.
func jsonAttr(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		// The island types are plain structs of strings: they always encode.
		panic("views: encode data island: " + err.Error())
	}
	return string(b)
}
