package diagram

import (
	"fmt"
	"slices"
	"strings"

	"github.com/archmap/archmap/risk"
)

// overlay indexes the findings by subject ("service:NAME", …). Subjects
// are looked up with the risk package's own constructors, never parsed, so
// names holding "->" or ":" stay unambiguous.
type overlay struct {
	findings []risk.Finding
	by       map[string][]int // subject → indices in findings
}

func newOverlay(findings []risk.Finding) overlay {
	o := overlay{findings: findings, by: map[string][]int{}}
	for i, f := range findings {
		for _, s := range f.Subjects {
			o.by[s] = append(o.by[s], i)
		}
	}
	return o
}

// collect returns the findings of the subjects, most serious first, each
// once (a finding about several subjects is indexed under each of them).
func (o overlay) collect(subjects ...string) []risk.Finding {
	var idx []int
	for _, s := range subjects {
		idx = append(idx, o.by[s]...)
	}
	if len(idx) == 0 {
		return nil
	}
	slices.Sort(idx)
	idx = slices.Compact(idx)
	out := make([]risk.Finding, len(idx))
	for i, j := range idx {
		out[i] = o.findings[j]
	}
	slices.SortStableFunc(out, func(a, b risk.Finding) int { return b.Severity.Rank() - a.Severity.Rank() })
	return out
}

// worst is the most serious severity of the open findings: an accepted
// finding does not colour its subject (acceptedClass marks it instead).
func worst(fs []risk.Finding) risk.Severity {
	var w risk.Severity
	for _, f := range fs {
		if f.Accepted == nil && f.Severity.Rank() > w.Rank() {
			w = f.Severity
		}
	}
	return w
}

// maxTooltipFindings bounds the findings one tooltip lists.
const maxTooltipFindings = 6

// findingLines appends the findings to a tooltip: a blank line, then one
// line per finding ("HIGH — message"), at most maxTooltipFindings.
func findingLines(b *strings.Builder, fs []risk.Finding) {
	if len(fs) == 0 {
		return
	}
	b.WriteString("\n")
	for i, f := range fs {
		if i == maxTooltipFindings {
			fmt.Fprintf(b, "\n… and %d more", len(fs)-i)
			break
		}
		if f.Accepted != nil {
			fmt.Fprintf(b, "\nACCEPTED %s — %s", strings.ToUpper(string(f.Severity)), f.Message)
			continue
		}
		fmt.Fprintf(b, "\n%s — %s", strings.ToUpper(string(f.Severity)), f.Message)
	}
}

// acceptedClass is "finding-accepted" for a subject whose findings are all
// accepted, so the page can draw it apart from open ones; else "".
func acceptedClass(fs []risk.Finding) string {
	if len(fs) == 0 {
		return ""
	}
	for _, f := range fs {
		if f.Accepted == nil {
			return ""
		}
	}
	return "finding-accepted"
}

// sevClass is the class of a severity ("sev-high"), "" for none.
func sevClass(s risk.Severity) string {
	if s == "" {
		return ""
	}
	return "sev-" + string(s)
}

// classes joins class names, skipping empty ones.
func classes(names ...string) string {
	var b strings.Builder
	for _, n := range names {
		if n == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(n)
	}
	return b.String()
}
