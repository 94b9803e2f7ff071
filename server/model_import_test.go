package server

import (
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/archmap/archmap/internal/realdata"
)

// realFile reads a real-world deployment file of testdata/realdata.
func realFile(tb testing.TB, rel string) string {
	tb.Helper()
	data, err := os.ReadFile(realdata.Path(tb, rel))
	if err != nil {
		tb.Fatal(err)
	}
	return string(data)
}

func TestImportDetectsTheFormat(t *testing.T) {
	ts := newTestServer(t)
	c := ts.signedIn(t)
	slug := c.newWorkspace(t, "Boutique")
	manifests := realFile(t, "online-boutique/kubernetes-manifests.yaml")

	// The default is automatic.
	form := c.get("/w/" + slug + "/import")
	if v, _ := form.doc.Find(`input[name="format"]:checked`).Attr("value"); v != "auto" {
		t.Errorf("the format checked by default is %q, want auto", v)
	}

	// Chosen wrongly: the message speaks of Kubernetes, not of a model
	// file's "one document".
	wrong := c.upload(t, slug, map[string]string{"format": "model"}, map[string]string{"kubernetes-manifests.yaml": manifests})
	wrong.wantStatus(t, http.StatusUnprocessableEntity)
	msg := wrong.find(t, "import-problems").Text()
	for _, want := range []string{"Kubernetes manifests", "kind ", "kubernetes-manifests.yaml:", "Automatic"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the mismatch message %q does not say %q", msg, want)
		}
	}
	if strings.Contains(msg, "one document") {
		t.Errorf("the mismatch is explained as a model file's: %q", msg)
	}
	wrong.find(t, "import-choose-again") // a full page cannot keep the file

	// Automatic imports it as Kubernetes, and says so.
	ok := c.upload(t, slug, map[string]string{"format": "auto"}, map[string]string{"kubernetes-manifests.yaml": manifests})
	ok.wantStatus(t, http.StatusOK)
	ok.find(t, "import-report")
	if got := ok.find(t, "import-detected").Text(); !strings.Contains(got, "Detected") || !strings.Contains(got, "Kubernetes manifests") {
		t.Errorf("detected = %q", got)
	}
	m, ws, err := ts.db.LoadModel(t.Context(), slug)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Services) < 11 || ws.Name != "Boutique" {
		t.Errorf("imported %d services into %q", len(m.Services), ws.Name)
	}

	// Compose and model files are told apart too, a model's services being
	// a list and compose's a mapping.
	for _, tt := range []struct{ file, text, want string }{
		{"compose.yaml", "services:\n  web:\n    image: nginx\n", "Docker Compose"},
		{"shop.yaml", shopYAML, "archmap model"},
	} {
		p := c.upload(t, slug, nil, map[string]string{tt.file: tt.text})
		p.wantStatus(t, http.StatusOK)
		if got := p.find(t, "import-detected").Text(); !strings.Contains(got, tt.want) {
			t.Errorf("%s detected as %q, want %q", tt.file, got, tt.want)
		}
	}

	// Nothing recognisable: said in terms of the three formats.
	bad := c.upload(t, slug, nil, map[string]string{"x.yaml": "just: a\nmapping: here\n"})
	bad.wantStatus(t, http.StatusUnprocessableEntity)
	if got := bad.find(t, "import-problems").Text(); !strings.Contains(got, "could not be detected") {
		t.Errorf("problems = %q", got)
	}
}

func TestImportKeepsTheWorkspaceName(t *testing.T) {
	ts := newTestServer(t)
	c := ts.signedIn(t)
	c.newWorkspace(t, "Demo shop")
	slug := c.newWorkspace(t, "Shop copy")
	demo := strings.Replace(shopYAML, "name: Imported shop", "name: Demo shop", 1)

	c.upload(t, slug, nil, map[string]string{"shop.yaml": demo}).wantStatus(t, http.StatusOK)
	if ws, _ := ts.db.GetWorkspace(t.Context(), slug); ws.Name != "Shop copy" {
		t.Errorf("the import renamed the workspace to %q", ws.Name)
	}

	// Asked to take the file's name, which another workspace has: refused,
	// with what to do.
	p := c.upload(t, slug, map[string]string{"take_name": "1"}, map[string]string{"shop.yaml": demo})
	p.wantStatus(t, http.StatusConflict)
	got := p.find(t, "import-problems").Text()
	if !strings.Contains(got, `"Demo shop" already exists`) || !strings.Contains(got, "Untick") {
		t.Errorf("problems = %q", got)
	}
	if ws, _ := ts.db.GetWorkspace(t.Context(), slug); ws.Name != "Shop copy" {
		t.Errorf("a refused import renamed the workspace to %q", ws.Name)
	}

	// A free name is taken when asked.
	c.upload(t, slug, map[string]string{"take_name": "1"}, map[string]string{"shop.yaml": shopYAML}).wantStatus(t, http.StatusOK)
	if ws, _ := ts.db.GetWorkspace(t.Context(), slug); ws.Name != "Imported shop" {
		t.Errorf("take the name: workspace named %q", ws.Name)
	}
	// Compose and Kubernetes keep the name too (their own default would be
	// the project or namespace).
	c.upload(t, slug, nil, map[string]string{"compose.yaml": "name: proj\nservices:\n  web:\n    image: nginx\n"}).wantStatus(t, http.StatusOK)
	if ws, _ := ts.db.GetWorkspace(t.Context(), slug); ws.Name != "Imported shop" {
		t.Errorf("a compose import renamed the workspace to %q", ws.Name)
	}
}

