package server

import (
	"context"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/diagram"
	"github.com/archmap/archmap/diff"
	"github.com/archmap/archmap/risk"
	"github.com/archmap/archmap/store"
	"github.com/archmap/archmap/topology"
	"github.com/archmap/archmap/views"
)

// Bounds of the History tab: a page of revisions, and the revisions the
// chart of open findings covers (the newest ones).
const (
	historyPageSize       = 20
	historyChartRevisions = 100
)

// handleHistoryShow is the History tab: the revisions newest first, with
// what each did to the findings, and a chart of open findings over time.
func (s *Server) handleHistoryShow(c echo.Context) error {
	ctx := c.Request().Context()
	slug := c.Param("slug")
	ws, err := s.db.GetWorkspace(ctx, slug)
	if err != nil {
		return err
	}
	offset := 0
	if v := c.QueryParam("offset"); v != "" {
		if offset, err = strconv.Atoi(v); err != nil || offset < 0 {
			return topology.Errorf(topology.EINVALID, "offset: want a whole number of at least 0, got %s", strconv.Quote(v))
		}
	}
	// One more than the page, for the change the oldest row made.
	page, total, err := s.db.ListRevisions(ctx, slug, offset, historyPageSize+1)
	if err != nil {
		return err
	}
	chart, _, err := s.db.ListRevisions(ctx, slug, 0, historyChartRevisions)
	if err != nil {
		return err
	}
	if err := s.countFindings(ctx, slug, page, chart); err != nil {
		return err
	}
	d := &views.HistoryData{Slug: slug, Revision: ws.Revision, Offset: offset, PageSize: historyPageSize, Total: total}
	for i, r := range page {
		if i == historyPageSize {
			break
		}
		row := views.HistoryRow{Revision: r.Revision, CreatedAt: r.CreatedAt, Author: r.Author, Summary: r.Summary, Counts: countsView(r.Findings)}
		if i+1 < len(page) && page[i+1].Findings != nil && r.Findings != nil {
			row.Delta = deltaOf(*page[i+1].Findings, *r.Findings)
			row.HasPrevious = true
		}
		d.Rows = append(d.Rows, row)
	}
	for i := len(chart) - 1; i >= 0; i-- {
		d.Chart = append(d.Chart, views.ChartPoint{Revision: chart[i].Revision, Counts: countsView(chart[i].Findings)})
	}
	p := s.workspacePage(c, ws, "history")
	p.Title = "History · " + ws.Name
	return render(c, http.StatusOK, views.Layout(p, views.HistoryPage(p, d)))
}

// countFindings fills in the finding counts of the revisions that lack
// them, rebuilding their models in one walk and filing the counts, so each
// old revision is analysed once in its life.
func (s *Server) countFindings(ctx context.Context, slug string, lists ...[]store.Revision) error {
	missing := map[int64]bool{}
	var newest, oldest int64
	for _, list := range lists {
		for _, r := range list {
			if r.Findings != nil {
				continue
			}
			missing[r.Revision] = true
			if newest == 0 || r.Revision > newest {
				newest = r.Revision
			}
			if oldest == 0 || r.Revision < oldest {
				oldest = r.Revision
			}
		}
	}
	if len(missing) == 0 {
		return nil
	}
	counted := map[int64]store.FindingCounts{}
	release, err := s.heavy.enter(ctx)
	if err != nil {
		return err
	}
	err = s.db.WalkRevisions(ctx, slug, newest, oldest, func(rev int64, m *topology.Model) error {
		if missing[rev] {
			sum := risk.Analyze(m).Summary
			counted[rev] = store.FindingCounts{High: sum.High, Medium: sum.Medium, Low: sum.Low, Info: sum.Info}
		}
		return nil
	})
	release()
	if err != nil {
		return err
	}
	if err := s.db.SetRevisionFindings(ctx, slug, counted); err != nil {
		return err
	}
	for _, list := range lists {
		for i := range list {
			if c, ok := counted[list[i].Revision]; ok {
				list[i].Findings = &c
			}
		}
	}
	return nil
}

func countsView(c *store.FindingCounts) views.FindingCounts {
	if c == nil {
		return views.FindingCounts{}
	}
	return views.FindingCounts{High: c.High, Medium: c.Medium, Low: c.Low, Info: c.Info}
}

// deltaOf is what a revision did to the open findings, by severity.
func deltaOf(before, after store.FindingCounts) views.FindingCounts {
	return views.FindingCounts{High: after.High - before.High, Medium: after.Medium - before.Medium, Low: after.Low - before.Low, Info: after.Info - before.Info}
}

// handleRevisionRestore restores a revision from the History tab, with the
// editor's conflict rule: the page's revision must still be current.
func (s *Server) handleRevisionRestore(c echo.Context) error {
	rev, err := revisionParam(c.Param("rev"))
	if err != nil {
		return err
	}
	expected, err := formRevision(c)
	if err != nil {
		return err
	}
	slug := c.Param("slug")
	if _, err := s.db.RestoreRevision(c.Request().Context(), slug, rev, expected); err != nil {
		return err
	}
	return redirect(c, views.WorkspaceURL(slug, "history")+"?restored="+strconv.FormatInt(rev, 10))
}

