package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/archmap/archmap/risk"
	"github.com/mattn/go-isatty"
)

func init() {
	register(&command{name: "check", summary: "lint a model: print its risks, exit 1 at --fail-on (for CI)", run: runCheck})
}

const checkSynopsis = "check [--format text|json|sarif] [--fail-on high|medium|low|info|never] [--from compose|kubernetes] MODEL..."

// runCheck is docs/cli.md's check: exit 1 when a finding not accepted is at
// or above --fail-on, 2 on unreadable or invalid input, else 0.
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
	m, in, err := imp.loadInput(e, fs.Args())
	if err != nil {
		return err
	}
	r := risk.Analyze(m)
	// A stale acceptance is shown at its line of the model file.
	for i := range r.StaleAcceptances {
		r.StaleAcceptances[i].Line = in.src.Line(r.StaleAcceptances[i].Path)
	}
	switch *format {
	case "json":
		err = writeJSON(e.stdout, r)
	case "sarif":
		err = writeJSON(e.stdout, sarifReport(r, m, in))
	default:
		writeCheckText(e.stdout, r, in.name(), colorful(e))
	}
	if err != nil {
		return err
	}
	if threshold == "" {
		return nil
	}
	n := 0
	for _, f := range r.Findings {
		if f.Accepted == nil && f.Severity.AtLeast(threshold) {
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

// writeCheckText groups the open findings by severity, most serious first,
// each with its subjects, message and suggestion; then the accepted ones,
// with why; then the acceptances that hide nothing, at their line of file.
func writeCheckText(w io.Writer, r *risk.Report, file string, color bool) {
	paint := func(code, s string) string {
		if !color {
			return s
		}
		return code + s + "\x1b[0m"
	}
	s := r.Summary
	switch {
	case len(r.Findings) == 0:
		fmt.Fprintf(w, "%s: no findings\n", r.Model)
	default:
		fmt.Fprintf(w, "%s: %d finding(s): %d high, %d medium, %d low, %d info", r.Model, len(r.Findings), s.High, s.Medium, s.Low, s.Info)
		if s.Accepted > 0 {
			fmt.Fprintf(w, ", %d accepted", s.Accepted)
		}
		fmt.Fprintln(w)
	}
	finding := func(f risk.Finding) {
		fmt.Fprintf(w, "  %s  %s\n", paint("\x1b[1m", f.Rule), strings.Join(f.Subjects, ", "))
		fmt.Fprintf(w, "      %s\n", f.Message)
		fmt.Fprintf(w, "      %s %s\n", paint("\x1b[2m", "fix:"), f.Suggestion)
	}
	var current risk.Severity
	for _, f := range r.Findings {
		if f.Accepted != nil {
			continue
		}
		if f.Severity != current {
			current = f.Severity
			fmt.Fprintf(w, "\n%s\n", paint(severityColor[current], strings.ToUpper(string(current))))
		}
		finding(f)
	}
	if s.Accepted > 0 {
		fmt.Fprintf(w, "\n%s\n", paint("\x1b[2m", fmt.Sprintf("ACCEPTED (%d, not counted)", s.Accepted)))
		for _, f := range r.Findings {
			if f.Accepted == nil {
				continue
			}
			fmt.Fprintf(w, "  %s  %s  [%s]\n", paint("\x1b[1m", f.Rule), strings.Join(f.Subjects, ", "), f.Severity)
			fmt.Fprintf(w, "      %s %s\n", paint("\x1b[2m", "accepted:"), oneLine(f.Accepted.Reason))
			if by := acceptedBy(f.Accepted); by != "" {
				fmt.Fprintf(w, "      %s\n", by)
			}
		}
	}
	if len(r.StaleAcceptances) > 0 {
		fmt.Fprintf(w, "\n%s\n", paint(severityColor[risk.Low], fmt.Sprintf("STALE ACCEPTANCES (%d)", len(r.StaleAcceptances))))
		for _, a := range r.StaleAcceptances {
			where := file
			if a.Line > 0 {
				where = fmt.Sprintf("%s:%d", file, a.Line)
			}
			fmt.Fprintf(w, "  %s: %s: %s %s %s\n", where, a.Path, a.Why, a.Rule, strings.Join(a.Subjects, ", "))
			if a.Why == risk.StaleExpired {
				fmt.Fprintf(w, "      expired %s; its finding counts again\n", a.Expires)
			} else {
				fmt.Fprintf(w, "      the finding is gone or its subjects were renamed; remove or correct the acceptance\n")
			}
		}
	}
}

// acceptedBy is "owner platform, until 2027-03-31", or "" when neither is said.
func acceptedBy(a *risk.Acceptance) string {
	var parts []string
	if a.Owner != "" {
		parts = append(parts, "owner "+a.Owner)
	}
	if a.Expires != "" {
		parts = append(parts, "until "+a.Expires)
	}
	return strings.Join(parts, ", ")
}

// oneLine joins a multi-line reason for a one-line display.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
