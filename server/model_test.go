package server

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/archmap/archmap/topology"
)

const shopYAML = `version: 1
name: Imported shop
services:
  - name: web
    kind: frontend
  - name: db
    kind: database
servers:
  - name: node-a
placements:
  - service: web
    server: node-a
dependencies:
  - from: web
    to: db
    protocol: sql
`

// upload posts the import form as multipart, as the browser does without
// JavaScript.
func (c *client) upload(tb testing.TB, slug string, fields map[string]string, files map[string]string) *page {
	tb.Helper()
	return c.uploadAs(tb, slug, fields, files, false)
}

// uploadHTMX posts the import form as htmx does (multipart, HX-Request).
func (c *client) uploadHTMX(tb testing.TB, slug string, fields map[string]string, files map[string]string) *page {
	tb.Helper()
	return c.uploadAs(tb, slug, fields, files, true)
}

func (c *client) uploadAs(tb testing.TB, slug string, fields map[string]string, files map[string]string, htmx bool) *page {
	tb.Helper()
	p := c.get("/w/" + slug + "/import")
	rev, _ := p.doc.Find(`input[name="revision"]`).Attr("value")
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	// Writes to a bytes.Buffer cannot fail; the form is checked by the server.
	_ = w.WriteField("_csrf", c.csrf)
	_ = w.WriteField("revision", rev)
	for k, v := range fields {
		_ = w.WriteField(k, v)
	}
	for name, data := range files {
		fw, _ := w.CreateFormFile("files", name)
		_, _ = fw.Write([]byte(data))
	}
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, c.ts.URL+"/w/"+slug+"/import", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	if htmx {
		req.Header.Set("HX-Request", "true")
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	return c.do(req)
}

func TestImportAndExport(t *testing.T) {
	ts := newTestServer(t)
	c := ts.signedIn(t)
	slug := c.newWorkspace(t, "Shop")

	tests := []struct {
		name       string
		fields     map[string]string
		files      map[string]string
		wantStatus int
		wantText   string // in the problems list
	}{
		{"nothing given", map[string]string{"format": "model"}, nil, http.StatusBadRequest, "Choose a file"},
		{"invalid model names its line", map[string]string{"format": "model", "text": "version: 1\nname: x\nservices:\n  - name: a\n  - name: a\n"}, nil, http.StatusUnprocessableEntity, "line 5"},
		{"unknown field", map[string]string{"format": "model", "text": "version: 1\nname: x\ncolour: red\n"}, nil, http.StatusUnprocessableEntity, "colour"},
		{"both file and text", map[string]string{"text": shopYAML}, map[string]string{"m.yaml": shopYAML}, http.StatusBadRequest, "not both"},
		{"too large", map[string]string{"format": "model"}, map[string]string{"big.yaml": strings.Repeat("#", topology.MaxInputSize+1)}, http.StatusRequestEntityTooLarge, "larger than 5 MiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := c.upload(t, slug, tt.fields, tt.files)
			p.wantStatus(t, tt.wantStatus)
			if got := p.find(t, "import-problems").Text(); !strings.Contains(got, tt.wantText) {
				t.Errorf("problems %q do not mention %q", got, tt.wantText)
			}
			if text := tt.fields["text"]; text != "" && tt.wantStatus == http.StatusUnprocessableEntity {
				if got := p.find(t, "import-text").Text(); got != text {
					t.Errorf("pasted text not kept: %q", got)
				}
			}
			if m, _, _ := ts.db.LoadModel(t.Context(), slug); len(m.Services) != 0 {
				t.Errorf("a failed import stored %d services", len(m.Services))
			}
		})
	}

	ok := c.upload(t, slug, map[string]string{"format": "model"}, map[string]string{"shop.yaml": shopYAML})
	ok.wantStatus(t, http.StatusOK)
	ok.find(t, "import-report")

	y := c.get("/w/" + slug + "/model.yaml")
	y.wantStatus(t, http.StatusOK)
	if cd := y.Header.Get("Content-Disposition"); !strings.Contains(cd, "attachment") || !strings.Contains(cd, slug+".yaml") {
		t.Errorf("Content-Disposition %q", cd)
	}
	m, err := topology.Parse([]byte(y.body))
	if err != nil {
		t.Fatalf("exported YAML does not parse: %v\n%s", err, y.body)
	}
	if m.Name != "Shop" || len(m.Services) != 2 || len(m.Dependencies) != 1 {
		t.Errorf("exported model %+v", m)
	}
	j := c.get("/w/" + slug + "/model.json")
	j.wantStatus(t, http.StatusOK)
	if _, err := topology.Parse([]byte(j.body)); err != nil || !strings.HasPrefix(j.Header.Get("Content-Type"), "application/json") {
		t.Errorf("JSON export: %v, %s", err, j.Header.Get("Content-Type"))
	}
}

func TestImportCompose(t *testing.T) {
	ts := newTestServer(t)
	c := ts.signedIn(t)
	slug := c.newWorkspace(t, "Compose shop")
	compose := `services:
  web:
    image: nginx
    environment:
      API_URL: http://api:8080
  api:
    image: example/api
`
	p := c.upload(t, slug, map[string]string{"format": "compose"}, map[string]string{"compose.yaml": compose})
	p.wantStatus(t, http.StatusOK)
	p.find(t, "import-report")
	m, ws, _ := ts.db.LoadModel(t.Context(), slug)
	if len(m.Services) != 2 {
		t.Errorf("services %+v", m.Services)
	}
	if ws.Name != "Compose shop" {
		t.Errorf("import renamed the workspace to %q", ws.Name)
	}
}
