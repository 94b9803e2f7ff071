package server

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/archmap/archmap/views"
)

// Every workspace tab has a title of its own.
func TestWorkspaceTabsHaveTheirOwnTitles(t *testing.T) {
	ts := newTestServer(t)
	c := ts.signedIn(t)
	slug := c.importShop(t, "Shop")
	seen := map[string]string{}
	for _, tab := range []string{"", "/diagram", "/history", "/import", "/shares", "/settings", "/findings"} {
		p := c.get("/w/" + slug + tab)
		p.wantStatus(t, http.StatusOK)
		title := strings.TrimSpace(p.doc.Find("title").Text())
		if !strings.Contains(title, "Shop") {
			t.Errorf("%s: title %q does not name the workspace", tab, title)
		}
		if other, dup := seen[title]; dup {
			t.Errorf("%s and %s share the title %q", other, tab, title)
		}
		seen[title] = tab
	}
}

// The calls-per-request input's min is what the form's handler takes: the
// smallest value the browser lets through is stored, and 0 (which the
// model refuses) cannot be typed past the browser nor through the form.
func TestCallsPerRequestMinAgreesWithTheServer(t *testing.T) {
	ts := newTestServer(t)
	c := ts.signedIn(t)
	slug := c.newWorkspace(t, "Shop")
	c.edit(t, slug, "/services", url.Values{"name": {"a"}}).wantStatus(t, http.StatusOK)
	c.edit(t, slug, "/services", url.Values{"name": {"b"}}).wantStatus(t, http.StatusOK)
	p, _ := c.editor(t, slug)
	min, _ := p.doc.Find(`#dependency-new-calls`).Attr("min")
	if min != views.MinCallsPerRequest || min == "0" {
		t.Fatalf("calls input min=%q, want %s", min, views.MinCallsPerRequest)
	}
	c.edit(t, slug, "/dependencies", url.Values{"from": {"a"}, "to": {"b"}, "calls_per_request": {min}}).wantStatus(t, http.StatusOK)
	for _, v := range []string{"0", "0.0000001"} {
		r := c.edit(t, slug, "/dependencies", url.Values{"from": {"b"}, "to": {"a"}, "calls_per_request": {v}})
		r.wantStatus(t, http.StatusUnprocessableEntity)
		if !strings.Contains(r.find(t, "field-error").Text(), min) {
			t.Errorf("calls %s: the message does not say the minimum %s", v, min)
		}
	}
}
