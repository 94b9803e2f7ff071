package server

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// One form adds a service, places it (making a new server on the way) and
// adds its calls: one revision; the answer carries the new rows of every
// section and stays small; rows may come with gaps and empty ones.
func TestServiceAddWithPlacementsAndCalls(t *testing.T) {
	ts := newTestServer(t)
	c := ts.signedIn(t)
	slug := c.importShop(t, "Shop")
	_, before, _ := ts.db.LoadModel(t.Context(), slug)

	r := c.edit(t, slug, "/services", url.Values{
		"name": {"search"}, "kind": {"service"}, "team": {"find"}, "new_servers": {"1"}, "new_server_kind": {"container-host"},
		"runs_on[0].server": {"search-1"}, "runs_on[0].instances": {"2"},
		"runs_on[3].server": {"search-2"}, // a gap left by a removed row
		"runs_on[4].server": {""},         // an empty row
		"calls[0].to":       {"db"}, "calls[0].protocol": {"sql"}, "calls[0].mode": {"sync"}, "calls[0].calls_per_request": {"3"},
		"calls[1].to": {"web"}, "calls[1].mode": {"async"},
	})
	r.wantStatus(t, http.StatusOK)
	m, ws, err := ts.db.LoadModel(t.Context(), slug)
	if err != nil {
		t.Fatal(err)
	}
	if ws.Revision != before.Revision+1 {
		t.Errorf("revision %d → %d: want one change", before.Revision, ws.Revision)
	}
	for _, srv := range m.Servers {
		if strings.HasPrefix(srv.Name, "search-") && srv.Kind != "container-host" {
			t.Errorf("new server %s is a %s, want the kind asked for", srv.Name, srv.Kind)
		}
	}
	placed := map[string]int{}
	for _, p := range m.Placements {
		if p.Service == "search" {
			placed[p.Server] = p.Instances
		}
	}
	if placed["search-1"] != 2 || placed["search-2"] != 1 || len(placed) != 2 {
		t.Errorf("placements of search: %v", placed)
	}
	calls := map[string]string{}
	for _, d := range m.Dependencies {
		if d.From == "search" {
			calls[d.To] = string(d.Protocol) + "/" + string(d.Mode)
		}
	}
	if calls["db"] != "sql/sync" || calls["web"] != "http/async" || len(calls) != 2 {
		t.Errorf("calls of search: %v", calls)
	}
	notice := r.find(t, "form-notice").Text()
	for _, w := range []string{"search", "search-1", "×2", "(new)", "db", "web"} {
		if !strings.Contains(notice, w) {
			t.Errorf("notice %q lacks %q", notice, w)
		}
	}
	if n := r.doc.Find(`[data-testid="placement-row"]`).Length(); n != 2 {
		t.Errorf("%d placement rows in the answer, want the 2 new", n)
	}
	if n := r.doc.Find(`[data-testid="dependency-row"]`).Length(); n != 2 {
		t.Errorf("%d dependency rows in the answer, want the 2 new", n)
	}
	for _, ev := range []string{"editor-matrix", "editor-servers"} {
		if !strings.Contains(r.Header.Get("HX-Trigger"), ev) {
			t.Errorf("HX-Trigger %q lacks %s", r.Header.Get("HX-Trigger"), ev)
		}
	}
	// An add only adds: those sections may wait until they are seen.
	var trig map[string]map[string]bool
	if err := json.Unmarshal([]byte(r.Header.Get("HX-Trigger")), &trig); err != nil || !trig["editor-matrix"]["lazy"] || !trig["editor-servers"]["lazy"] {
		t.Errorf("HX-Trigger %q: want the matrix and servers marked lazy (%v)", r.Header.Get("HX-Trigger"), err)
	}
	// The new names are appended to the typed-ahead lists in the answer.
	if got := r.doc.Find(`[hx-swap-oob="beforeend:#service-names"] option`).AttrOr("value", ""); got != "search" {
		t.Errorf("service names appended: %q", got)
	}
	if n := r.doc.Find(`[hx-swap-oob="beforeend:#server-names"] option`).Length(); n != 2 {
		t.Errorf("%d server names appended, want the 2 new", n)
	}
	// The fresh form keeps "add new servers" ticked, and has one empty row
	// in each list.
	if _, ok := r.doc.Find(`[data-testid="new-servers"]`).Attr("checked"); !ok {
		t.Errorf("the fresh form forgot “add new servers”")
	}
	if n := r.doc.Find(`#service-add .link-rows [data-testid="runs-on-server"]`).Length(); n != 1 {
		t.Errorf("the fresh form has %d runs-on rows, want 1", n)
	}
}

