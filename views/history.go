package views

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/archmap/archmap/diff"
	"github.com/archmap/archmap/risk"
)

// HistoryData is the History tab: a page of revisions, newest first, and
// the points of the chart of open findings (oldest first).
type HistoryData struct {
	Slug     string
	Revision int64 // the current one, for restore forms
	Offset   int
	PageSize int
	Total    int
	Rows     []HistoryRow
	Chart    []ChartPoint
}

// HistoryRow is one revision of the History tab.
type HistoryRow struct {
	Revision    int64
	CreatedAt   time.Time
	Author      string
	Summary     string
	Counts      FindingCounts
	Delta       FindingCounts // what it did to the open findings
	HasPrevious bool          // Delta is known
}

// ChartPoint is one revision on the chart.
type ChartPoint struct {
	Revision int64
	Counts   FindingCounts
}

// Chart geometry, in SVG user units.
const (
	chartW, chartH         = 720, 160
	chartLeft, chartRight  = 36, 12
	chartTop, chartBottom  = 12, 24
	chartPlotW, chartPlotH = chartW - chartLeft - chartRight, chartH - chartTop - chartBottom
	chartMinPoints         = 2
	chartSeverityCount     = 4
	chartDefaultMax        = 1
)

// ChartSeries is one severity's line.
type ChartSeries struct {
	Severity string
	Points   string // "x,y x,y …"
	Last     int
}

// ChartMax is the top of the chart's scale.
func (d *HistoryData) ChartMax() int {
	top := chartDefaultMax
	for _, p := range d.Chart {
		top = max(top, p.Counts.High, p.Counts.Medium, p.Counts.Low, p.Counts.Info)
	}
	return top
}

// ChartSeries returns the lines of the chart, one per severity.
func (d *HistoryData) ChartSeries() []ChartSeries {
	if len(d.Chart) < chartMinPoints {
		return nil
	}
	top := float64(d.ChartMax())
	out := make([]ChartSeries, 0, chartSeverityCount)
	for _, sev := range risk.Severities {
		var b strings.Builder
		for i, p := range d.Chart {
			x := chartLeft + float64(i)*chartPlotW/float64(len(d.Chart)-1)
			y := chartTop + chartPlotH - float64(p.Counts.of(sev))/top*chartPlotH
			fmt.Fprintf(&b, "%.1f,%.1f ", x, y)
		}
		out = append(out, ChartSeries{Severity: string(sev), Points: strings.TrimSpace(b.String()), Last: d.Chart[len(d.Chart)-1].Counts.of(sev)})
	}
	return out
}

func (f FindingCounts) of(s risk.Severity) int {
	switch s {
	case risk.High:
		return f.High
	case risk.Medium:
		return f.Medium
	case risk.Low:
		return f.Low
	}
	return f.Info
}

// DeltaBadge is "+1 high" or "−2 medium", one per severity that moved.
type DeltaBadge struct {
	Severity string
	Text     string
	Worse    bool
}

// Badges lists what a revision did to the open findings.
func (r HistoryRow) Badges() []DeltaBadge {
	var out []DeltaBadge
	for _, sev := range risk.Severities {
		n := r.Delta.of(sev)
		switch {
		case n > 0:
			out = append(out, DeltaBadge{string(sev), fmt.Sprintf("+%d %s", n, sev), true})
		case n < 0:
			out = append(out, DeltaBadge{string(sev), fmt.Sprintf("−%d %s", -n, sev), false})
		}
	}
	return out
}

// HasNewer and HasOlder say whether the history has pages either side.
func (d *HistoryData) HasNewer() bool { return d.Offset > 0 }

// HasOlder reports whether older revisions follow this page.
func (d *HistoryData) HasOlder() bool { return d.Offset+d.PageSize < d.Total }

// PageURL is the address of the history page at offset.
func (d *HistoryData) PageURL(offset int) string {
	if offset <= 0 {
		return WorkspaceURL(d.Slug, "history")
	}
	return fmt.Sprintf("%s?offset=%d", WorkspaceURL(d.Slug, "history"), offset)
}

// CompareURL compares revision from with to (0: the current one).
func CompareURL(slug string, from, to int64, view string) string {
	u := fmt.Sprintf("%s?from=%d", WorkspaceURL(slug, "compare"), from)
	if to > 0 {
		u += fmt.Sprintf("&to=%d", to)
	}
	if view != "" && view != "services" {
		u += "&view=" + view
	}
	return u
}

// CompareData is the Compare page.
type CompareData struct {
	Slug     string
	From, To int64
	Current  int64
	View     string
	Report   *diff.Report
}

// FragmentURL is where the page loads its diagram.
func (d *CompareData) FragmentURL() string {
	u := fmt.Sprintf("%s?from=%d&to=%d", WorkspaceURL(d.Slug, "compare", "fragment"), d.From, d.To)
	if d.View != "" && d.View != "services" {
		u += "&view=" + d.View
	}
	return u
}

// ChangeRow is one model change as the page lists it.
type ChangeRow struct {
	How, Subject, Fields string
}

// Changes lists the model changes: added, removed, then changed.
func (d *CompareData) Changes() []ChangeRow {
	var out []ChangeRow
	for _, c := range d.Report.Model.Added {
		out = append(out, ChangeRow{"added", c.Subject, ""})
	}
	for _, c := range d.Report.Model.Removed {
		out = append(out, ChangeRow{"removed", c.Subject, ""})
	}
	for _, c := range d.Report.Model.Changed {
		out = append(out, ChangeRow{"changed", c.Subject, diff.FormatFields(c.Fields)})
	}
	return out
}

// marksJSON is the compare fragment's data island: element id → mark, in
// id order so the page is the same for the same diagram.
func marksJSON(marks map[string]string) string {
	ids := make([]string, 0, len(marks))
	for id := range marks {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	pairs := make([][2]string, len(ids))
	for i, id := range ids {
		pairs[i] = [2]string{id, marks[id]}
	}
	return jsonAttr(pairs)
}
