package server

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/archmap/archmap/store"
)

// testServer is the real server on a real SQLite file in a temp dir.
type testServer struct {
	*httptest.Server
	db  *store.DB
	srv *Server
}

// newTestServer starts the server; configure, when given, changes its
// Config first.
func newTestServer(tb testing.TB, configure ...func(*Config)) *testServer {
	tb.Helper()
	return newTestServerWith(tb, func(cfg *Config, _ string) {
		for _, f := range configure {
			f(cfg)
		}
	})
}

// newTestServerWith is newTestServer for a Config that needs the server's
// own address (http://127.0.0.1:port), known before the server starts.
func newTestServerWith(tb testing.TB, configure func(cfg *Config, url string)) *testServer {
	tb.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(tb.TempDir(), "archmap.db"))
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	cfg := Config{DB: db, Renderer: sharedRenderer(tb), Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Passwords: testPasswords}
	ts := httptest.NewUnstartedServer(nil)
	configure(&cfg, "http://"+ts.Listener.Addr().String())
	srv, err := New(cfg)
	if err != nil {
		ts.Close()
		tb.Fatalf("new server: %v", err)
	}
	ts.Config.Handler = srv.Handler()
	ts.Start()
	tb.Cleanup(ts.Close)
	return &testServer{Server: ts, db: db, srv: srv}
}

// client is one browser: a cookie jar, no automatic redirects, and the CSRF
// token of the last page it loaded.
type client struct {
	tb   testing.TB
	ts   *testServer
	http *http.Client
	csrf string
}

func (ts *testServer) newClient(tb testing.TB) *client {
	tb.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		tb.Fatal(err)
	}
	return &client{tb: tb, ts: ts, http: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// page is a response with its body read and, for HTML, parsed.
type page struct {
	*http.Response
	body string
	doc  *goquery.Document
}

func (c *client) do(req *http.Request) *page {
	c.tb.Helper()
	resp, err := c.http.Do(req)
	if err != nil {
		c.tb.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.tb.Fatalf("%s %s: read body: %v", req.Method, req.URL.Path, err)
	}
	p := &page{Response: resp, body: string(b)}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		html := p.body
		if strings.HasPrefix(html, "<tr") {
			// A table row fragment, as htmx swaps it: parse it where a row may stand.
			html = "<table><tbody>" + html + "</tbody></table>"
		}
		doc, err := goquery.NewDocumentFromReader(strings.NewReader(html))
		if err != nil {
			c.tb.Fatalf("%s %s: parse HTML: %v", req.Method, req.URL.Path, err)
		}
		p.doc = doc
		if tok, ok := doc.Find(`meta[name="csrf-token"]`).Attr("content"); ok && tok != "" {
			c.csrf = tok
		}
	}
	return p
}

func (c *client) get(path string) *page {
	c.tb.Helper()
	req, err := http.NewRequest(http.MethodGet, c.ts.URL+path, nil)
	if err != nil {
		c.tb.Fatal(err)
	}
	return c.do(req)
}

// post sends a form with the client's CSRF token, as the page's form would.
func (c *client) post(path string, form url.Values) *page {
	c.tb.Helper()
	form = cloneValues(form)
	if form.Get("_csrf") == "" {
		form.Set("_csrf", c.csrf)
	}
	return c.postRaw(path, form, false)
}

// htmx sends a form as htmx does: the CSRF token as a header.
func (c *client) htmx(path string, form url.Values) *page {
	c.tb.Helper()
	return c.postRaw(path, form, true)
}

func (c *client) postRaw(path string, form url.Values, htmx bool) *page {
	c.tb.Helper()
	req, err := http.NewRequest(http.MethodPost, c.ts.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		c.tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if htmx {
		req.Header.Set("HX-Request", "true")
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	return c.do(req)
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

func (p *page) wantStatus(tb testing.TB, want int) {
	tb.Helper()
	if p.StatusCode != want {
		tb.Fatalf("%s %s: status %d, want %d; body:\n%.2000s", p.Request.Method, p.Request.URL.Path, p.StatusCode, want, p.body)
	}
}

func (p *page) wantRedirect(tb testing.TB, to string) {
	tb.Helper()
	if p.StatusCode != http.StatusSeeOther {
		tb.Fatalf("%s %s: status %d, want 303 to %s; body:\n%.2000s", p.Request.Method, p.Request.URL.Path, p.StatusCode, to, p.body)
	}
	if got := p.Header.Get("Location"); got != to {
		tb.Fatalf("%s %s: redirect to %q, want %q", p.Request.Method, p.Request.URL.Path, got, to)
	}
}

// find returns the elements with the data-testid, failing when there are none.
func (p *page) find(tb testing.TB, testid string) *goquery.Selection {
	tb.Helper()
	if p.doc == nil {
		tb.Fatalf("%s: not an HTML page (%s)", p.Request.URL.Path, p.Header.Get("Content-Type"))
	}
	s := p.doc.Find(`[data-testid="` + testid + `"]`)
	if s.Length() == 0 {
		tb.Fatalf("%s: no element with data-testid=%q in:\n%.3000s", p.Request.URL.Path, testid, p.body)
	}
	return s
}

const (
	testEmail    = "admin@example.com"
	testPassword = "correct horse battery"
	// testBaseURL is the public address the tests' setup chooses.
	testBaseURL = "https://archmap.example.com"
)

// signedIn returns a client of the first (admin) account, made via /setup.
func (ts *testServer) signedIn(tb testing.TB) *client {
	tb.Helper()
	c := ts.newClient(tb)
	c.get("/setup")
	c.post("/setup", url.Values{"email": {testEmail}, "password": {testPassword}, "confirm": {testPassword}, "base_url": {ts.URL}}).wantRedirect(tb, "/")
	return c
}
