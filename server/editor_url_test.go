package server

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/archmap/archmap/topology/topologytest"
	"github.com/archmap/archmap/views"
)

// sectionGet fetches a section as htmx does from the model tab at pageURL,
// triggered by the element with the given id ("" for none).
func (c *client) sectionGet(path, pageURL, trigger string) *page {
	c.tb.Helper()
	req, err := http.NewRequest(http.MethodGet, c.ts.URL+path, nil)
	if err != nil {
		c.tb.Fatal(err)
	}
	req.Header.Set("HX-Request", "true")
	req.Header.Set("HX-Current-URL", c.ts.URL+pageURL)
	if trigger != "" {
		req.Header.Set("HX-Trigger", trigger)
	}
	return c.do(req)
}

// The model tab's URL keeps each section's search, sort and page: the page
// opened with it shows them, and a section's fetch writes its new state
// into it (a new history entry for sort and page, the same one rewritten
// while a search is typed), keeping the other sections' state.
func TestEditorSectionStateInTheURL(t *testing.T) {
	ts := newTestServer(t)
	c := ts.signedIn(t)
	slug := importModel(t, ts.db, "gen", topologytest.Generate(60))
	firstName := func(p *page, testid string) string {
		return strings.TrimSpace(p.doc.Find(`[data-testid="` + testid + `"]`).First().Find("td").First().Text())
	}

	// Opened from a link: services sorted by name descending, page 2;
	// servers searched; the matrix in a zone.
	base := "/w/" + slug
	plain := c.get(base)
	link := c.get(base + "?services.sort=name&services.dir=desc&services.page=2&servers.q=srv-0001&matrix.zone=zone-b")
	link.wantStatus(t, http.StatusOK)
	desc := c.get(base + "/model/services?sort=name&dir=desc&page=2")
	if got, want := firstName(link, "service-row"), firstName(desc, "service-row"); got != want || got == firstName(plain, "service-row") {
		t.Errorf("the linked page's first service is %q, want %q (page 2 descending)", got, want)
	}
	if n := link.doc.Find(`[data-testid="server-row"]`).Length(); n == 0 || n >= views.PageSize {
		t.Errorf("%d servers under the search srv-0001", n)
	}
	link.doc.Find(`[data-testid="server-row"]`).Each(func(_ int, s *goquery.Selection) {
		if n := strings.TrimSpace(s.Find("td").First().Text()); !strings.Contains(n, "srv-0001") {
			t.Errorf("server %q shown under the search srv-0001", n)
		}
	})
	if v, _ := link.doc.Find(`[data-testid="servers-search"]`).Attr("value"); v != "srv-0001" {
		t.Errorf("the servers' search box holds %q", v)
	}
	if z := link.doc.Find(`[data-testid="matrix-zone"] option[selected]`).Text(); z != "zone-b" {
		t.Errorf("the matrix shows zone %q, want zone-b", z)
	}
	// The tables' own fetch URLs carry the state, so a refresh after an
	// edit keeps it.
	if u, _ := link.doc.Find(`#services-table`).Attr("hx-get"); !strings.Contains(u, "dir=desc") || !strings.Contains(u, "page=2") {
		t.Errorf("the services table refreshes from %q", u)
	}

	// Sorting servers pushes a new URL with the other sections kept.
	cur := base + "?services.page=2&matrix.zone=zone-b"
	r := c.sectionGet(base+"/model/servers?sort=zone&dir=desc", cur, "")
	r.wantStatus(t, http.StatusOK)
	pushed, err := url.Parse(r.Header.Get("HX-Push-Url"))
	if err != nil || pushed.Path != base {
		t.Fatalf("HX-Push-Url %q", r.Header.Get("HX-Push-Url"))
	}
	want := url.Values{"services.page": {"2"}, "matrix.zone": {"zone-b"}, "servers.sort": {"zone"}, "servers.dir": {"desc"}}
	if pushed.Query().Encode() != want.Encode() {
		t.Errorf("pushed %q, want ?%s", pushed.RawQuery, want.Encode())
	}
	// Paging is a new entry too.
	r = c.sectionGet(base+"/model/services?page=3", cur, "")
	if !strings.Contains(r.Header.Get("HX-Push-Url"), "services.page=3") {
		t.Errorf("paging: push %q, replace %q", r.Header.Get("HX-Push-Url"), r.Header.Get("HX-Replace-Url"))
	}
	// Typing a search rewrites the entry instead of adding one per pause.
	r = c.sectionGet(base+"/model/services?q=svc-01", cur, "")
	if r.Header.Get("HX-Push-Url") != "" || !strings.Contains(r.Header.Get("HX-Replace-Url"), "services.q=svc-01") ||
		strings.Contains(r.Header.Get("HX-Replace-Url"), "services.page") {
		t.Errorf("a search: push %q, replace %q", r.Header.Get("HX-Push-Url"), r.Header.Get("HX-Replace-Url"))
	}
	// A section fetching itself after an edit leaves the URL alone, and
	// so does a fetch from another page.
	r = c.sectionGet(base+"/model/services?page=2", cur, "services-table")
	if r.Header.Get("HX-Push-Url")+r.Header.Get("HX-Replace-Url") != "" {
		t.Errorf("a refresh after an edit changed the URL")
	}
	r = c.sectionGet(base+"/model/services?page=3", "/w/"+slug+"/diagram", "")
	if r.Header.Get("HX-Push-Url")+r.Header.Get("HX-Replace-Url") != "" {
		t.Errorf("a fetch from another page changed its URL")
	}

	// What a URL may hold is read, never refused: nonsense is dropped.
	odd := c.get(base + "?services.sort=" + url.QueryEscape("name&x=1") + "&services.page=-4&services.dir=sideways")
	odd.wantStatus(t, http.StatusOK)
	if got := odd.find(t, "service-row").Length(); got != views.PageSize {
		t.Errorf("%d rows for an odd URL", got)
	}
}
