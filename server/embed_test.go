package server

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/archmap/archmap/topology"
)

func TestParseEmbedOrigins(t *testing.T) {
	got, err := ParseEmbedOrigins(" HTTPS://Wiki.Example.com/, http://127.0.0.1:8080 https://*.intranet.example,https://wiki.example.com [::1]")
	if err == nil {
		t.Fatalf("a bare [::1] was taken: %v", got)
	}
	got, err = ParseEmbedOrigins(" HTTPS://Wiki.Example.com/, http://127.0.0.1:8080 https://*.intranet.example,https://wiki.example.com http://[::1]:3000")
	if err != nil {
		t.Fatal(err)
	}
	want := "https://wiki.example.com http://127.0.0.1:8080 https://*.intranet.example http://[::1]:3000"
	if strings.Join(got, " ") != want {
		t.Errorf("got %q, want %q", strings.Join(got, " "), want)
	}
	if got, err := ParseEmbedOrigins(""); err != nil || len(got) != 0 {
		t.Errorf("empty: %v, %v", got, err)
	}
	// Each of these would widen the policy or write directives of its own.
	for _, bad := range []string{
		"*", "'self'", "'none'", "https://*", "https:", "wiki.example.com", "javascript:alert(1)", "data:",
		"ftp://wiki.example.com", "https://wiki.example.com/path", "https://wiki.example.com?q", "https://wiki.example.com#x",
		"https://user@wiki.example.com", "https://wiki.example.com;script-src", "https://wiki.example.com:99999",
		"https://wiki.example.com:0", "https://wi'ki.example.com", "https://a.*.example.com", "https://wiki..example.com",
	} {
		if got, err := ParseEmbedOrigins(bad); err == nil {
			t.Errorf("%q taken as %q", bad, got)
		}
	}
	if _, err := New(Config{DB: nil}); err == nil {
		t.Error("New without a database")
	}
}

// TestEmbedHeaders: only the embedded share page may be framed, only by
// the listed origins; every other answer keeps frame-ancestors 'none' and
// X-Frame-Options DENY, and without listed origins nothing may be framed.
func TestEmbedHeaders(t *testing.T) {
	const wiki = "https://wiki.example.com"
	f := newAPIFixture(t, func(c *Config) { c.EmbedOrigins = []string{wiki, "http://127.0.0.1:9"} })
	slug := importModel(t, f.db, "demo-shop", topology.Demo())
	token, _ := f.createShare(t, slug, `{"expires_in": "1h"}`)
	framed := func(r *apiResp) bool {
		csp := r.Header.Get("Content-Security-Policy")
		if strings.Contains(csp, "frame-ancestors 'none'") {
			if r.Header.Get("X-Frame-Options") != "DENY" {
				t.Errorf("%s: frame-ancestors 'none' without X-Frame-Options DENY", r.Request.URL.Path)
			}
			return false
		}
		if !strings.Contains(csp, "frame-ancestors "+wiki+" http://127.0.0.1:9") || strings.Contains(csp, "frame-ancestors *") {
			t.Errorf("%s: CSP %q", r.Request.URL.Path, csp)
		}
		if r.Header.Get("X-Frame-Options") != "" {
			t.Errorf("%s: framable, yet X-Frame-Options %q", r.Request.URL.Path, r.Header.Get("X-Frame-Options"))
		}
		return true
	}
	for path, want := range map[string]bool{
		"/s/" + token + "?embed=1":                         true,
		"/s/" + token + "/diagram?embed=1&view=deployment": true,
		"/s/" + token:                               false,
		"/s/" + token + "?embed=0":                  false,
		"/s/" + token + "/diagram":                  false,
		"/s/" + token + "/diagram.svg?embed=1":      false,
		"/s/" + token + "/diagram/fragment?embed=1": false,
		"/s/" + token + "/findings?embed=1":         false,
		"/w/" + slug + "/diagram?embed=1":           false,
		"/login?embed=1":                            false,
		"/?embed=1":                                 false,
	} {
		r := f.anon(t, "GET", path, nil)
		if got := framed(r); got != want {
			t.Errorf("%s (%d): framable %v, want %v", path, r.StatusCode, got, want)
		}
	}
	// A link that no longer works says so in the frame, still framed.
	r := f.anon(t, "GET", "/s/"+strings.Repeat("A", 43)+"?embed=1", nil)
	if r.StatusCode != http.StatusNotFound || !framed(r) {
		t.Errorf("an unknown embedded link: %d, framed %v", r.StatusCode, framed(r))
	}
	// The API is never framed either.
	if r := f.api(t, "GET", "/workspaces/"+slug+"/diagram?embed=1", nil); framed(r) {
		t.Error("the API may be framed")
	}

	// Without listed origins the embedded page is served but not framable.
	g := newAPIFixture(t)
	slug = importModel(t, g.db, "demo-shop", topology.Demo())
	token, _ = g.createShare(t, slug, `{"expires_in": "1h"}`)
	r = g.anon(t, "GET", "/s/"+token+"?embed=1", nil)
	if r.StatusCode != http.StatusOK || framed(r) {
		t.Errorf("no origins listed: %d, framed %v", r.StatusCode, framed(r))
	}
	if !strings.Contains(string(r.body), `data-testid="diagram-embed"`) {
		t.Error("no origins listed: not the embedded page")
	}
	if doc := parseHTML(t, g.anon(t, "GET", "/s/"+token, nil)); doc.Find(`[data-testid="embed-none"]`).Length() != 1 {
		t.Error("the share page does not say that no site may frame it")
	}
}

