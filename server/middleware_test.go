package server

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/archmap/archmap/static"
)

func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	ts := newTestServer(t)
	c := ts.signedIn(t)
	for _, path := range []string{"/", "/login", "/healthz", "/no/such/page", static.Path("app.css")} {
		p := c.get(path)
		for h, want := range map[string]string{
			"Content-Security-Policy": "frame-ancestors 'none'",
			"X-Content-Type-Options":  "nosniff",
			"Referrer-Policy":         "same-origin",
		} {
			if got := p.Header.Get(h); !strings.Contains(got, want) {
				t.Errorf("%s: %s = %q, want it to contain %q", path, h, got, want)
			}
		}
		if csp := p.Header.Get("Content-Security-Policy"); strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("%s: CSP allows inline code: %q", path, csp)
		}
	}
}

func TestPagesHaveNoInlineScriptsOrStyles(t *testing.T) {
	ts := newTestServer(t)
	c := ts.signedIn(t)
	p := c.get("/")
	p.doc.Find("script").Each(func(_ int, s *goquery.Selection) {
		if _, ok := s.Attr("src"); !ok {
			t.Errorf("inline script: %s", s.Text())
		}
	})
	if n := p.doc.Find("style, [style]").Length(); n > 0 {
		t.Errorf("%d inline styles", n)
	}
}

func TestStateChangeNeedsCSRFToken(t *testing.T) {
	ts := newTestServer(t)
	c := ts.signedIn(t)
	c.get("/")
	tests := []struct {
		name  string
		token string
	}{
		{"no token", ""},
		{"wrong token", "x" + c.csrf},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form := url.Values{"name": {"Shop"}}
			if tt.token != "" {
				form.Set("_csrf", tt.token)
			}
			p := c.postRaw("/w", form, false)
			p.wantStatus(t, http.StatusForbidden)
			list, err := ts.db.ListWorkspaces(t.Context())
			if err != nil || len(list) != 0 {
				t.Errorf("workspaces after a forged request: %v, %v", list, err)
			}
		})
	}
	// A cross-site browser request is refused by its Sec-Fetch-Site header
	// even with a token.
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/w", strings.NewReader(url.Values{"name": {"X"}, "_csrf": {c.csrf}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	c.do(req).wantStatus(t, http.StatusForbidden)
}

func TestGetChangesNothing(t *testing.T) {
	ts := newTestServer(t)
	c := ts.signedIn(t)
	c.get("/logout").wantStatus(t, http.StatusNotFound)
	c.get("/").wantStatus(t, http.StatusOK) // still signed in
}

func TestHealthz(t *testing.T) {
	ts := newTestServer(t)
	c := ts.newClient(t)
	p := c.get("/healthz") // no account yet: still answered, not redirected
	p.wantStatus(t, http.StatusOK)
	var body map[string]string
	if err := json.Unmarshal([]byte(p.body), &body); err != nil || body["status"] != "ok" {
		t.Errorf("body %q (%v)", p.body, err)
	}
	ts.db.Close()
	c.get("/healthz").wantStatus(t, http.StatusServiceUnavailable)
}

func TestStaticAssetsAreHashedAndCachedForever(t *testing.T) {
	ts := newTestServer(t)
	c := ts.newClient(t)
	for _, name := range []string{"app.css", "app.js", "vendor/htmx-2.0.11.min.js", "vendor/svg-pan-zoom-3.6.2.min.js"} {
		path := static.Path(name)
		if path == "/static/"+name {
			t.Errorf("%s served without a content hash", name)
		}
		p := c.get(path)
		p.wantStatus(t, http.StatusOK)
		if cc := p.Header.Get("Cache-Control"); !strings.Contains(cc, "immutable") {
			t.Errorf("%s: Cache-Control %q", path, cc)
		}
	}
	c.get("/static/app.css").wantStatus(t, http.StatusNotFound)
}

func TestErrorPagesAndJSON(t *testing.T) {
	ts := newTestServer(t)
	c := ts.signedIn(t)
	p := c.get("/no/such/page")
	p.wantStatus(t, http.StatusNotFound)
	p.find(t, "error-page")

	req, _ := http.NewRequest(http.MethodGet, ts.URL+"/no/such/page", nil)
	req.Header.Set("HX-Request", "true")
	hp := c.do(req)
	hp.wantStatus(t, http.StatusNotFound)
	if hp.Header.Get("HX-Retarget") != "#flash" {
		t.Errorf("htmx error not sent to the flash region: %v", hp.Header)
	}
	hp.find(t, "flash")
}