// handleCompareShow compares two revisions (?from=&to=, to defaulting to
// the current one): the model changes, the findings new and resolved, and
// the diagram with the changes drawn on it.
func (s *Server) handleCompareShow(c echo.Context) error {
	ctx := c.Request().Context()
	slug := c.Param("slug")
	ws, from, to, opts, err := s.compareRequest(c)
	if err != nil {
		return err
	}
	oldModel, newModel, err := s.comparedModels(ctx, slug, from, to)
	if err != nil {
		return err
	}
	rep := diff.Compare(oldModel, newModel)
	d := &views.CompareData{Slug: slug, From: from, To: to, Current: ws.Revision, Report: rep, View: opts.View}
	p := s.workspacePage(c, ws, "history")
	p.Title = "Compare " + strconv.FormatInt(from, 10) + " → " + strconv.FormatInt(to, 10) + " · " + ws.Name
	return render(c, http.StatusOK, views.Layout(p, views.ComparePage(p, d)))
}

// compareRequest reads what the compare page and its diagram share: the
// workspace, ?from= and ?to= (the current revision when absent), and the
// diagram options.
func (s *Server) compareRequest(c echo.Context) (ws *store.Workspace, from, to int64, opts diagram.Options, err error) {
	if ws, err = s.db.GetWorkspace(c.Request().Context(), c.Param("slug")); err != nil {
		return nil, 0, 0, opts, err
	}
	if from, err = revisionParam(c.QueryParam("from")); err != nil {
		return nil, 0, 0, opts, err
	}
	to = ws.Revision
	if v := c.QueryParam("to"); v != "" {
		if to, err = revisionParam(v); err != nil {
			return nil, 0, 0, opts, err
		}
	}
	opts, err = diagram.ParseQuery(c.QueryParams())
	return ws, from, to, opts, err
}

// comparedModels rebuilds the models of revisions from and to in one walk
// of the history (store.WalkRevisions), not one rebuild each.
func (s *Server) comparedModels(ctx context.Context, slug string, from, to int64) (*topology.Model, *topology.Model, error) {
	var oldModel, newModel *topology.Model
	err := s.db.WalkRevisions(ctx, slug, max(from, to), min(from, to), func(rev int64, m *topology.Model) error {
		if rev == from {
			oldModel = m
		}
		if rev == to {
			newModel = m
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	for _, r := range []struct {
		rev int64
		m   *topology.Model
	}{{from, oldModel}, {to, newModel}} {
		if r.m == nil {
			return nil, nil, topology.Errorf(topology.ENOTFOUND, "workspace %s has no revision %d", strconv.Quote(slug), r.rev)
		}
	}
	return oldModel, newModel, nil
}

// handleCompareFragment draws the compared revisions as one diagram: the
// newer model with what the change removed put back, each part marked
// added, removed or changed for the page to colour. Risk outlines are left
// out: here colour means change. Revisions never change, so the fragment is
// kept like any diagram of a revision.
func (s *Server) handleCompareFragment(c echo.Context) error {
	ctx := c.Request().Context()
	slug := c.Param("slug")
	ws, from, to, opts, err := s.compareRequest(c)
	if err != nil {
		return err
	}
	opts.Focus = "" // the union's services are not the current model's
	key := compareKey(ws, from, to)
	if b, ok := s.responses.get(pageKey("compare", key, c)); ok {
		return writeCached(c, http.StatusOK, echo.MIMETextHTMLCharsetUTF8, b)
	}
	oldModel, newModel, err := s.comparedModels(ctx, slug, from, to)
	if err != nil {
		return err
	}
	union, marks := diff.Union(oldModel, newModel)
	if len(union.Services) == 0 {
		return render(c, http.StatusOK, views.DiagramEmpty(views.WorkspaceURL(slug)))
	}
	sn := &snapshot{key: key, workspace: ws, revision: to, model: union, report: &risk.Report{Model: union.Name, Findings: []risk.Finding{}}}
	d, svg, err := s.exporter(sn.key, opts).Draw(ctx, sn.model, sn.report.Findings, opts)
	if err != nil {
		if code := topology.ErrorCode(err); code == topology.ETIMEOUT || code == topology.EUNAVAILABLE {
			return render(c, statusOf(code), views.DiagramFailed(topology.ErrorMessage(err)))
		}
		return err
	}
	clean, err := diagram.SanitizeInline(svg)
	if err != nil {
		return err
	}
	// The page colours elements by id: each id of a marked part, with its mark.
	elementMarks := map[string]string{}
	for name, m := range marks.Services {
		for _, id := range d.Index.Services[name] {
			elementMarks[id] = m
		}
	}
	for name, m := range marks.Servers {
		if id, ok := d.Index.Servers[name]; ok {
			elementMarks[id] = m
		}
	}
	for k, m := range marks.Dependencies {
		for _, id := range d.Index.Dependencies[diagram.DependencyKey{From: k[0], To: k[1]}] {
			elementMarks[id] = m
		}
	}
	html, err := renderHTML(c, views.CompareFragment(clean, d.Note, opts.View, elementMarks))
	if err != nil {
		return err
	}
	b := s.responses.put(pageKey("compare", key, c), html)
	return writeCached(c, http.StatusOK, echo.MIMETextHTMLCharsetUTF8, b)
}
