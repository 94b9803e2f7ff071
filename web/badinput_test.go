package main

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/archmap/archmap/store"
)

// The bad input catalogue: every kind of hostile or broken input a user, a
// script or an attacker can send, through each way in (the CLI, the JSON
// API, the browser forms). Each must be refused with a message that names
// the place, without a 5xx, and must change nothing.

// badModel is a model file that must be refused.
type badModel struct {
	name string
	data []byte
	json bool   // sent as application/json over the API
	want string // in the message, saying what is wrong and where
	line int    // the line the message must name; 0: none
	// tooLarge inputs are refused before they are parsed: 413 over HTTP.
	tooLarge bool
}

// located is how a message names the line of a problem over HTTP; the CLI
// writes FILE:LINE: as compilers do.
func (m badModel) located() string {
	if m.line == 0 {
		return ""
	}
	return "(line " + strconv.Itoa(m.line) + ")"
}

const goodPrefix = "version: 1\nname: Shop\n"

// aliasBomb is a "billion laughs": nine levels of ten aliases each, 10^9
// strings once expanded, in 1 KiB of YAML.
func aliasBomb() []byte {
	var b strings.Builder
	b.WriteString(goodPrefix + "x-anchors:\n  - &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n")
	for i := 1; i <= 8; i++ {
		b.WriteString("  - &a" + strconv.Itoa(i) + " [")
		for j := 0; j < 10; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString("*a" + strconv.Itoa(i-1))
		}
		b.WriteString("]\n")
	}
	b.WriteString("services: *a8\n")
	return []byte(b.String())
}

// aliasFanOut names one service of 100 fields 5 000 times through an
// alias: 20 KB of YAML that would decode into a million nodes. It must be
// refused once the nodes reached through aliases pass the parser's budget.
func aliasFanOut() []byte {
	var b strings.Builder
	b.WriteString(goodPrefix + "services: [&s {name: a")
	for i := range 100 {
		b.WriteString(", f" + strconv.Itoa(i) + ": 0")
	}
	b.WriteString("}" + strings.Repeat(", *s", 5_000) + "]\n")
	return []byte(b.String())
}

func badModels() []badModel {
	const deep = 100_000
	return []badModel{
		{name: "over the size limit", data: []byte(goodPrefix + "description: \"" + strings.Repeat("a", 5<<20) + "\"\n"), want: "larger than 5 MiB", tooLarge: true},
		{name: "malformed YAML", data: []byte(goodPrefix + "services:\n  - name: a\n   kind: [\n"), want: "invalid YAML", line: 3},
		{name: "malformed JSON", data: []byte(`{"version": 1, "name": "Shop", "services": [}`), json: true, want: "invalid character '}'"},
		{name: "YAML alias bomb", data: aliasBomb(), want: "services[0]: must be a mapping of fields, got a list"},
		{name: "YAML alias fan-out", data: aliasFanOut(), want: "too many nodes reached through YAML aliases", line: 3},
		{name: "100 000-deep YAML nesting", data: []byte(goodPrefix + "services: " + strings.Repeat("[", deep) + strings.Repeat("]", deep) + "\n"), want: "invalid YAML", line: 3},
		{name: "100 000-deep JSON nesting", data: []byte(`{"version": 1, "name": "Shop", "services": ` + strings.Repeat("[", deep) + strings.Repeat("]", deep) + "}"), json: true, want: "invalid JSON"},
		{name: "invalid UTF-8", data: []byte(goodPrefix + "services:\n  - name: \"caf\xe9\"\n"), want: "not valid UTF-8", line: 4},
		{name: "control character in a name", data: []byte(`{"version": 1, "name": "Shop", "services": [{"name": "a\u001b[2Jb"}]}`), json: true, want: "services[0].name: contains control character U+001B"},
		{name: "5 000-character name", data: []byte(goodPrefix + "services:\n  - name: " + strings.Repeat("n", 5000) + "\n"), want: "services[0].name: too long: 5000 characters", line: 4},
		{name: "unknown field", data: []byte(goodPrefix + "services:\n  - name: a\n    colour: red\n"), want: `services[0].colour: unknown field "colour"`, line: 5},
		{name: "dangling reference", data: []byte(goodPrefix + "services:\n  - name: a\ndependencies:\n  - from: a\n    to: nowhere\n"), want: `dependencies[0].to: unknown service "nowhere"`, line: 7},
		{name: "zero instances", data: []byte(goodPrefix + "services:\n  - name: a\nservers:\n  - name: s\nplacements:\n  - service: a\n    server: s\n    instances: 0\n"), want: "placements[0].instances", line: 10},
		{name: "noncharacter in a name", data: []byte(`{"version": 1, "name": "Shop", "services": [{"name": "pay\uffff"}]}`), json: true, want: "services[0].name: contains the Unicode noncharacter U+FFFF"},
		{name: "bidi override in a name", data: []byte(`{"version": 1, "name": "Shop", "servers": [{"name": "a\u202eb"}]}`), json: true, want: "servers[0].name: contains the invisible bidi control U+202E"},
		{name: "lookalike names", data: []byte(`{"version": 1, "name": "Shop", "services": [{"name": "payments"}, {"name": "pay\u200bments"}]}`), json: true, want: `services[1].name: looks the same as "payments"`},
		{name: "instances that overflow a sum", data: []byte(goodPrefix + "services:\n  - name: a\nservers:\n  - name: s\nplacements:\n  - service: a\n    server: s\n    instances: 9223372036854775807\n"), want: "placements[0].instances: must be a whole number from 1 to 1000000", line: 10},
		{name: "negative calls", data: []byte(goodPrefix + "services:\n  - name: a\n  - name: b\ndependencies:\n  - from: a\n    to: b\n    calls_per_request: -1\n"), want: "dependencies[0].calls_per_request", line: 9},
	}
}

