package server

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// importShop fills a workspace with shopYAML through the import form.
func (c *client) importShop(tb testing.TB, name string) string {
	tb.Helper()
	slug := c.newWorkspace(tb, name)
	c.upload(tb, slug, map[string]string{"format": "model"}, map[string]string{"shop.yaml": shopYAML}).wantStatus(tb, http.StatusOK)
	return slug
}

func TestDiagramPage(t *testing.T) {
	ts := newTestServer(t)
	c := ts.signedIn(t)
	slug := c.importShop(t, "Shop")

	p := c.get("/w/" + slug + "/diagram?view=deployment&focus=web&depth=2&group=team")
	p.wantStatus(t, http.StatusOK)
	if got, _ := p.find(t, "view-deployment").Attr("aria-current"); got != "page" {
		t.Errorf("deployment tab not current")
	}
	frag, _ := p.doc.Find("#diagram-content").Attr("hx-get")
	if frag != "/w/"+slug+"/diagram/fragment?depth=2&focus=web&group=team&view=deployment" {
		t.Errorf("fragment URL %q", frag)
	}
	if href, _ := p.find(t, "download-svg").Attr("href"); !strings.HasPrefix(href, "/w/"+slug+"/diagram.svg?") {
		t.Errorf("SVG download %q", href)
	}
	if n := p.find(t, "finding").Length(); n == 0 {
		t.Error("risk panel lists no findings for a model with a single point of failure")
	}
	if n := p.find(t, "fail-server").Length(); n != 1 {
		t.Errorf("%d servers to fail, want 1", n)
	}

	for _, q := range []string{"view=sideways", "depth=0", "depth=x", "group=zone"} {
		c.get("/w/"+slug+"/diagram?"+q).wantStatus(t, http.StatusBadRequest)
	}
	c.get("/w/"+slug+"/diagram?focus=nope").wantStatus(t, http.StatusNotFound)
}

func TestServicePanel(t *testing.T) {
	ts := newTestServer(t)
	c := ts.signedIn(t)
	slug := c.importShop(t, "Shop")
	p := c.get("/w/" + slug + "/diagram/panel?service=db")
	p.wantStatus(t, http.StatusOK)
	if got := p.find(t, "panel-service-name").Text(); got != "db" {
		t.Errorf("panel for %q", got)
	}
	if got := strings.TrimSpace(p.find(t, "panel-upstream").Find("button").Text()); got != "web" {
		t.Errorf("upstream %q", got)
	}
	c.get("/w/"+slug+"/diagram/panel?service=nope").wantStatus(t, http.StatusNotFound)
}

func TestSimulate(t *testing.T) {
	ts := newTestServer(t)
	c := ts.signedIn(t)
	slug := c.importShop(t, "Shop")
	c.get("/w/" + slug + "/diagram")

	p := c.htmx("/w/"+slug+"/simulate", url.Values{"fail": {"server:node-a"}})
	p.wantStatus(t, http.StatusOK)
	if got := strings.TrimSpace(p.find(t, "sim-down").Text()); got != "web" {
		t.Errorf("down: %q", got)
	}
	var marks struct{ Down, Degraded, Servers []string }
	if err := json.Unmarshal([]byte(p.doc.Find("#sim-data").Text()), &marks); err != nil {
		t.Fatal(err)
	}
	if len(marks.Down) != 1 || marks.Down[0] != "web" || len(marks.Servers) != 1 || marks.Servers[0] != "node-a" {
		t.Errorf("marks %+v", marks)
	}

	c.htmx("/w/"+slug+"/simulate", url.Values{"fail": {"server:nope"}}).wantStatus(t, http.StatusBadRequest)
	none := c.htmx("/w/"+slug+"/simulate", nil)
	none.wantStatus(t, http.StatusOK)
}