// TestEmbedPage: the embedded page is the diagram alone (pan and zoom,
// search, the fragment with its legend) without the share page's panels;
// the share page offers the <iframe> and the Markdown image.
func TestEmbedPage(t *testing.T) {
	f := newAPIFixture(t, func(c *Config) { c.EmbedOrigins = []string{"https://wiki.example.com"} })
	m := topology.Demo()
	m.Name = `Shop [v2] <b>"x"</b>`
	slug := importModel(t, f.db, "demo-shop", m)
	token, _ := f.createShare(t, slug, `{"expires_in": "1h"}`)
	doc := parseHTML(t, f.anon(t, "GET", "/s/"+token+"?embed=1&view=deployment", nil).want(t, http.StatusOK))
	for sel, n := range map[string]int{
		`[data-testid="diagram-embed"]`:  1,
		`[data-testid="diagram-search"]`: 1,
		`[data-testid="zoom-in"]`:        1,
		`[data-testid="zoom-fit"]`:       1,
		`#diagram-content[hx-get="/s/` + token + `/diagram/fragment?view=deployment"]`: 1,
		`a[data-testid="embed-open"][target="_blank"][href="/s/` + token + `"]`:        1,
		// Nothing else of the share page.
		`[data-testid="share-header"]`: 0, `[data-testid="risk-panel"]`: 0, `[data-testid="simulation"]`: 0,
		`[data-testid="diagram-options"]`: 0, `[data-testid="node-panel"]`: 0, `header.topbar`: 0,
	} {
		if got := doc.Find(sel).Length(); got != n {
			t.Errorf("embedded page: %d of %s, want %d", got, sel, n)
		}
	}
	frag := f.anon(t, "GET", "/s/"+token+"/diagram/fragment?view=deployment", nil).want(t, http.StatusOK)
	if !strings.Contains(string(frag.body), `class="node legend`) && !strings.Contains(string(frag.body), "legend") {
		t.Error("the embedded diagram has no legend")
	}

	share := parseHTML(t, f.anon(t, "GET", "/s/"+token, nil).want(t, http.StatusOK))
	base := f.URL + "/s/" + token
	iframe, _ := share.Find(`[data-testid="embed-iframe"]`).Attr("value")
	wantIframe := `<iframe src="` + base + `?embed=1" title="Shop [v2] &lt;b&gt;&#34;x&#34;&lt;/b&gt;" width="100%" height="600" style="border:0" loading="lazy"></iframe>`
	if iframe != wantIframe {
		t.Errorf("iframe snippet\n%s\nwant\n%s", iframe, wantIframe)
	}
	md, _ := share.Find(`[data-testid="embed-markdown"]`).Attr("value")
	if want := `[![Shop \[v2\] \<b>"x"\</b>](` + base + `/diagram.png)](` + base + `)`; md != want {
		t.Errorf("Markdown image\n%s\nwant\n%s", md, want)
	}
	for _, sel := range []string{`[data-testid="embed-iframe-copy"]`, `[data-testid="embed-markdown-copy"]`} {
		if share.Find(sel).Length() != 1 {
			t.Errorf("no %s", sel)
		}
	}
	if share.Find(`[data-testid="embed-none"]`).Length() != 0 {
		t.Error("says no site may frame it, with one listed")
	}
	// A share's service panel leads nowhere into the app.
	if panel := parseHTML(t, f.anon(t, "GET", "/s/"+token+"/diagram/panel?service=web", nil).want(t, http.StatusOK)); panel.Find(`[data-testid="panel-edit-service"]`).Length() != 0 {
		t.Error("the share's service panel links to the model editor")
	}
	// The image the Markdown shows is there.
	png := f.anon(t, "GET", "/s/"+token+"/diagram.png", nil).want(t, http.StatusOK)
	if !strings.HasPrefix(string(png.body), "\x89PNG") {
		t.Error("the share's PNG is not a PNG")
	}
}