// TestBadInputCLI imports and checks each bad model: exit status 2, a
// message naming the file and the place, and the workspace untouched.
func TestBadInputCLI(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "archmap.db")
	good := writeFile(t, dir, "good.yaml", []byte(goodPrefix+"services:\n  - name: a\n"))
	if r := runCLI(t, "", nil, "import", "--db", db, "--workspace", "shop", good); r.code != 0 {
		t.Fatalf("import of a good model: exit %d: %s", r.code, r.stderr)
	}
	before := runCLI(t, "", nil, "export", "--db", db, "--workspace", "shop").stdout
	revBefore := storedRevision(t, db, "shop")

	t.Run("cases", func(t *testing.T) {
		for _, tt := range badModels() {
			t.Run(tt.name, func(t *testing.T) {
				// Every case is refused, so they may run side by side.
				t.Parallel()
				path := writeFile(t, t.TempDir(), "bad.model", tt.data)
				checkLine, stdinLine := path, "<stdin>"
				if tt.line > 0 {
					checkLine += ":" + strconv.Itoa(tt.line) + ":"
					stdinLine += ":" + strconv.Itoa(tt.line) + ":"
				}
				for _, run := range []struct {
					args  []string
					stdin string
					place []string
				}{
					{[]string{"import", "--db", db, "--workspace", "shop", path}, "", []string{checkLine}},
					{[]string{"import", "--db", db, "--workspace", "shop", "-"}, string(tt.data), []string{stdinLine}},
					{[]string{"check", path}, "", []string{checkLine}},
				} {
					r := runCLI(t, run.stdin, nil, run.args...)
					if r.code != 2 || !strings.Contains(r.stderr, tt.want) {
						t.Errorf("%s: exit %d, stderr %.300q; want exit 2 and %q", strings.Join(run.args[:1], " "), r.code, r.stderr, tt.want)
					}
					for _, p := range run.place {
						if !strings.Contains(r.stderr, p) {
							t.Errorf("%s: stderr %.300q does not name the place %q", run.args[0], r.stderr, p)
						}
					}
				}
			})
		}
	})
	if after := runCLI(t, "", nil, "export", "--db", db, "--workspace", "shop").stdout; after != before {
		t.Errorf("a refused import changed the workspace:\n%s", after)
	}
	if after := storedRevision(t, db, "shop"); after != revBefore {
		t.Errorf("refused imports moved the revision from %d to %d", revBefore, after)
	}
}