// A refused add names each field, keeps what was typed (renumbered rows
// included) and changes nothing.
func TestServiceAddRefusedNamesTheFields(t *testing.T) {
	ts := newTestServer(t)
	c := ts.signedIn(t)
	slug := c.importShop(t, "Shop")
	before, _, _ := ts.db.LoadModel(t.Context(), slug)

	r := c.edit(t, slug, "/services", url.Values{
		"name":              {"web"},
		"runs_on[2].server": {"nowhere"},
		"calls[0].to":       {"db"},
		"calls[5].to":       {"x"},
		"calls[6].to":       {"db"}, "calls[6].calls_per_request": {"0"},
	})
	r.wantStatus(t, http.StatusUnprocessableEntity)
	after, _, _ := ts.db.LoadModel(t.Context(), slug)
	if len(after.Services) != len(before.Services) || len(after.Servers) != len(before.Servers) || len(after.Dependencies) != len(before.Dependencies) {
		t.Fatalf("a refused add changed the model")
	}
	// "0" is refused by the form before the store is asked.
	if got := r.doc.Find(`#service-new-calls-2-calls`).Parent().Find(`[data-testid="field-error"]`).Text(); !strings.Contains(got, "at least") {
		t.Errorf("calls[2].calls_per_request: %q", got)
	}

	r = c.edit(t, slug, "/services", url.Values{
		"name":              {"web"},
		"runs_on[2].server": {"nowhere"},
		"calls[0].to":       {"db"},
		"calls[5].to":       {"x"},
	})
	r.wantStatus(t, http.StatusUnprocessableEntity)
	want := map[string]string{
		"#service-new-name":             "already exists",
		"#service-new-runs-on-0-server": `No server "nowhere"`,
		"#service-new-calls-1-to":       `No service "x"`,
	}
	for sel, w := range want {
		got := r.doc.Find(sel).Parent().Find(`[data-testid="field-error"]`).Text()
		if !strings.Contains(got, w) {
			t.Errorf("%s: message %q, want %q", sel, got, w)
		}
	}
	if v, _ := r.doc.Find(`#service-new-calls-1-to`).Attr("value"); v != "x" {
		t.Errorf("the second call row holds %q, want the typed x", v)
	}
	after, _, _ = ts.db.LoadModel(t.Context(), slug)
	if len(after.Services) != len(before.Services) {
		t.Fatalf("a refused add changed the model")
	}
}

// Posting more rows than a form holds is refused with a message on the
// list, whatever indices are made up, and nothing is stored.
func TestServiceAddTooManyRows(t *testing.T) {
	ts := newTestServer(t)
	c := ts.signedIn(t)
	slug := c.importShop(t, "Shop")
	form := url.Values{"name": {"greedy"}}
	for i := range 500 {
		form.Set("calls["+itoa(int64(i*37))+"].to", "db")
	}
	form.Set("calls[99999999999999999999].to", "db") // not a number we take
	r := c.edit(t, slug, "/services", form)
	r.wantStatus(t, http.StatusUnprocessableEntity)
	if got := r.doc.Find(`[data-list="calls"] > [data-testid="field-error"]`).Text(); !strings.Contains(got, "At most 50 calls") {
		t.Errorf("the calls list says %q", got)
	}
	if n := r.doc.Find(`[data-testid="calls-to"]`).Length(); n > 60 {
		t.Errorf("the form came back with %d call rows", n)
	}
	if m, _, _ := ts.db.LoadModel(t.Context(), slug); len(m.Services) != 2 {
		t.Errorf("stored %d services", len(m.Services))
	}
}
