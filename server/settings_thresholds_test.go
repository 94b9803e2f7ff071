package server

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/archmap/archmap/topology"
)

// chattyModel has one sync call made 3 times per request across servers:
// not chatty at the default threshold (5), chatty at 3 or less.
func chattyModel() *topology.Model {
	return &topology.Model{
		Version: 1, Name: "Chatty",
		Services: []topology.Service{{Name: "web"}, {Name: "api"}},
		Servers:  []topology.Server{{Name: "a"}, {Name: "b"}},
		Placements: []topology.Placement{
			{Service: "web", Server: "a", Instances: 2}, {Service: "api", Server: "b", Instances: 2},
		},
		Dependencies: []topology.Dependency{{From: "web", To: "api", CallsPerRequest: 3}},
	}
}

// TestThresholdsInSettings is issue 16's must-show: editing
// chatty_calls_per_request in Settings changes the findings; a bad value
// is refused next to its field and changes nothing.
func TestThresholdsInSettings(t *testing.T) {
	ts := newTestServer(t)
	c := ts.signedIn(t)
	slug := c.newWorkspace(t, "Chatty")
	if _, _, err := ts.db.ImportModel(t.Context(), slug, chattyModel()); err != nil {
		t.Fatal(err)
	}
	// What the findings tab shows.
	chatty := func() bool {
		p := c.get("/w/" + slug + "/findings")
		p.wantStatus(t, http.StatusOK)
		return p.doc.Find(`[data-testid="finding-row"][data-rule="chatty-cross-network"]`).Length() > 0
	}
	if chatty() {
		t.Fatal("chatty at the default threshold of 5")
	}

	s := c.get("/w/" + slug + "/settings")
	s.wantStatus(t, http.StatusOK)
	if v, _ := s.doc.Find(`#th-chatty`).Attr("value"); v != "5" {
		t.Errorf("the form shows chatty_calls_per_request %q, want 5", v)
	}
	if !strings.Contains(s.find(t, "thresholds").Text(), "crosses the network this many times") {
		t.Error("the threshold's meaning is not explained")
	}
	rev, _ := s.doc.Find(`[data-testid="thresholds-form"] input[name="revision"]`).Attr("value")

	bad := c.post("/w/"+slug+"/settings/thresholds", url.Values{"chatty_calls_per_request": {"0"}, "max_sync_chain": {"x"}, "blast_radius": {"3"}, "revision": {rev}})
	bad.wantStatus(t, http.StatusUnprocessableEntity)
	if msg := bad.doc.Find(`#th-chain-error`).Text(); !strings.Contains(msg, "whole number") {
		t.Errorf("max_sync_chain error %q", msg)
	}
	bad = c.post("/w/"+slug+"/settings/thresholds", url.Values{"chatty_calls_per_request": {"-1"}, "max_sync_chain": {"5"}, "blast_radius": {"0"}, "revision": {rev}})
	bad.wantStatus(t, http.StatusUnprocessableEntity)
	if msg := bad.doc.Find(`#th-chatty-error`).Text(); !strings.Contains(msg, "greater than 0") {
		t.Errorf("chatty error %q", msg)
	}
	if msg := bad.doc.Find(`#th-blast-error`).Text(); !strings.Contains(msg, "at least 1") {
		t.Errorf("blast_radius error %q", msg)
	}
	if _, set, _ := ts.db.GetSettings(t.Context(), slug); set != topology.DefaultSettings() {
		t.Errorf("a refused form changed the settings: %+v", set)
	}

	c.post("/w/"+slug+"/settings/thresholds", url.Values{"chatty_calls_per_request": {"2.5"}, "max_sync_chain": {"5"}, "blast_radius": {"3"}, "revision": {rev}}).
		wantRedirect(t, "/w/"+slug+"/settings?thresholds=saved#thresholds-title")
	if !chatty() {
		t.Error("chatty_calls_per_request 2.5 did not flag the call made 3 times per request")
	}
	saved := c.get("/w/" + slug + "/settings?thresholds=saved")
	if v, _ := saved.doc.Find(`#th-chatty`).Attr("value"); v != "2.5" {
		t.Errorf("after saving the form shows %q", v)
	}
	saved.find(t, "thresholds-saved")
	// The export carries it.
	if exp := c.get("/w/" + slug + "/model.yaml"); !strings.Contains(string(exp.body), "chatty_calls_per_request: 2.5") {
		t.Errorf("export:\n%s", exp.body)
	}
	// The same (now stale) form again is a conflict, not a lost update.
	c.post("/w/"+slug+"/settings/thresholds", url.Values{"chatty_calls_per_request": {"9"}, "max_sync_chain": {"5"}, "blast_radius": {"3"}, "revision": {rev}}).wantStatus(t, http.StatusUnprocessableEntity)
}