// storedRevision reads a workspace's revision from the database file.
func storedRevision(tb testing.TB, db, slug string) int64 {
	tb.Helper()
	s, err := store.Open(context.Background(), db)
	if err != nil {
		tb.Fatal(err)
	}
	defer s.Close()
	ws, err := s.GetWorkspace(context.Background(), slug)
	if err != nil {
		tb.Fatal(err)
	}
	return ws.Revision
}

// inProcessServer runs `archmap serve` in this process on a free port with
// a new database (holding the demo workspace), and an account with an API
// token. It stops with the test.
type inProcessServer struct {
	url   string
	db    string
	email string
	api   *apiClient
}

const testPassword = "correct horse battery staple"

func startInProcess(tb testing.TB) *inProcessServer {
	tb.Helper()
	db := filepath.Join(tb.TempDir(), "archmap.db")
	ctx, cancel := context.WithCancel(context.Background())
	logs := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--db", db}, strings.NewReader(""), io.Discard, logs)
	}()
	u := waitForURL(tb, logs, done)
	tb.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			tb.Errorf("serve: %v", err)
		}
		// No request may have made the server fail inside.
		var errs []string
		for _, line := range strings.Split(logs.String(), "\n") {
			if strings.Contains(line, "level=ERROR") {
				errs = append(errs, line)
			}
		}
		if len(errs) > 0 {
			tb.Errorf("the server logged %d errors:\n%s", len(errs), tail(strings.Join(errs, "\n"), 3000))
		}
	})
	s := &inProcessServer{url: u, db: db, email: "admin@example.com"}
	s.api = newAPIClient(u, newAPIToken(tb, db, s.email), nil)
	return s
}

// apiBadCase is one request that must be refused.
type apiBadCase struct {
	name        string
	method      string
	path        string // under /api/v1/workspaces/demo-shop
	contentType string
	body        []byte
	status      int
	want        string // in the "error" text
	line        string // "(line N)" in the "error" text, or ""
}

// TestBadInputServer sends bad input to one running server, over the JSON
// API and through the browser's forms.
func TestBadInputServer(t *testing.T) {
	s := startInProcess(t)
	t.Run("api", func(t *testing.T) { testBadInputAPI(t, s) })
	t.Run("forms", func(t *testing.T) { testBadInputForms(t, s) })
}

