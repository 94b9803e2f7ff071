package server

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/archmap/archmap/topology"
)

// newWorkspace creates a workspace through the home page form and returns
// its slug.
func (c *client) newWorkspace(tb testing.TB, name string) string {
	tb.Helper()
	c.get("/")
	p := c.post("/w", url.Values{"name": {name}})
	p.wantStatus(tb, http.StatusSeeOther)
	loc := p.Header.Get("Location")
	slug, ok := strings.CutPrefix(loc, "/w/")
	if !ok {
		tb.Fatalf("created workspace redirects to %q", loc)
	}
	return slug
}

// editor loads the model tab and returns it with its current revision.
func (c *client) editor(tb testing.TB, slug string) (*page, string) {
	tb.Helper()
	p := c.get("/w/" + slug)
	p.wantStatus(tb, http.StatusOK)
	rev, _ := p.find(tb, "revision").Attr("value")
	return p, rev
}

// edit sends an htmx write with the page's revision, as the editor's forms do.
func (c *client) edit(tb testing.TB, slug, path string, form url.Values) *page {
	tb.Helper()
	_, rev := c.editor(tb, slug)
	form = cloneValues(form)
	form.Set("revision", rev)
	return c.htmx("/w/"+slug+path, form)
}

func TestHomeListsWorkspacesAndCreatesThem(t *testing.T) {
	ts := newTestServer(t)
	c := ts.signedIn(t)
	c.get("/").find(t, "workspaces-empty")

	// A name the store refuses comes back with the message by its field.
	c.get("/")
	bad := c.post("/w", url.Values{"name": {""}, "description": {"kept"}})
	bad.wantStatus(t, http.StatusUnprocessableEntity)
	bad.find(t, "field-error")
	if got := bad.doc.Find(`#ws-description`).Text(); got != "kept" {
		t.Errorf("description field holds %q after the error", got)
	}

	slug := c.newWorkspace(t, `Shop <script>alert(1)</script>`)
	home := c.get("/")
	cards := home.find(t, "workspace-card")
	if cards.Length() != 1 {
		t.Fatalf("%d cards, want 1", cards.Length())
	}
	if strings.Contains(home.body, "<script>alert(1)") {
		t.Error("workspace name reached the page unescaped")
	}
	if got := strings.TrimSpace(cards.Find(".card-title").Text()); got != `Shop <script>alert(1)</script>` {
		t.Errorf("card shows %q", got)
	}
	if href, _ := cards.Find(".card-title").Attr("href"); href != "/w/"+slug {
		t.Errorf("card links to %q", href)
	}
}

func TestEditorBuildsAModel(t *testing.T) {
	ts := newTestServer(t)
	c := ts.signedIn(t)
	slug := c.newWorkspace(t, "Shop")
	p, _ := c.editor(t, slug)
	p.find(t, "services-empty")
	p.find(t, "placements-empty")

	steps := []struct {
		path string
		form url.Values
	}{
		{"/services", url.Values{"name": {"web"}, "kind": {"frontend"}, "team": {"shop"}}},
		{"/services", url.Values{"name": {"db"}, "kind": {"database"}}},
		{"/servers", url.Values{"name": {"node-a"}, "kind": {"vm"}, "zone": {"z1"}}},
		{"/placements", url.Values{"service": {"web"}, "server": {"node-a"}, "instances": {"2"}}},
		{"/dependencies", url.Values{"from": {"web"}, "to": {"db"}, "protocol": {"sql"}, "mode": {"sync"}, "calls_per_request": {"3"}}},
	}
	for _, st := range steps {
		r := c.edit(t, slug, st.path, st.form)
		r.wantStatus(t, http.StatusOK)
		// Each answer is small: what changed, plus the new revision
		// out of band — never the whole editor.
		if r.doc.Find(`[data-testid="editor"]`).Length() != 0 {
			t.Errorf("%s answered with the whole editor", st.path)
		}
		if v, _ := r.find(t, "revision").Attr("hx-swap-oob"); v != "true" {
			t.Errorf("%s: the revision is not swapped out of band", st.path)
		}
	}
	m, ws, err := ts.db.LoadModel(t.Context(), slug)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Services) != 2 || len(m.Servers) != 1 || len(m.Placements) != 1 || len(m.Dependencies) != 1 {
		t.Fatalf("stored model: %+v", m)
	}
	if m.Placements[0].Instances != 2 || m.Dependencies[0].CallsPerRequest != 3 || m.Dependencies[0].Protocol != topology.ProtocolSQL {
		t.Errorf("stored values: %+v %+v", m.Placements[0], m.Dependencies[0])
	}
	if ws.Revision != 6 {
		t.Errorf("revision %d after 5 writes on revision 1", ws.Revision)
	}

	page, _ := c.editor(t, slug)
	if n := page.find(t, "service-row").Length(); n != 2 {
		t.Errorf("%d service rows", n)
	}
	cell := page.doc.Find(`.matrix input[aria-label="Instances of web on node-a"]`)
	if v, _ := cell.Attr("value"); v != "2" {
		t.Errorf("matrix cell web×node-a = %q, want 2", v)
	}
}