// Through htmx only the result region comes back, with the new revision,
// so the form's file input keeps the chosen files.
func TestImportHTMXAnswersTheResultRegion(t *testing.T) {
	ts := newTestServer(t)
	c := ts.signedIn(t)
	slug := c.newWorkspace(t, "Shop")

	bad := c.uploadHTMX(t, slug, map[string]string{"format": "compose"}, map[string]string{"shop.yaml": shopYAML})
	bad.wantStatus(t, http.StatusUnprocessableEntity)
	if bad.doc.Find(`#import-result`).Length() != 1 || bad.doc.Find(`input[type="file"]`).Length() != 0 || bad.doc.Find("nav").Length() != 0 {
		t.Errorf("an htmx import error is not the result region alone:\n%s", bad.body)
	}
	bad.find(t, "import-files-kept")
	if got := bad.find(t, "import-problems").Text(); !strings.Contains(got, "archmap model") {
		t.Errorf("problems = %q", got)
	}

	ok := c.uploadHTMX(t, slug, map[string]string{"take_name": "1"}, map[string]string{"shop.yaml": shopYAML})
	ok.wantStatus(t, http.StatusOK)
	ok.find(t, "import-report")
	// The heading outside the region follows the new name.
	if oob := ok.doc.Find(`[hx-swap-oob="innerHTML:.ws-title"]`); oob.Text() != "Imported shop" {
		t.Errorf("out-of-band heading %q", oob.Text())
	}
	ws, _ := ts.db.GetWorkspace(t.Context(), slug)
	if rev, _ := ok.doc.Find(`#import-result input[name="revision"]`).Attr("value"); rev != itoa(ws.Revision) {
		t.Errorf("the region carries revision %q, the workspace is at %d", rev, ws.Revision)
	}
}

// A compose import that fails shows what the importer found before: here
// the include it could not follow explains the unknown service.
func TestImportFailureShowsTheReport(t *testing.T) {
	ts := newTestServer(t)
	c := ts.signedIn(t)
	slug := c.newWorkspace(t, "Shop")
	compose := "include:\n  - db.yaml\nservices:\n  web:\n    image: nginx\n    depends_on: [db]\n"
	p := c.upload(t, slug, nil, map[string]string{"compose.yaml": compose})
	p.wantStatus(t, http.StatusBadRequest)
	if got := p.find(t, "import-failed-report").Text(); !strings.Contains(got, "include db.yaml is not among the given files") {
		t.Errorf("failed report = %q", got)
	}
}

// Workspace names are unique whatever their case: the home page's form and
// the settings form say so next to the name, and nothing is created.
func TestWorkspaceNamesUniqueInTheApp(t *testing.T) {
	ts := newTestServer(t)
	c := ts.signedIn(t)
	c.newWorkspace(t, "Shop")
	other := c.newWorkspace(t, "Other")

	c.get("/")
	dup := c.post("/w", url.Values{"name": {"sHOP"}, "description": {"kept"}})
	dup.wantStatus(t, http.StatusUnprocessableEntity)
	if got := dup.doc.Find(`#ws-description`).Text(); got != "kept" {
		t.Errorf("description %q after the refusal", got)
	}
	if got := dup.find(t, "field-error").Text(); !strings.Contains(got, `"Shop" already exists`) {
		t.Errorf("field error %q", got)
	}
	if list, _ := ts.db.ListWorkspaces(t.Context()); len(list) != 2 {
		t.Errorf("%d workspaces after a duplicate, want 2", len(list))
	}

	s := c.get("/w/" + other + "/settings")
	rev, _ := s.doc.Find(`input[name="revision"]`).Attr("value")
	ren := c.post("/w/"+other+"/settings", url.Values{"name": {"SHOP"}, "revision": {rev}})
	if ren.StatusCode < 400 {
		t.Fatalf("renaming onto another's name answered %d", ren.StatusCode)
	}
	if !strings.Contains(ren.body, "already exists") {
		t.Errorf("the rename refusal does not say why")
	}
}

// An htmx upload over the body bound gets its message in the page's flash
// region, not an error page in place of the page.
func TestImportTooLargeThroughHTMX(t *testing.T) {
	ts := newTestServer(t)
	c := ts.signedIn(t)
	slug := c.newWorkspace(t, "Shop")
	p := c.uploadHTMX(t, slug, nil, map[string]string{"big.yaml": strings.Repeat("#", 6<<20+1)})
	p.wantStatus(t, http.StatusRequestEntityTooLarge)
	if p.doc.Find("html body main").Length() != 0 || !strings.Contains(p.find(t, "flash").Text(), "too large") {
		t.Errorf("an oversized htmx upload answered:\n%.400s", p.body)
	}
	if p.Header.Get("HX-Retarget") != "#flash" {
		t.Errorf("HX-Retarget %q, want #flash", p.Header.Get("HX-Retarget"))
	}
}

// A plain form upload over the body bound is sent back to the import tab,
// which says so in place.
func TestImportTooLargeWithoutHTMX(t *testing.T) {
	ts := newTestServer(t)
	c := ts.signedIn(t)
	slug := c.newWorkspace(t, "Shop")
	p := c.upload(t, slug, nil, map[string]string{"big.yaml": strings.Repeat("#", 6<<20+1)})
	p.wantRedirect(t, "/w/"+slug+"/import?too_large=1")
	back := c.get("/w/" + slug + "/import?too_large=1")
	back.wantStatus(t, http.StatusOK)
	if got := back.find(t, "import-problems").Text(); !strings.Contains(got, "larger than 5 MiB") {
		t.Errorf("problems %q", got)
	}
	back.find(t, "import-form")
}