// testBadInputAPI sends each bad model and each bad entity to the JSON API:
// the right 4xx, a JSON {"error"} that says what is wrong, and the model's
// revision (its ETag) unchanged.
func testBadInputAPI(t *testing.T, s *inProcessServer) {
	const ws = "/api/v1/workspaces/demo-shop"
	var cases []apiBadCase
	for _, m := range badModels() {
		ct, status := "application/yaml", http.StatusBadRequest
		if m.json {
			ct = "application/json"
		}
		if m.tooLarge {
			status = http.StatusRequestEntityTooLarge
		}
		cases = append(cases, apiBadCase{"model: " + m.name, http.MethodPut, "/model", ct, m.data, status, m.want, m.located()})
	}
	deep := strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000)
	cases = append(cases,
		apiBadCase{"model: over the body limit", http.MethodPut, "/model", "application/yaml", bytes.Repeat([]byte("a"), 7<<20), http.StatusRequestEntityTooLarge, "too large", ""},
		apiBadCase{"model: YAML sent as JSON", http.MethodPut, "/model", "application/json", []byte(goodPrefix), http.StatusBadRequest, "invalid JSON", ""},
		apiBadCase{"model: unsupported media type", http.MethodPut, "/model", "text/plain", []byte(goodPrefix), http.StatusUnsupportedMediaType, "application/json or application/yaml", ""},
		apiBadCase{"model: stale If-Match", http.MethodPut, "/model", "application/yaml", []byte(goodPrefix), http.StatusPreconditionFailed, "revision", ""},

		apiBadCase{"service: over the body limit", http.MethodPost, "/services", "application/json", []byte(`{"name": "` + strings.Repeat("a", 1<<20) + `"}`), http.StatusRequestEntityTooLarge, "larger than", ""},
		apiBadCase{"service: malformed JSON", http.MethodPost, "/services", "application/json", []byte(`{"name": `), http.StatusBadRequest, "JSON", ""},
		apiBadCase{"service: 100 000-deep nesting", http.MethodPost, "/services", "application/json", []byte(`{"name": ` + deep + `}`), http.StatusBadRequest, "JSON", ""},
		apiBadCase{"service: invalid UTF-8", http.MethodPost, "/services", "application/json", []byte("{\"name\": \"caf\xe9\"}"), http.StatusBadRequest, "UTF-8", ""},
		apiBadCase{"service: control character in the name", http.MethodPost, "/services", "application/json", []byte(`{"name": "a\u0000b"}`), http.StatusBadRequest, "control character U+0000", ""},
		apiBadCase{"service: 5 000-character name", http.MethodPost, "/services", "application/json", []byte(`{"name": "` + strings.Repeat("n", 5000) + `"}`), http.StatusBadRequest, "too long", ""},
		apiBadCase{"service: unknown field", http.MethodPost, "/services", "application/json", []byte(`{"name": "x", "colour": "red"}`), http.StatusBadRequest, `unknown field "colour"`, ""},
		apiBadCase{"service: wrong type", http.MethodPost, "/services", "application/json", []byte(`{"name": 12}`), http.StatusBadRequest, "name", ""},
		apiBadCase{"service: duplicate name", http.MethodPost, "/services", "application/json", []byte(`{"name": "web"}`), http.StatusConflict, "web", ""},
		apiBadCase{"service: YAML sent as JSON", http.MethodPost, "/services", "application/yaml", []byte("name: x\n"), http.StatusUnsupportedMediaType, "application/json", ""},
		apiBadCase{"placement: dangling reference", http.MethodPost, "/placements", "application/json", []byte(`{"service": "web", "server": "nowhere"}`), http.StatusBadRequest, "nowhere", ""},
		apiBadCase{"placement: zero instances", http.MethodPost, "/placements", "application/json", []byte(`{"service": "web", "server": "app-1", "instances": 0}`), http.StatusBadRequest, "instances", ""},
		apiBadCase{"placement: negative instances", http.MethodPost, "/placements", "application/json", []byte(`{"service": "web", "server": "app-1", "instances": -3}`), http.StatusBadRequest, "instances", ""},
		apiBadCase{"dependency: dangling reference", http.MethodPost, "/dependencies", "application/json", []byte(`{"from": "web", "to": "nowhere"}`), http.StatusBadRequest, "nowhere", ""},
		apiBadCase{"dependency: negative calls", http.MethodPost, "/dependencies", "application/json", []byte(`{"from": "web", "to": "search", "calls_per_request": -1}`), http.StatusBadRequest, "calls_per_request", ""},
		apiBadCase{"dependency: zero calls", http.MethodPost, "/dependencies", "application/json", []byte(`{"from": "web", "to": "search", "calls_per_request": 0}`), http.StatusBadRequest, "calls_per_request", ""},
		apiBadCase{"dependency: calls not a number", http.MethodPost, "/dependencies", "application/json", []byte(`{"from": "web", "to": "search", "calls_per_request": "lots"}`), http.StatusBadRequest, "calls_per_request", ""},
		apiBadCase{"simulate: unknown server", http.MethodPost, "/simulate", "application/json", []byte(`{"fail": ["server:nowhere"]}`), http.StatusBadRequest, "nowhere", ""},
		apiBadCase{"simulate: malformed item", http.MethodPost, "/simulate", "application/json", []byte(`{"fail": ["planet:earth"]}`), http.StatusBadRequest, "planet:earth", ""},
		apiBadCase{"share: bad lifetime", http.MethodPost, "/shares", "application/json", []byte(`{"expires_in": "-5h"}`), http.StatusBadRequest, "expires_in", ""},
		apiBadCase{"entity: id that is not a number", http.MethodPut, "/services/abc", "application/json", []byte(`{"name": "x"}`), http.StatusNotFound, "abc", ""},
		apiBadCase{"list: negative offset", http.MethodGet, "/services?offset=-1", "", nil, http.StatusBadRequest, "offset", ""},
		apiBadCase{"list: limit too large", http.MethodGet, "/services?limit=1000000", "", nil, http.StatusBadRequest, "limit", ""},
	)
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			before := s.api.revision(t, "demo-shop")
			header := []string{"Content-Type", tt.contentType}
			if tt.name == "model: stale If-Match" {
				header = append(header, "If-Match", `"999"`)
			}
			r, err := s.api.do(context.Background(), tt.method, ws+tt.path, tt.body, header...)
			if err != nil {
				t.Fatalf("%s %s: %v", tt.method, tt.path, err)
			}
			msg := r.errorText()
			if r.status != tt.status || msg == "" || !strings.Contains(msg, tt.want) || !strings.Contains(msg, tt.line) {
				t.Errorf("status %d, body %.300s; want %d with an \"error\" mentioning %q", r.status, r.body, tt.status, tt.want)
			}
			if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("error answered as %q, not JSON", ct)
			}
			if after := s.api.revision(t, "demo-shop"); after != before {
				t.Errorf("a refused request moved the revision from %s to %s", before, after)
			}
			s.api.must(t, http.StatusOK, http.MethodGet, "/healthz", nil)
		})
	}
}