func TestEditorValidationKeepsValuesAndChangesNothing(t *testing.T) {
	ts := newTestServer(t)
	c := ts.signedIn(t)
	slug := c.newWorkspace(t, "Shop")
	c.edit(t, slug, "/services", url.Values{"name": {"web"}}).wantStatus(t, http.StatusOK)
	c.edit(t, slug, "/services", url.Values{"name": {"db"}}).wantStatus(t, http.StatusOK)
	c.edit(t, slug, "/servers", url.Values{"name": {"node-a"}}).wantStatus(t, http.StatusOK)

	tests := []struct {
		name      string
		path      string
		form      url.Values
		target    string
		wantField string // the input whose field shows the message
		wantKept  map[string]string
	}{
		{"duplicate service", "/services", url.Values{"name": {"web"}, "team": {"core"}}, "#service-add", "service-new-name", map[string]string{"service-new-team": "core"}},
		{"empty service name", "/services", url.Values{"name": {""}, "tech": {"go"}}, "#service-add", "service-new-name", map[string]string{"service-new-tech": "go"}},
		{"bad kind", "/servers", url.Values{"name": {"n2"}, "kind": {"mainframe"}, "zone": {"z9"}}, "#server-add", "server-new-kind", map[string]string{"server-new-zone": "z9"}},
		{"zero instances", "/placements", url.Values{"service": {"web"}, "server": {"node-a"}, "instances": {"0"}}, "#placement-add", "placement-new-instances", nil},
		{"calls not a number", "/dependencies", url.Values{"from": {"web"}, "to": {"db"}, "calls_per_request": {"lots"}, "description": {"reads"}}, "#dependency-add", "dependency-new-calls", map[string]string{"dependency-new-description": "reads"}},
		{"negative calls", "/dependencies", url.Values{"from": {"web"}, "to": {"db"}, "calls_per_request": {"-1"}}, "#dependency-add", "dependency-new-calls", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, before, _ := ts.db.LoadModel(t.Context(), slug)
			p := c.edit(t, slug, tt.path, tt.form)
			p.wantStatus(t, http.StatusUnprocessableEntity)
			if got := p.Header.Get("HX-Retarget"); got != tt.target {
				t.Errorf("retarget %q, want %q", got, tt.target)
			}
			field := p.doc.Find("#" + tt.wantField).Closest(".field")
			if field.Find(`[data-testid="field-error"]`).Length() == 0 {
				t.Errorf("no message next to #%s in:\n%s", tt.wantField, p.body)
			}
			for id, want := range tt.wantKept {
				if got, _ := p.doc.Find("#" + id).Attr("value"); got != want {
					t.Errorf("#%s holds %q, want the typed %q", id, got, want)
				}
			}
			_, after, _ := ts.db.LoadModel(t.Context(), slug)
			if after.Revision != before.Revision {
				t.Errorf("revision moved from %d to %d on a refused write", before.Revision, after.Revision)
			}
		})
	}
}

