package server

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/archmap/archmap/topology/topologytest"
	"github.com/archmap/archmap/views"
)

// The model tab of a 1 000-service workspace stays small: sections show a
// page each and the matrix a bounded grid; an add answers with the row, not
// the editor.
func TestEditorStaysSmallAt1000Services(t *testing.T) {
	ts := newTestServer(t)
	c := ts.signedIn(t)
	slug := importModel(t, ts.db, "big", topologytest.Generate(1000))
	p, rev := c.editor(t, slug)
	if n := len(p.body); n > 150<<10 {
		t.Errorf("model tab of 1000 services is %d bytes, want ≤ 150 KiB", n)
	}
	if n := p.find(t, "service-row").Length(); n != views.PageSize {
		t.Errorf("%d service rows on the first page, want %d", n, views.PageSize)
	}
	cells := p.doc.Find(`[data-testid="matrix-cell"]`).Length()
	if cells == 0 || cells > views.MatrixRows*views.MatrixCols {
		t.Errorf("%d matrix cells, want 1..%d", cells, views.MatrixRows*views.MatrixCols)
	}
	add := c.htmx("/w/"+slug+"/services", url.Values{"name": {"one-more"}, "revision": {rev}})
	add.wantStatus(t, http.StatusOK)
	if n := len(add.body); n > 10<<10 {
		t.Errorf("an add answers with %d bytes, want ≤ 10 KiB", n)
	}
}

// Each section searches, sorts and pages on the server.
func TestEditorSectionSearchSortPage(t *testing.T) {
	ts := newTestServer(t)
	c := ts.signedIn(t)
	slug := importModel(t, ts.db, "gen", topologytest.Generate(60))
	names := func(p *page, testid string) []string {
		var out []string
		p.doc.Find(`[data-testid="` + testid + `"]`).Each(func(_ int, s *goquery.Selection) {
			out = append(out, strings.TrimSpace(s.Find("td").First().Text()))
		})
		return out
	}

	all := c.get("/w/" + slug + "/model/services")
	all.wantStatus(t, http.StatusOK)
	first := names(all, "service-row")
	if len(first) != views.PageSize {
		t.Fatalf("%d rows on page 1", len(first))
	}
	second := names(c.get("/w/"+slug+"/model/services?page=2"), "service-row")
	if len(second) != views.PageSize || second[0] == first[0] {
		t.Errorf("page 2 is %v", second)
	}
	last := names(c.get("/w/"+slug+"/model/services?page=99"), "service-row")
	if len(last) != 60-2*views.PageSize {
		t.Errorf("a page past the end shows %d rows, want the last page's %d", len(last), 60-2*views.PageSize)
	}

	desc := names(c.get("/w/"+slug+"/model/services?sort=-name"), "service-row")
	asc := names(c.get("/w/"+slug+"/model/services?sort=name"), "service-row")
	for i := 1; i < len(desc); i++ {
		if strings.ToLower(desc[i-1]) < strings.ToLower(desc[i]) {
			t.Fatalf("sort=-name is not descending: %v", desc)
		}
		if strings.ToLower(asc[i-1]) > strings.ToLower(asc[i]) {
			t.Fatalf("sort=name is not ascending: %v", asc)
		}
	}

	q := first[3]
	found := c.get("/w/" + slug + "/model/services?q=" + url.QueryEscape(strings.ToUpper(q)))
	hits := names(found, "service-row")
	if len(hits) == 0 || len(hits) >= views.PageSize {
		t.Errorf("search %q finds %v", q, hits)
	}
	for _, h := range hits {
		if !strings.Contains(strings.ToLower(found.doc.Find(`[data-testid="service-row"]`).Text()), strings.ToLower(q)) {
			t.Errorf("search %q shows %q", q, h)
		}
	}
	// The search box keeps what was searched, and the answer carries the
	// page's revision.
	if v, _ := found.find(t, "services-search").Attr("value"); v != strings.ToUpper(q) {
		t.Errorf("search box holds %q", v)
	}
	found.find(t, "revision")

	// The matrix shows one zone's servers at a time, or those a search finds.
	m := c.get("/w/" + slug + "/model/matrix?zone=zone-b")
	m.wantStatus(t, http.StatusOK)
	m.doc.Find(".matrix-zone").Each(func(_ int, s *goquery.Selection) {
		if s.Text() != "zone-b" {
			t.Errorf("zone-b's matrix shows a server of %s", s.Text())
		}
	})
	ms := c.get("/w/" + slug + "/model/matrix?q=srv-00003")
	if got := strings.TrimSpace(ms.doc.Find(".matrix-server").Text()); got != "srv-00003" {
		t.Errorf("matrix search shows servers %q", got)
	}
	c.get("/w/"+slug+"/model/nosuch").wantStatus(t, http.StatusNotFound)
}

// BenchmarkEditorModelTab measures the model tab's first response as a
// browser gets it (gzip accepted): time, HTML bytes and bytes on the wire;
// BenchmarkEditorAddService one add through the editor:
//
//	go test ./server -run '^$' -bench 'BenchmarkEditor' -benchtime 20x
func BenchmarkEditorModelTab(b *testing.B) {
	for _, n := range []int{50, 100, 300, 1000} {
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			ts := newTestServer(b)
			c := ts.signedIn(b)
			slug := importModel(b, ts.db, "bench", topologytest.Generate(n))
			var size, wire int
			for b.Loop() {
				resp, w, body := c.rawGet(b, "/w/"+slug)
				if resp.StatusCode != http.StatusOK {
					b.Fatalf("status %d", resp.StatusCode)
				}
				size, wire = len(body), w
			}
			b.ReportMetric(float64(size), "html-bytes")
			b.ReportMetric(float64(wire), "wire-bytes")
		})
	}
}

func BenchmarkEditorAddService(b *testing.B) {
	for _, n := range []int{50, 100, 300, 1000} {
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			ts := newTestServer(b)
			c := ts.signedIn(b)
			slug := importModel(b, ts.db, "bench", topologytest.Generate(n))
			_, rev := c.editor(b, slug)
			i, size := 0, 0
			for b.Loop() {
				i++
				p := c.htmx("/w/"+slug+"/services", url.Values{"name": {fmt.Sprintf("bench-%d", i)}, "revision": {rev}})
				if p.StatusCode != http.StatusOK {
					b.Fatalf("status %d: %.300s", p.StatusCode, p.body)
				}
				rev, _ = p.doc.Find("#ws-revision").Attr("value")
				size = len(p.body)
			}
			b.ReportMetric(float64(size), "bytes/answer")
		})
	}
}
