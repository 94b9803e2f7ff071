package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/archmap/archmap/risk"
	"github.com/archmap/archmap/topology"
	"github.com/mattn/go-isatty"
)

func init() {
	register(&command{name: "check", summary: "lint a model: print its risks, exit 1 at --fail-on (for CI)", run: runCheck})
}

const checkSynopsis = "check [--format text|json|sarif] [--fail-on high|medium|low|info|never] [--from compose|kubernetes] MODEL..."

// runCheck is docs/cli.md's check: exit 1 when a finding is at or above
// --fail-on, 2 on unreadable or invalid input, else 0.
func runCheck(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "check", checkSynopsis)
	format := fs.String("format", "text", "output: text, json or sarif")
	failOn := fs.String("fail-on", "high", "exit 1 when a finding is at or above this severity: high, medium, low, info or never")
	imp := addImportFlags(fs)
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	switch *format {
	case "text", "json", "sarif":
	default:
		return usageError("--format %q: want text, json or sarif", *format)
	}
	threshold, err := parseFailOn(*failOn) // "" for never
	if err != nil {
		return err
	}
	if fs.NArg() < 1 {
		fs.Usage()
		return usageError("check takes a MODEL: a model file, or - for standard input (or compose files or Kubernetes manifests with --from)")
	}
	path := fs.Arg(0)
	m, src, err := imp.load(e, fs.Args())
	if err != nil {
		return err
	}
	r := risk.Analyze(m)
	switch *format {
	case "json":
		err = writeJSON(e.stdout, r)
	case "sarif":
		err = writeJSON(e.stdout, sarifReport(r, m, src, path))
	default:
		writeCheckText(e.stdout, r, colorful(e))
	}
	if err != nil {
		return err
	}
	if threshold == "" {
		return nil
	}
	n := 0
	for _, f := range r.Findings {
		if f.Severity.AtLeast(threshold) {
			n++
		}
	}
	if n > 0 {
		return &exitError{code: 1, err: fmt.Errorf("%d finding(s) at or above %s", n, threshold)}
	}
	return nil
}

// writeJSON writes v indented by two spaces with a trailing newline. Angle
// brackets and ampersands in names stay as typed: this is not HTML.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// colorful: colour only for a person at a terminal who has not asked for none.
func colorful(e *env) bool {
	f, ok := e.stdout.(*os.File)
	if !ok || e.getenv("NO_COLOR") != "" {
		return false
	}
	return isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())
}

var severityColor = map[risk.Severity]string{
	risk.High:   "\x1b[1;31m",
	risk.Medium: "\x1b[1;33m",
	risk.Low:    "\x1b[1;36m",
	risk.Info:   "\x1b[1;37m",
}

// writeCheckText groups the findings by severity, most serious first, each
// with its subjects, message and suggestion.
func writeCheckText(w io.Writer, r *risk.Report, color bool) {
	paint := func(code, s string) string {
		if !color {
			return s
		}
		return code + s + "\x1b[0m"
	}
	if len(r.Findings) == 0 {
		fmt.Fprintf(w, "%s: no findings\n", r.Model)
		return
	}
	s := r.Summary
	fmt.Fprintf(w, "%s: %d finding(s): %d high, %d medium, %d low, %d info\n",
		r.Model, len(r.Findings), s.High, s.Medium, s.Low, s.Info)
	var current risk.Severity
	for _, f := range r.Findings {
		if f.Severity != current {
			current = f.Severity
			fmt.Fprintf(w, "\n%s\n", paint(severityColor[current], strings.ToUpper(string(current))))
		}
		fmt.Fprintf(w, "  %s  %s\n", paint("\x1b[1m", f.Rule), strings.Join(f.Subjects, ", "))
		fmt.Fprintf(w, "      %s\n", f.Message)
		fmt.Fprintf(w, "      %s %s\n", paint("\x1b[2m", "fix:"), f.Suggestion)
	}
}

