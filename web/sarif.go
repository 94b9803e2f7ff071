package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/archmap/archmap/risk"
	"github.com/archmap/archmap/topology"
)

// Where the project and its rule pages live, for SARIF's links. A rule's
// page is docs/rules/<rule-id>.md in the repository.
const (
	projectURL  = "https://github.com/archmap/archmap"
	rulePageURL = projectURL + "/blob/main/docs/rules/"
)

// staleAcceptanceRule is the SARIF rule of a note about an acceptance that
// hides nothing. It is not a risk rule: no acceptance can name it.
const staleAcceptanceRule = "stale-acceptance"

// SARIF 2.1.0, the parts code-scanning UIs read.
type (
	sarifLog struct {
		Schema  string     `json:"$schema"`
		Version string     `json:"version"`
		Runs    []sarifRun `json:"runs"`
	}
	sarifRun struct {
		Tool              sarifTool         `json:"tool"`
		AutomationDetails sarifAutomation   `json:"automationDetails"`
		Results           []sarifResult     `json:"results"`
		Properties        map[string]string `json:"properties,omitempty"`
	}
	sarifAutomation struct {
		ID string `json:"id"`
	}
	sarifTool struct {
		Driver sarifDriver `json:"driver"`
	}
	sarifDriver struct {
		Name           string      `json:"name"`
		Version        string      `json:"version"`
		InformationURI string      `json:"informationUri"`
		Rules          []sarifRule `json:"rules"`
	}
	sarifRule struct {
		ID                   string       `json:"id"`
		Name                 string       `json:"name"`
		ShortDescription     sarifText    `json:"shortDescription"`
		FullDescription      sarifText    `json:"fullDescription"`
		Help                 sarifHelp    `json:"help"`
		HelpURI              string       `json:"helpUri,omitempty"`
		DefaultConfiguration sarifDefault `json:"defaultConfiguration"`
	}
	sarifHelp struct {
		Text     string `json:"text"`
		Markdown string `json:"markdown"`
	}
	sarifDefault struct {
		Level string `json:"level"`
	}
	sarifText struct {
		Text string `json:"text"`
	}
	sarifResult struct {
		RuleID              string             `json:"ruleId"`
		RuleIndex           int                `json:"ruleIndex"`
		Level               string             `json:"level"`
		Message             sarifText          `json:"message"`
		Locations           []sarifLocation    `json:"locations"`
		RelatedLocations    []sarifLocation    `json:"relatedLocations,omitempty"`
		Suppressions        []sarifSuppression `json:"suppressions,omitempty"`
		PartialFingerprints map[string]string  `json:"partialFingerprints"`
		Properties          sarifProperties    `json:"properties"`
		// BaselineState is set by diff: new, unchanged or absent.
		BaselineState string `json:"baselineState,omitempty"`
	}
	sarifLocation struct {
		ID               *int          `json:"id,omitempty"`
		PhysicalLocation sarifPhysical `json:"physicalLocation"`
		Message          *sarifText    `json:"message,omitempty"`
	}
	sarifPhysical struct {
		ArtifactLocation sarifArtifact `json:"artifactLocation"`
		Region           *sarifRegion  `json:"region,omitempty"`
	}
	sarifArtifact struct {
		URI string `json:"uri"`
	}
	sarifRegion struct {
		StartLine int `json:"startLine"`
	}
	sarifSuppression struct {
		Kind          string         `json:"kind"`
		Status        string         `json:"status"`
		Justification string         `json:"justification"`
		Location      *sarifLocation `json:"location,omitempty"`
	}
	sarifProperties struct {
		Severity risk.Severity `json:"severity,omitempty"`
		Subjects []string      `json:"subjects"`
		Owner    string        `json:"owner,omitempty"`
		Expires  string        `json:"expires,omitempty"`
	}
)

// sarifLevel maps severities to SARIF levels: high is an error, medium a
// warning, the rest notes.
func sarifLevel(s risk.Severity) string {
	switch s {
	case risk.High:
		return "error"
	case risk.Medium:
		return "warning"
	}
	return "note"
}

