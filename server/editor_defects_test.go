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

// The placement form makes a missing server on the way when asked, and
// only then.
func TestPlacementAddCreatesItsServerWhenAsked(t *testing.T) {
	ts := newTestServer(t)
	c := ts.signedIn(t)
	slug := c.newWorkspace(t, "Shop")
	c.edit(t, slug, "/services", url.Values{"name": {"web"}}).wantStatus(t, http.StatusOK)
	_, afterWeb, _ := ts.db.LoadModel(t.Context(), slug)
	webRev := afterWeb.Revision

	no := c.edit(t, slug, "/placements", url.Values{"service": {"web"}, "server": {"node-new"}, "instances": {"2"}})
	no.wantStatus(t, http.StatusUnprocessableEntity)
	if m, _, _ := ts.db.LoadModel(t.Context(), slug); len(m.Servers) != 0 {
		t.Fatalf("a server was made without being asked: %+v", m.Servers)
	}

	yes := c.edit(t, slug, "/placements", url.Values{"service": {"web"}, "server": {"node-new"}, "instances": {"2"}, "create_server": {"1"}})
	yes.wantStatus(t, http.StatusOK)
	if !strings.Contains(yes.find(t, "form-notice").Text(), "node-new") {
		t.Errorf("the notice does not name the new server: %q", yes.find(t, "form-notice").Text())
	}
	if !strings.Contains(yes.Header.Get("HX-Trigger"), "editor-servers") || !strings.Contains(yes.Header.Get("HX-Trigger"), "editor-names") {
		t.Errorf("the servers section and name lists are not refreshed: %q", yes.Header.Get("HX-Trigger"))
	}
	m, ws, _ := ts.db.LoadModel(t.Context(), slug)
	if ws.Revision != webRev+1 {
		t.Errorf("the server and its placement took revisions %d → %d, want one", webRev, ws.Revision)
	}
	if len(m.Servers) != 1 || m.Servers[0].Name != "node-new" || len(m.Placements) != 1 || m.Placements[0].Instances != 2 {
		t.Fatalf("stored: %+v %+v", m.Servers, m.Placements)
	}
	if rev, _ := yes.find(t, "revision").Attr("value"); rev != itoa(ws.Revision) {
		t.Errorf("the page is told revision %s, stored %d", rev, ws.Revision)
	}

	// Asked again for a server that exists: just the placement (here a
	// duplicate, refused by the field), and no second server.
	again := c.edit(t, slug, "/placements", url.Values{"service": {"web"}, "server": {"node-new"}, "instances": {"1"}, "create_server": {"1"}})
	if again.StatusCode == http.StatusOK {
		t.Errorf("a second placement of web on node-new was accepted")
	}
	if m, _, _ := ts.db.LoadModel(t.Context(), slug); len(m.Servers) != 1 {
		t.Errorf("%d servers after asking again", len(m.Servers))
	}
}