// browser is a signed-in browser session: cookies, and the CSRF token of
// the last page it loaded.
type browser struct {
	base string
	http *http.Client
	csrf string
}

func signIn(tb testing.TB, base, email, password string) *browser {
	tb.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		tb.Fatal(err)
	}
	b := &browser{base: base, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	b.get(tb, "/login")
	status, _, doc := b.post(tb, "/login", url.Values{"email": {email}, "password": {password}}, false)
	if status != http.StatusSeeOther {
		tb.Fatalf("sign in: status %d: %s", status, doc.Text())
	}
	return b
}

// send makes a request and parses the answer, keeping the page's CSRF token.
func (b *browser) send(tb testing.TB, req *http.Request) (int, http.Header, *goquery.Document) {
	tb.Helper()
	resp, err := b.http.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
	if err != nil {
		tb.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	if tok, ok := doc.Find(`meta[name="csrf-token"]`).Attr("content"); ok && tok != "" {
		b.csrf = tok
	}
	return resp.StatusCode, resp.Header, doc
}

func (b *browser) get(tb testing.TB, path string) *goquery.Document {
	tb.Helper()
	req, err := http.NewRequest(http.MethodGet, b.base+path, nil)
	if err != nil {
		tb.Fatal(err)
	}
	status, _, doc := b.send(tb, req)
	if status != http.StatusOK {
		tb.Fatalf("GET %s: status %d", path, status)
	}
	return doc
}

// post sends a form with the CSRF token, as htmx does when htmx is set.
func (b *browser) post(tb testing.TB, path string, form url.Values, htmx bool) (int, http.Header, *goquery.Document) {
	tb.Helper()
	form = cloneForm(form)
	form.Set("_csrf", b.csrf)
	req, err := http.NewRequest(http.MethodPost, b.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if htmx {
		req.Header.Set("HX-Request", "true")
	}
	return b.send(tb, req)
}

// upload sends a multipart form, as the import page does, with the given
// files in its "files" input.
func (b *browser) upload(tb testing.TB, path string, form url.Values, files map[string][]byte) (int, http.Header, *goquery.Document) {
	tb.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for name, data := range files {
		w, err := mw.CreateFormFile("files", name)
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := w.Write(data); err != nil {
			tb.Fatal(err)
		}
	}
	form = cloneForm(form)
	form.Set("_csrf", b.csrf)
	for k, vs := range form {
		for _, v := range vs {
			if err := mw.WriteField(k, v); err != nil {
				tb.Fatal(err)
			}
		}
	}
	if err := mw.Close(); err != nil {
		tb.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, b.base+path, &buf)
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.send(tb, req)
}

func cloneForm(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// testBadInputForms sends bad entities through the editor's forms and bad
// models through the import page: the form comes back with the message in
// place (never a 5xx), and the revision does not move.
func testBadInputForms(t *testing.T, s *inProcessServer) {
	b := signIn(t, s.url, s.email, testPassword)
	const ws = "/w/demo-shop"

	editorCases := []struct {
		name   string
		path   string
		form   url.Values
		field  string // the input whose field must show the message; "" for the form's general messages
		status int
	}{
		{"control character in a name", "/services", url.Values{"name": {"a\x07b"}}, "service-new-name", http.StatusUnprocessableEntity},
		{"5 000-character name", "/services", url.Values{"name": {strings.Repeat("n", 5000)}}, "service-new-name", http.StatusUnprocessableEntity},
		{"invalid UTF-8 in a name", "/services", url.Values{"name": {"caf\xe9"}}, "service-new-name", http.StatusUnprocessableEntity},
		{"duplicate name", "/services", url.Values{"name": {"web"}}, "service-new-name", http.StatusUnprocessableEntity},
		{"unknown kind", "/servers", url.Values{"name": {"n9"}, "kind": {"mainframe"}}, "server-new-kind", http.StatusUnprocessableEntity},
		{"control character in a zone", "/servers", url.Values{"name": {"n9"}, "zone": {"eu\x1b[31m"}}, "server-new-zone", http.StatusUnprocessableEntity},
		{"dangling server", "/placements", url.Values{"service": {"web"}, "server": {"nowhere"}, "instances": {"1"}}, "placement-new-server", http.StatusUnprocessableEntity},
		{"zero instances", "/placements", url.Values{"service": {"web"}, "server": {"app-1"}, "instances": {"0"}}, "placement-new-instances", http.StatusUnprocessableEntity},
		{"dangling service", "/dependencies", url.Values{"from": {"web"}, "to": {"nowhere"}}, "dependency-new-to", http.StatusUnprocessableEntity},
		{"negative calls", "/dependencies", url.Values{"from": {"web"}, "to": {"search"}, "calls_per_request": {"-1"}}, "dependency-new-calls", http.StatusUnprocessableEntity},
	}
	for _, tt := range editorCases {
		t.Run("editor: "+tt.name, func(t *testing.T) {
			before := s.api.revision(t, "demo-shop")
			rev, _ := b.get(t, ws).Find("#ws-revision").Attr("value")
			form := cloneForm(tt.form)
			form.Set("revision", rev)
			status, header, doc := b.post(t, ws+tt.path, form, true)
			if status != tt.status {
				t.Fatalf("status %d, want %d: %.500s", status, tt.status, doc.Text())
			}
			if header.Get("HX-Retarget") == "" {
				t.Errorf("the answer does not replace the form (no HX-Retarget)")
			}
			var msg string
			if tt.field != "" {
				msg = doc.Find("#" + tt.field).Closest(".field").Find(`[data-testid="field-error"]`).Text()
			} else {
				msg = doc.Find(`[data-testid="form-errors"]`).Text()
			}
			if strings.TrimSpace(msg) == "" {
				t.Errorf("no message in place (field %q) in:\n%.1000s", tt.field, doc.Text())
			}
			if after := s.api.revision(t, "demo-shop"); after != before {
				t.Errorf("a refused form moved the revision from %s to %s", before, after)
			}
			s.api.must(t, http.StatusOK, http.MethodGet, "/healthz", nil)
		})
	}

	for _, m := range badModels() {
		t.Run("import: "+m.name, func(t *testing.T) {
			before := s.api.revision(t, "demo-shop")
			rev, _ := b.get(t, ws+"/import").Find(`input[name="revision"]`).Attr("value")
			form := url.Values{"format": {"model"}, "revision": {rev}}
			var files map[string][]byte
			if m.tooLarge {
				// Uploaded, as a file this big would be: a pasted text
				// comes back in the form, 5 MiB of page.
				files = map[string][]byte{"model.yaml": m.data}
			} else {
				form.Set("text", string(m.data))
			}
			status, _, doc := b.upload(t, ws+"/import", form, files)
			want := http.StatusUnprocessableEntity
			if m.tooLarge {
				want = http.StatusRequestEntityTooLarge
			}
			if status != want {
				t.Errorf("status %d, want %d", status, want)
			}
			problems := doc.Find(`[data-testid="import-problems"]`).Text()
			if !strings.Contains(problems, m.want) || !strings.Contains(problems, m.located()) {
				t.Errorf("the import page lists %.300q; want it to mention %q %s", problems, m.want, m.located())
			}
			if after := s.api.revision(t, "demo-shop"); after != before {
				t.Errorf("a refused import moved the revision from %s to %s", before, after)
			}
			s.api.must(t, http.StatusOK, http.MethodGet, "/healthz", nil)
		})
	}
}