// sarifReport writes the report as SARIF: each finding located at the line
// that defines its first subject (in the model file, or in the compose file
// or manifest it was imported from), its other subjects as related
// locations, an accepted finding with its suppression, and each stale
// acceptance as a note at its line.
func sarifReport(r *risk.Report, m *topology.Model, in *modelInput) *sarifLog {
	rules := risk.Rules()
	index := map[string]int{}
	driver := sarifDriver{Name: "archmap", Version: toolVersion(), InformationURI: projectURL}
	for i, rule := range rules {
		index[rule.ID] = i
		driver.Rules = append(driver.Rules, sarifRule{
			ID:               rule.ID,
			Name:             ruleName(rule.ID),
			ShortDescription: sarifText{rule.Summary},
			FullDescription:  sarifText{rule.Summary + ". " + rule.Help},
			Help: sarifHelp{
				Text:     rule.Help,
				Markdown: fmt.Sprintf("**%s**\n\n%s\n\nSee [%s](%s%s.md) for examples and how to accept the risk.", rule.Summary, rule.Help, rule.ID, rulePageURL, rule.ID),
			},
			HelpURI:              rulePageURL + rule.ID + ".md",
			DefaultConfiguration: sarifDefault{sarifLevel(rule.Severity)},
		})
	}
	staleIndex := len(driver.Rules)
	driver.Rules = append(driver.Rules, sarifRule{
		ID:               staleAcceptanceRule,
		Name:             ruleName(staleAcceptanceRule),
		ShortDescription: sarifText{"An accepted risk that hides nothing: it has expired, or matches no finding"},
		FullDescription:  sarifText{"An entry of accepted_risks that has expired (its finding counts again) or that matches no finding (the finding was fixed, or its subjects were renamed)."},
		Help: sarifHelp{
			Text:     "Renew the acceptance with a new expiry date and reason, or remove it.",
			Markdown: "Renew the acceptance with a new `expires` date and reason, or remove it from `accepted_risks`.",
		},
		DefaultConfiguration: sarifDefault{"note"},
	})

	loc := newLocator(m, in)
	results := make([]sarifResult, 0, len(r.Findings)+len(r.StaleAcceptances))
	hosts := map[string][]string{} // service subject → its servers' subjects
	for _, p := range m.Placements {
		s := risk.ServiceSubject(p.Service)
		hosts[s] = append(hosts[s], risk.ServerSubject(p.Server))
	}
	for _, f := range r.Findings {
		subjects := f.Subjects
		if f.Rule == risk.RuleSpofServer && in.report == nil {
			// The server all its instances share is where the risk is.
			subjects = append(slices.Clip(subjects), hosts[f.Subjects[0]]...)
		}
		primary, related := loc.locate(subjects)
		// The fingerprint follows the finding, not its line, so code
		// scanning keeps an alert open while the file around it changes.
		sum := sha256.Sum256([]byte(f.Rule + "\x00" + strings.Join(f.Subjects, "\x00")))
		res := sarifResult{
			RuleID:              f.Rule,
			RuleIndex:           index[f.Rule],
			Level:               sarifLevel(f.Severity),
			Message:             sarifText{f.Message + ". Suggestion: " + f.Suggestion + "."},
			Locations:           []sarifLocation{primary},
			RelatedLocations:    related,
			PartialFingerprints: map[string]string{"archmapFinding/v1": hex.EncodeToString(sum[:16])},
			Properties:          sarifProperties{Severity: f.Severity, Subjects: f.Subjects},
		}
		if a := f.Accepted; a != nil {
			sup := sarifSuppression{Kind: "inSource", Status: "accepted", Justification: a.Reason}
			if l, ok := loc.acceptance(m, f.Rule, f.Subjects); ok {
				sup.Location = &l
			}
			res.Suppressions = []sarifSuppression{sup}
			res.Properties.Owner, res.Properties.Expires = a.Owner, a.Expires
		}
		results = append(results, res)
	}
	for _, a := range r.StaleAcceptances {
		l := loc.file(a.Line)
		msg := fmt.Sprintf("The acceptance of %s for %s %s", a.Rule, strings.Join(a.Subjects, ", "), a.Why)
		if a.Why == risk.StaleExpired {
			msg += " on " + a.Expires + "; its finding counts again. Renew it or remove it."
		} else {
			msg += ". Remove it, or correct its subjects."
		}
		sum := sha256.Sum256([]byte(staleAcceptanceRule + "\x00" + a.Rule + "\x00" + strings.Join(a.Subjects, "\x00")))
		results = append(results, sarifResult{
			RuleID:              staleAcceptanceRule,
			RuleIndex:           staleIndex,
			Level:               "note",
			Message:             sarifText{msg},
			Locations:           []sarifLocation{l},
			PartialFingerprints: map[string]string{"archmapFinding/v1": hex.EncodeToString(sum[:16])},
			Properties:          sarifProperties{Subjects: a.Subjects, Owner: a.Owner, Expires: a.Expires},
		})
	}
	return &sarifLog{
		Schema:  "https://json.schemastore.org/sarif-2.1.0.json",
		Version: "2.1.0",
		Runs: []sarifRun{{
			Tool:              sarifTool{Driver: driver},
			AutomationDetails: sarifAutomation{ID: automationID(m, in)},
			Results:           results,
		}},
	}
}

