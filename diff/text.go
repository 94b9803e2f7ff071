package diff

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/archmap/archmap/risk"
)

// Headline says in a few words what the change did to the risks:
// "1 new high risk, 2 resolved" or "no new risks". Accepted findings are
// left out, as in the summary.
func (r *Report) Headline() string {
	var parts []string
	for _, s := range risk.Severities {
		if n := r.Summary.New.Of(s); n > 0 {
			parts = append(parts, fmt.Sprintf("%d new %s %s", n, s, plural(n, "risk", "risks")))
		}
	}
	if len(parts) == 0 {
		parts = append(parts, "no new risks")
	}
	if n := r.Summary.Resolved.Total(); n > 0 {
		parts = append(parts, fmt.Sprintf("%d resolved", n))
	}
	return strings.Join(parts, ", ")
}

// FormatFields writes a changed subject's fields as `instances: 1 → 2`,
// in name order.
func FormatFields(fields map[string][2]any) string {
	names := make([]string, 0, len(fields))
	for n := range fields {
		names = append(names, n)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, n := range names {
		v := fields[n]
		parts[i] = fmt.Sprintf("%s: %s → %s", n, FormatValue(v[0]), FormatValue(v[1]))
	}
	return strings.Join(parts, ", ")
}

// FormatValue writes a field value for people: strings quoted (an empty
// one as "(none)"), numbers as in the model file.
func FormatValue(v any) string {
	switch x := v.(type) {
	case string:
		if x == "" {
			return "(none)"
		}
		return strconv.Quote(x)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	}
	return fmt.Sprint(v)
}

// WriteText writes the report for a person at a terminal.
func (r *Report) WriteText(w io.Writer) error {
	ew := &errWriter{w: w}
	title := r.New
	if r.Old != r.New {
		title = fmt.Sprintf("%s → %s", r.Old, r.New)
	}
	ew.printf("%s: %s (%d persisting)\n", title, r.Headline(), r.Summary.Persisting)
	if r.Model.Empty() {
		ew.printf("\nThe models are the same.\n")
	} else {
		ew.printf("\nModel changes\n")
		for _, c := range r.Model.Added {
			ew.printf("  + %s\n", c.Subject)
		}
		for _, c := range r.Model.Removed {
			ew.printf("  - %s\n", c.Subject)
		}
		for _, c := range r.Model.Changed {
			ew.printf("  ~ %s  %s\n", c.Subject, FormatFields(c.Fields))
		}
	}
	section := func(title string, fs []risk.Finding, fix bool) {
		if len(fs) == 0 {
			return
		}
		ew.printf("\n%s\n", title)
		for _, f := range fs {
			ew.printf("  %-6s %s  %s%s\n", strings.ToUpper(string(f.Severity)), f.Rule, strings.Join(f.Subjects, ", "), acceptedNote(f))
			ew.printf("         %s\n", f.Message)
			if fix {
				ew.printf("         fix: %s\n", f.Suggestion)
			}
		}
	}
	section("New findings", r.Findings.New, true)
	section("Resolved findings", r.Findings.Resolved, false)
	return ew.err
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// errWriter keeps the first write error, so writers can print freely and
// check once.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}