func TestStaleRevisionIsAConflictNotALostUpdate(t *testing.T) {
	ts := newTestServer(t)
	alice := ts.signedIn(t)
	slug := alice.newWorkspace(t, "Shop")
	_, rev := alice.editor(t, slug) // Alice loads the page...

	// ...Bob (same account, another browser) adds a service meanwhile.
	bob := ts.newClient(t)
	bob.get("/login")
	bob.post("/login", url.Values{"email": {testEmail}, "password": {testPassword}}).wantRedirect(t, "/")
	bob.edit(t, slug, "/services", url.Values{"name": {"from-bob"}}).wantStatus(t, http.StatusOK)

	// Alice's add, sent with the revision her page showed, is refused: her
	// form comes back in place, where she is looking, with her typed values
	// and a one-click reload of the section.
	p := alice.htmx("/w/"+slug+"/services", url.Values{"name": {"from-alice"}, "team": {"a"}, "revision": {rev}})
	p.wantStatus(t, http.StatusConflict)
	if got := p.Header.Get("HX-Retarget"); got != "#service-add" {
		t.Errorf("conflict retargets %q, want the form", got)
	}
	if !strings.Contains(p.find(t, "form-errors").Text(), "Someone else changed") {
		t.Errorf("no conflict message: %s", p.body)
	}
	if got, _ := p.doc.Find("#service-new-name").Attr("value"); got != "from-alice" {
		t.Errorf("typed name not kept: %q", got)
	}
	// The reload asks the section's table to fetch itself from its own
	// URL (static/editor.js), which keeps its search, sort and page.
	section, _ := p.find(t, "reload-section").Attr("data-reload")
	if section != "services" {
		t.Errorf("the reload is of %q, want the services section", section)
	}
	sec := alice.get("/w/" + slug + "/model/" + section)
	sec.wantStatus(t, http.StatusOK)
	if sec.find(t, "service-row").Length() != 1 {
		t.Error("the reloaded section does not show Bob's service")
	}
	if got, _ := sec.find(t, "revision").Attr("value"); got == rev {
		t.Errorf("the reload leaves the page at the stale revision %s", rev)
	}
	m, _, _ := ts.db.LoadModel(t.Context(), slug)
	if len(m.Services) != 1 || m.Services[0].Name != "from-bob" {
		t.Errorf("stored services: %+v", m.Services)
	}

	// A delete with a stale revision is refused too, in the row itself.
	id := strings.TrimPrefix(sec.doc.Find(`[data-testid="service-row"]`).AttrOr("id", ""), "service-")
	d := alice.htmx("/w/"+slug+"/services/"+id+"/delete", url.Values{"revision": {rev}})
	d.wantStatus(t, http.StatusConflict)
	if got, _ := d.find(t, "conflict-row").Attr("id"); got != "service-"+id {
		t.Errorf("conflict row id %q, want the row's", got)
	}
	d.find(t, "reload-section")
}

func TestEditRowAndCancel(t *testing.T) {
	ts := newTestServer(t)
	c := ts.signedIn(t)
	slug := c.newWorkspace(t, "Shop")
	p := c.edit(t, slug, "/services", url.Values{"name": {"web"}})
	id := strings.TrimPrefix(p.find(t, "service-row").AttrOr("id", ""), "service-")

	row := c.get("/w/" + slug + "/services/" + id + "/edit")
	row.wantStatus(t, http.StatusOK)
	if v, _ := row.doc.Find(`input[name="name"]`).Attr("value"); v != "web" {
		t.Errorf("edit row holds %q", v)
	}
	c.get("/w/"+slug+"/services/"+id).find(t, "service-row")

	r := c.edit(t, slug, "/services/"+id, url.Values{"name": {"web-2"}, "kind": {"service"}})
	r.wantStatus(t, http.StatusOK)
	if got := r.find(t, "service-name").Text(); got != "web-2" {
		t.Errorf("renamed row shows %q", got)
	}
	d := c.edit(t, slug, "/services/"+id+"/delete", nil)
	d.wantStatus(t, http.StatusOK)
	if d.body != "" && d.doc.Find(`[data-testid="service-row"]`).Length() != 0 {
		t.Error("the delete answers with a row")
	}
	if !strings.Contains(d.Header.Get("HX-Trigger"), "editor-services") {
		t.Errorf("the delete does not refresh its section: HX-Trigger %q", d.Header.Get("HX-Trigger"))
	}
	if !strings.Contains(d.find(t, "section-status").Text(), "Deleted") {
		t.Error("no word that the service was deleted")
	}
	p2, _ := c.editor(t, slug)
	p2.find(t, "services-empty")

	c.get("/w/"+slug+"/services/999999/edit").wantStatus(t, http.StatusNotFound)
	c.get("/w/nope").wantStatus(t, http.StatusNotFound)
}