// ruleName is a rule id in the PascalCase SARIF viewers show: SpofInstance.
func ruleName(id string) string {
	var b strings.Builder
	for _, part := range strings.Split(id, "-") {
		if part != "" {
			b.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
	}
	return b.String()
}

// automationID names the run so that code scanning keeps the alerts of
// several models of one repository apart: its category is the MODEL
// argument's path (the model's name for standard input).
func automationID(m *topology.Model, in *modelInput) string {
	key := m.Name
	if len(in.paths) > 0 && in.paths[0] != "-" {
		key = filepath.ToSlash(filepath.Clean(in.paths[0]))
	}
	var b strings.Builder
	for _, r := range strings.ToLower(key) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_', r == '.', r == '/':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	return "archmap/" + strings.Trim(b.String(), "/.") + "/"
}

// toolVersion is the module version the binary was built from, else its
// VCS revision, else "devel".
func toolVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			return "devel-" + s.Value[:12]
		}
	}
	return "devel"
}

// place is a line of a file (line 0 when unknown).
type place struct {
	uri  string
	line int
}

// locator finds the file and line that define a finding's subject.
type locator struct {
	in       *modelInput
	fallback string           // the MODEL argument, as a URI
	places   map[string]place // subject → where it is defined
	// servers holds, for an import, the subjects of the services placed on
	// each server, in model order: a modelled node is in no file, so a
	// finding about it points at what runs there.
	servers map[string][]string
}

func newLocator(m *topology.Model, in *modelInput) *locator {
	l := &locator{in: in, fallback: sarifURI(in.name()), places: map[string]place{}}
	if in.name() == "<stdin>" {
		l.fallback = "-"
	}
	if in.report == nil {
		for subject, path := range subjectPaths(m) {
			l.places[subject] = place{l.fallback, in.src.Line(path)}
		}
		return l
	}
	for name, p := range in.report.Places {
		l.places[risk.ServiceSubject(name)] = place{sarifURI(p.File), p.Line}
	}
	for _, d := range in.report.Dependencies {
		if d.File != "" {
			l.places[risk.DependencySubject(d.From, d.To)] = place{sarifURI(d.File), d.Line}
		}
	}
	l.servers = map[string][]string{}
	for _, p := range m.Placements {
		s := risk.ServerSubject(p.Server)
		l.servers[s] = append(l.servers[s], risk.ServiceSubject(p.Service))
	}
	return l
}

// find returns where subject is defined. A dependency not found on its own
// is placed at its caller; a server of an import at its first service.
func (l *locator) find(subject string) (place, bool) {
	if p, ok := l.places[subject]; ok && p.line > 0 {
		return p, true
	}
	if rest, ok := strings.CutPrefix(subject, "dependency:"); ok {
		if from, _, ok := strings.Cut(rest, "->"); ok {
			if p, ok := l.places[risk.ServiceSubject(from)]; ok && p.line > 0 {
				return p, true
			}
		}
	}
	return place{}, false
}