// TestBrowserEmbed frames an embedded share page from the page of another
// origin (a second test server) that is listed: it renders, and its
// diagram loads (the frame's own script asks for the fragment). From an
// origin not listed Chromium refuses the frame: its page never runs, so the
// fragment is never asked for, and Chromium reports the frame-ancestors
// violation.
func TestBrowserEmbed(t *testing.T) {
	var archmapURL atomic.Value
	host := func() *httptest.Server {
		return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write([]byte(`<!DOCTYPE html><title>wiki</title><h1>Our wiki</h1>` +
				`<iframe id="embed" src="` + archmapURL.Load().(string) + r.URL.Query().Get("path") + `" width="900" height="600"></iframe>`))
		}))
	}
	allowed, other := host(), host()
	t.Cleanup(allowed.Close)
	t.Cleanup(other.Close)

	reg := prometheus.NewRegistry()
	f := newAPIFixture(t, func(c *Config) { c.EmbedOrigins = []string{allowed.URL}; c.Metrics = reg })
	// The fragment requests, from the server's metrics: only a frame whose
	// page runs asks for one.
	fragments := func() int {
		rec := httptest.NewRecorder()
		promhttp.HandlerFor(reg, promhttp.HandlerOpts{}).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
		n := 0
		for _, line := range strings.Split(rec.Body.String(), "\n") {
			if strings.HasPrefix(line, "archmap_http_requests_total{") && strings.Contains(line, `route="/s/:token/diagram/fragment"`) {
				v, _ := strconv.Atoi(line[strings.LastIndex(line, " ")+1:])
				n += v
			}
		}
		return n
	}
	archmapURL.Store(f.URL)
	slug := importModel(t, f.db, "demo-shop", topology.Demo())
	token, _ := f.createShare(t, slug, `{"expires_in": "1h"}`)

	b := newBrowser(t, allowed.URL)
	b.run("open the wiki page that frames the diagram", b.navigate("/?path=/s/"+token+"%3Fembed%3D1"))
	deadline := time.Now().Add(15 * time.Second)
	for fragments() == 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if fragments() == 0 {
		t.Fatal("the framed page from a listed origin never asked for its diagram")
	}
	time.Sleep(300 * time.Millisecond) // for the screenshot only
	b.viewShot("embed-framed")
	b.checkConsole()
	r := f.anon(t, "GET", "/s/"+token+"?embed=1", nil)
	if csp := r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors "+allowed.URL) || strings.Contains(csp, other.URL) {
		t.Errorf("CSP %q", csp)
	}

	before := fragments()
	b.run("open a page of an origin not listed", chromedp.Navigate(other.URL+"/?path=/s/"+token+"%3Fembed%3D1"))
	refused := false
	deadline = time.Now().Add(10 * time.Second)
	for !refused && time.Now().Before(deadline) {
		select {
		case msg := <-b.console:
			refused = refused || strings.Contains(msg, "frame-ancestors")
		case <-time.After(100 * time.Millisecond):
		}
	}
	if !refused {
		t.Error("Chromium did not report refusing the frame (frame-ancestors)")
	}
	time.Sleep(500 * time.Millisecond) // a frame that ran would have asked by now
	if n := fragments() - before; n != 0 {
		t.Errorf("the frame of an origin not listed ran: %d fragment requests", n)
	}
}