// SARIF 2.1.0, the parts code-scanning UIs read.
type (
	sarifLog struct {
		Schema  string     `json:"$schema"`
		Version string     `json:"version"`
		Runs    []sarifRun `json:"runs"`
	}
	sarifRun struct {
		Tool    sarifTool     `json:"tool"`
		Results []sarifResult `json:"results"`
	}
	sarifTool struct {
		Driver sarifDriver `json:"driver"`
	}
	sarifDriver struct {
		Name           string      `json:"name"`
		InformationURI string      `json:"informationUri,omitempty"`
		Rules          []sarifRule `json:"rules"`
	}
	sarifRule struct {
		ID                   string       `json:"id"`
		ShortDescription     sarifText    `json:"shortDescription"`
		Help                 sarifText    `json:"help"`
		DefaultConfiguration sarifDefault `json:"defaultConfiguration"`
	}
	sarifDefault struct {
		Level string `json:"level"`
	}
	sarifText struct {
		Text string `json:"text"`
	}
	sarifResult struct {
		RuleID              string            `json:"ruleId"`
		RuleIndex           int               `json:"ruleIndex"`
		Level               string            `json:"level"`
		Message             sarifText         `json:"message"`
		Locations           []sarifLocation   `json:"locations"`
		PartialFingerprints map[string]string `json:"partialFingerprints"`
		Properties          sarifProperties   `json:"properties"`
		// BaselineState is set by diff: new, unchanged or absent.
		BaselineState string `json:"baselineState,omitempty"`
	}
	sarifLocation struct {
		PhysicalLocation sarifPhysical `json:"physicalLocation"`
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
	sarifProperties struct {
		Severity risk.Severity `json:"severity"`
		Subjects []string      `json:"subjects"`
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

// sarifReport locates each finding at the line of its first subject in the
// model file given as path (kept relative, as code scanning wants).
func sarifReport(r *risk.Report, m *topology.Model, src *topology.Source, path string) *sarifLog {
	uri := sarifURI(path)
	rules := risk.Rules()
	index := map[string]int{}
	driver := sarifDriver{Name: "archmap", Rules: make([]sarifRule, len(rules))}
	for i, rule := range rules {
		index[rule.ID] = i
		driver.Rules[i] = sarifRule{
			ID:                   rule.ID,
			ShortDescription:     sarifText{rule.Summary},
			Help:                 sarifText{rule.Help},
			DefaultConfiguration: sarifDefault{sarifLevel(rule.Severity)},
		}
	}
	paths := subjectPaths(m)
	results := make([]sarifResult, 0, len(r.Findings))
	for _, f := range r.Findings {
		loc := sarifLocation{PhysicalLocation: sarifPhysical{ArtifactLocation: sarifArtifact{URI: uri}}}
		if len(f.Subjects) > 0 {
			if line := src.Line(paths[f.Subjects[0]]); line > 0 {
				loc.PhysicalLocation.Region = &sarifRegion{StartLine: line}
			}
		}
		// The fingerprint follows the finding, not its line, so code
		// scanning keeps an alert open while the file around it changes.
		sum := sha256.Sum256([]byte(f.Rule + "\x00" + strings.Join(f.Subjects, "\x00")))
		results = append(results, sarifResult{
			RuleID:              f.Rule,
			RuleIndex:           index[f.Rule],
			Level:               sarifLevel(f.Severity),
			Message:             sarifText{f.Message + ". Suggestion: " + f.Suggestion + "."},
			Locations:           []sarifLocation{loc},
			PartialFingerprints: map[string]string{"archmapFinding/v1": hex.EncodeToString(sum[:16])},
			Properties:          sarifProperties{Severity: f.Severity, Subjects: f.Subjects},
		})
	}
	return &sarifLog{
		Schema:  "https://json.schemastore.org/sarif-2.1.0.json",
		Version: "2.1.0",
		Runs:    []sarifRun{{Tool: sarifTool{Driver: driver}, Results: results}},
	}
}

// sarifURI writes the MODEL argument as a URI reference: relative paths stay
// relative (percent-encoded), absolute ones become file URIs, and standard
// input is "-".
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