// locate gives a finding its location, at its first subject that has one,
// and its other subjects as related locations, each with a message naming it.
func (l *locator) locate(subjects []string) (sarifLocation, []sarifLocation) {
	var primary *sarifLocation
	var related []sarifLocation
	type named struct {
		subject, label string
	}
	var list []named
	for _, s := range subjects {
		if hosted := l.servers[s]; len(hosted) > 0 {
			// A modelled node: what runs on it, each where it is defined.
			for _, h := range hosted {
				list = append(list, named{h, s + " runs " + h})
			}
			continue
		}
		list = append(list, named{s, s})
	}
	for _, n := range list {
		p, ok := l.find(n.subject)
		if !ok {
			continue
		}
		loc := sarifLocation{PhysicalLocation: physical(p), Message: &sarifText{n.label}}
		if primary == nil {
			primary = &loc
			continue
		}
		id := len(related) + 1
		loc.ID = &id
		related = append(related, loc)
	}
	if primary == nil {
		// Nothing in the input defines it (an idle node of a modelled
		// cluster): the input's first file, so the result still shows.
		return l.file(0), related
	}
	return *primary, related
}

// file is a location in the model file itself (or the first input file of
// an import), at line when it is known.
func (l *locator) file(line int) sarifLocation {
	uri := l.fallback
	if l.in.report != nil {
		for _, p := range l.places {
			if uri == l.fallback || p.uri < uri {
				uri = p.uri
			}
		}
	}
	if line < 1 {
		line = 1
	}
	return sarifLocation{PhysicalLocation: physical(place{uri, line})}
}

// acceptance is where the model file accepts the finding of rule about
// subjects.
func (l *locator) acceptance(m *topology.Model, rule string, subjects []string) (sarifLocation, bool) {
	if l.in.src == nil {
		return sarifLocation{}, false
	}
	key := topology.AcceptanceKey(rule, subjects)
	for i := range m.AcceptedRisks {
		if m.AcceptedRisks[i].Key() == key {
			if line := l.in.src.Line(fmt.Sprintf("accepted_risks[%d]", i)); line > 0 {
				return sarifLocation{PhysicalLocation: physical(place{l.fallback, line})}, true
			}
		}
	}
	return sarifLocation{}, false
}

func physical(p place) sarifPhysical {
	ph := sarifPhysical{ArtifactLocation: sarifArtifact{URI: p.uri}}
	if p.line > 0 {
		ph.Region = &sarifRegion{StartLine: p.line}
	}
	return ph
}

// sarifURI writes a path as a URI reference: relative paths stay relative
// (percent-encoded), absolute ones become file URIs, and standard input
// is "-".
func sarifURI(path string) string {
	if path == "-" {
		return "-"
	}
	p := filepath.ToSlash(path)
	if filepath.IsAbs(path) {
		if !strings.HasPrefix(p, "/") {
			p = "/" + p // a Windows drive
		}
		return (&url.URL{Scheme: "file", Path: p}).String()
	}
	return (&url.URL{Path: p}).String()
}

// subjectPaths maps each possible subject to its place in the model file
// ("services[3]"); the first entity of a name wins, as in validation.
func subjectPaths(m *topology.Model) map[string]string {
	paths := make(map[string]string, len(m.Services)+len(m.Servers)+len(m.Dependencies))
	add := func(subject, path string) {
		if _, ok := paths[subject]; !ok {
			paths[subject] = path
		}
	}
	for i, s := range m.Services {
		add(risk.ServiceSubject(s.Name), fmt.Sprintf("services[%d]", i))
	}
	for i, s := range m.Servers {
		add(risk.ServerSubject(s.Name), fmt.Sprintf("servers[%d]", i))
	}
	for i, d := range m.Dependencies {
		add(risk.DependencySubject(d.From, d.To), fmt.Sprintf("dependencies[%d]", i))
	}
	return paths
}
