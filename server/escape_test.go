package server

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// Names are any Unicode: the pages must show them as typed and never as markup.
func TestHostileNamesAreShownAsTyped(t *testing.T) {
	ts := newTestServer(t)
	c := ts.signedIn(t)
	slug := c.newWorkspace(t, "Hostile")
	names := []string{`<script>alert(1)</script>`, `a" -> b [label="x`, `'; DROP TABLE services; --`, `<img src=x onerror=alert(1)>`}
	for _, n := range names {
		c.edit(t, slug, "/services", url.Values{"name": {n}, "team": {n}, "description": {n}}).wantStatus(t, http.StatusOK)
	}
	c.edit(t, slug, "/servers", url.Values{"name": {names[0]}, "zone": {names[1]}}).wantStatus(t, http.StatusOK)
	c.edit(t, slug, "/dependencies", url.Values{"from": {names[0]}, "to": {names[1]}}).wantStatus(t, http.StatusOK)

	pages := []string{
		"/w/" + slug,
		"/w/" + slug + "/diagram",
		"/w/" + slug + "/diagram/panel?service=" + url.QueryEscape(names[0]),
	}
	for _, path := range pages {
		p := c.get(path)
		p.wantStatus(t, http.StatusOK)
		for _, bad := range []string{"<script>alert", "<img src=x"} {
			if strings.Contains(p.body, bad) {
				t.Errorf("%s: %q reached the page unescaped", path, bad)
			}
		}
		if n := p.doc.Find("script:not([src]):not([type='application/json']), img[onerror]").Length(); n > 0 {
			t.Errorf("%s: %d injected elements", path, n)
		}
	}
	p := c.get("/w/" + slug)
	var shown []string
	p.doc.Find(`[data-testid="service-name"]`).Each(func(_ int, s *goquery.Selection) { shown = append(shown, s.Text()) })
	if strings.Join(shown, "|") != strings.Join(names, "|") {
		t.Errorf("names shown %q, want %q", shown, names)
	}
}