func TestPlacementMatrix(t *testing.T) {
	ts := newTestServer(t)
	c := ts.signedIn(t)
	slug := c.newWorkspace(t, "Shop")
	c.edit(t, slug, "/services", url.Values{"name": {"web"}})
	c.edit(t, slug, "/servers", url.Values{"name": {"a"}})
	r, _ := ts.db.LoadRecords(t.Context(), slug)
	cell := "/placements/matrix/" + itoa(r.Services[0].ID) + "/" + itoa(r.Servers[0].ID)

	tests := []struct {
		name  string
		value string
		want  int // instances stored; 0 = no placement
	}{
		{"place", "3", 3},
		{"change", "1", 1},
		{"same again", "1", 1},
		{"zero removes", "0", 0},
		{"empty on nothing", "", 0},
		{"place again", "2", 2},
		{"empty removes", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c.edit(t, slug, cell, url.Values{"instances": {tt.value}}).wantStatus(t, http.StatusOK)
			m, _, _ := ts.db.LoadModel(t.Context(), slug)
			got := 0
			if len(m.Placements) > 0 {
				got = m.Placements[0].Instances
			}
			if got != tt.want {
				t.Errorf("instances %d, want %d", got, tt.want)
			}
		})
	}
	// A refused value stays in its cell, marked, with the message.
	bad := c.edit(t, slug, cell, url.Values{"instances": {"-4"}})
	bad.wantStatus(t, http.StatusUnprocessableEntity)
	// (A lone <td> is dropped by an HTML parser outside a table: read the text.)
	if !strings.Contains(bad.body, `class="cell cell-invalid"`) || !strings.Contains(bad.body, `value="-4"`) || !strings.Contains(bad.body, `aria-invalid="true"`) {
		t.Errorf("refused cell is not marked or lost the typed -4:\n%s", bad.body)
	}
	bad.find(t, "cell-error")

	// A stale revision in the matrix says so without revision numbers.
	stale := c.htmx("/w/"+slug+cell, url.Values{"instances": {"5"}, "revision": {"1"}})
	stale.wantStatus(t, http.StatusConflict)
	msg := stale.find(t, "cell-error").Text()
	if !strings.Contains(msg, "someone else") || strings.ContainsAny(msg, "0123456789") {
		t.Errorf("matrix conflict message %q", msg)
	}
}

func TestWorkspaceRenameAndDelete(t *testing.T) {
	ts := newTestServer(t)
	c := ts.signedIn(t)
	slug := c.newWorkspace(t, "Shop")
	s := c.get("/w/" + slug + "/settings")
	s.wantStatus(t, http.StatusOK)
	rev, _ := s.doc.Find(`input[name="revision"]`).Attr("value")

	c.post("/w/"+slug+"/settings", url.Values{"name": {"Shop 2"}, "description": {"d"}, "revision": {rev}}).wantRedirect(t, "/w/"+slug+"/settings?saved=1")
	if ws, _ := ts.db.GetWorkspace(t.Context(), slug); ws.Name != "Shop 2" {
		t.Errorf("name %q after rename", ws.Name)
	}
	// The same form again carries a stale revision.
	stale := c.post("/w/"+slug+"/settings", url.Values{"name": {"Shop 3"}, "revision": {rev}})
	stale.wantStatus(t, http.StatusUnprocessableEntity)
	if !strings.Contains(stale.find(t, "form-errors").Text(), "Someone else changed") {
		t.Errorf("no conflict message")
	}

	wrong := c.post("/w/"+slug+"/delete", url.Values{"confirm": {"shop-x"}})
	wrong.wantStatus(t, http.StatusUnprocessableEntity)
	if _, err := ts.db.GetWorkspace(t.Context(), slug); err != nil {
		t.Fatal("deleted without confirmation")
	}
	c.post("/w/"+slug+"/delete", url.Values{"confirm": {slug}}).wantRedirect(t, "/?deleted=1")
	c.get("/w/"+slug).wantStatus(t, http.StatusNotFound)
	// The home page says the delete was done, in a fixed text.
	if !strings.Contains(c.get("/?deleted=1").find(t, "page-notice").Text(), "deleted") {
		t.Error("no word that the workspace was deleted")
	}
	if c.get("/?deleted=<b>x</b>").doc.Find(`[data-testid="page-notice"]`).Length() != 0 {
		t.Error("the home page shows a notice made from the URL")
	}
}
