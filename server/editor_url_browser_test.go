package server

import (
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/archmap/archmap/topology/topologytest"
)

// In Chromium: sorting and paging a section write its state into the URL;
// a reload shows the same rows, and Back the state before.
func TestBrowserSectionStateInTheURL(t *testing.T) {
	ts := newTestServer(t)
	b := newBrowser(t, ts.URL)
	slug := importModel(t, ts.db, "gen", topologytest.Generate(60))
	b.setUpFirstAdmin()
	b.run("open the model tab",
		b.navigate("/w/"+slug),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="editor"]`)),
	)
	first := func() string {
		return evalJS[string](b, "read the first service", `document.querySelector('[data-testid="service-name"]').textContent`)
	}
	page1 := first()
	b.run("sort services by name, twice: descending",
		chromedp.Click(chromedp.CSS(`#services-table [data-testid="sort-name"]`)),
	)
	b.waitJS("the URL says ascending", `location.search.includes("services.sort=name") && !location.search.includes("services.dir")`)
	b.run("and again", chromedp.Click(chromedp.CSS(`#services-table [data-testid="sort-name"]`)))
	b.waitJS("the URL says descending", `location.search.includes("services.dir=desc")`)
	b.run("next page", chromedp.Click(chromedp.CSS(`#services-table [data-testid="page-next"]`)))
	b.waitJS("the URL says page 2", `location.search.includes("services.page=2")`)
	b.waitJS("htmx is idle", `document.querySelectorAll(".htmx-request").length === 0`)
	sorted2 := first()
	if sorted2 == page1 {
		t.Fatalf("page 2 descending starts with %q, as page 1 did", sorted2)
	}

	b.run("reload", chromedp.Reload())
	b.waitJS("the editor is back", `document.querySelector('[data-testid="service-name"]')`)
	if got := first(); got != sorted2 {
		t.Errorf("after a reload the first service is %q, want %q", got, sorted2)
	}

	b.run("back", chromedp.NavigateBack())
	b.waitJS("the URL is page 1 again", `!location.search.includes("services.page") && location.search.includes("services.dir=desc")`)
	b.waitJS("page 1 is shown", `document.querySelector('[data-testid="services-pager"]').textContent.includes("page 1 of")`)
	b.checkConsole()
}
