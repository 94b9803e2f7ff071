package server

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/archmap/archmap/auth"
	"github.com/archmap/archmap/store"
	"github.com/archmap/archmap/topology"
	"github.com/archmap/archmap/views"
)

// createShare makes a share link through the API and returns its token.
func (f *apiFixture) createShare(tb testing.TB, slug, body string) (token string, out shareCreated) {
	tb.Helper()
	r := f.api(tb, "POST", "/workspaces/"+slug+"/shares", body).want(tb, http.StatusCreated)
	r.decode(tb, &out)
	prefix := f.URL + "/s/"
	if !strings.HasPrefix(out.URL, prefix) {
		tb.Fatalf("share URL %q does not start with %q", out.URL, prefix)
	}
	token = strings.TrimPrefix(out.URL, prefix)
	if !regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`).MatchString(token) {
		tb.Fatalf("share token %q is not 32 bytes of base64url", token)
	}
	if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
		tb.Errorf("the answer with a new link has Cache-Control %q, want no-store", cc)
	}
	return token, out
}

// anon fetches a share address as a browser without any credentials.
func (f *apiFixture) anon(tb testing.TB, method, path string, form url.Values) *apiResp {
	tb.Helper()
	if form == nil {
		return request(tb, f.testServer, method, path, nil)
	}
	return request(tb, f.testServer, method, path, []byte(form.Encode()), "Content-Type", "application/x-www-form-urlencoded")
}

func parseHTML(tb testing.TB, r *apiResp) *goquery.Document {
	tb.Helper()
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(r.body))
	if err != nil {
		tb.Fatal(err)
	}
	return doc
}

// A link for ever must be asked for.
func TestShareNeverExpires(t *testing.T) {
	f := newAPIFixture(t)
	slug := importModel(t, f.db, "shop", shopModel())
	if _, never := f.createShare(t, slug, `{"expires_in": "never"}`); never.ExpiresAt != nil {
		t.Errorf(`"never": expires at %v, want null`, never.ExpiresAt)
	}
}

func TestShareLinkLifecycle(t *testing.T) {
	f := newAPIFixture(t)
	slug := importModel(t, f.db, "shop", shopModel())
	before := time.Now()
	token, out := f.createShare(t, slug, "")
	// Made without expires_in, a link expires as the share tab's default.
	if out.ExpiresAt == nil {
		t.Error("a link made without expires_in never expires, want 7 days as in the share tab")
	} else if d := out.ExpiresAt.Sub(before.Add(defaultShareLifetime)); d < -time.Second || d > 5*time.Second {
		t.Errorf("expires_at %v, want about %v", out.ExpiresAt, before.Add(defaultShareLifetime))
	}

	page := f.anon(t, "GET", "/s/"+token, nil).want(t, http.StatusOK)
	wantHeaders := map[string]string{
		"Referrer-Policy": "no-referrer",
		"X-Robots-Tag":    "noindex, nofollow, noarchive",
		"Cache-Control":   "no-store",
	}
	for k, v := range wantHeaders {
		if got := page.Header.Get(k); got != v {
			t.Errorf("%s: %q, want %q", k, got, v)
		}
	}
	csp := page.Header.Get("Content-Security-Policy")
	for _, part := range []string{"default-src 'none'", "script-src 'self'", "frame-ancestors 'none'", "base-uri 'none'"} {
		if !strings.Contains(csp, part) {
			t.Errorf("CSP %q lacks %q", csp, part)
		}
	}
	if strings.Contains(csp, "unsafe") {
		t.Errorf("CSP %q allows unsafe sources", csp)
	}
	if got := parseHTML(t, page).Find(`[data-testid="share-name"]`).Text(); got != "Shop" {
		t.Errorf("share page names %q, want Shop", got)
	}

	var list listBody[shareItem]
	f.api(t, "GET", "/workspaces/"+slug+"/shares", nil).want(t, http.StatusOK).decode(t, &list)
	if list.Total != 1 || list.Items[0].ID != out.ID || list.Items[0].LastUsedAt.IsZero() || list.Items[0].Expired {
		t.Fatalf("shares after one visit: %+v", list)
	}
	if lr := f.api(t, "GET", "/workspaces/"+slug+"/shares", nil); bytes.Contains(lr.body, []byte(token)) {
		t.Fatalf("the list of shares holds a token: %s", lr.body)
	}

	for _, sub := range []string{"", "/diagram.svg", "/diagram.dot", "/diagram/fragment", "/diagram/panel?service=web"} {
		f.anon(t, "GET", "/s/"+token+sub, nil).want(t, http.StatusOK)
	}
	sim := f.anon(t, "POST", "/s/"+token+"/simulate", url.Values{"fail": {"server:node-b"}}).want(t, http.StatusOK)
	if down := parseHTML(t, sim).Find(`[data-testid="sim-down"] li`).Length(); down != 3 {
		t.Errorf("simulation on the share page lists %d down, want 3:\n%s", down, sim.body)
	}

	f.api(t, "DELETE", "/workspaces/"+slug+"/shares/"+itoa(out.ID), nil).want(t, http.StatusNoContent)
	for _, sub := range []string{"", "/diagram.svg", "/diagram/fragment"} {
		f.anon(t, "GET", "/s/"+token+sub, nil).want(t, http.StatusNotFound)
	}
	f.anon(t, "POST", "/s/"+token+"/simulate", url.Values{"fail": {"server:node-b"}}).want(t, http.StatusNotFound)
	f.api(t, "DELETE", "/workspaces/"+slug+"/shares/"+itoa(out.ID), nil).wantError(t, http.StatusNotFound)
	f.api(t, "GET", "/workspaces/"+slug+"/shares", nil).decode(t, &list)
	if list.Total != 0 {
		t.Errorf("a revoked link is still listed: %+v", list)
	}

	// Deleting the workspace ends its links, pinned ones too.
	pinned, _ := f.createShare(t, slug, `{"pin": true}`)
	f.anon(t, "GET", "/s/"+pinned, nil).want(t, http.StatusOK)
	f.api(t, "DELETE", "/workspaces/"+slug, nil).want(t, http.StatusNoContent)
	f.anon(t, "GET", "/s/"+pinned, nil).want(t, http.StatusNotFound)
}

func TestShareExpiresIn(t *testing.T) {
	f := newAPIFixture(t)
	slug := importModel(t, f.db, "shop", shopModel())
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"72h", 72 * time.Hour},
		{"90m", 90 * time.Minute},
		{"7d", 7 * 24 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			before := time.Now()
			_, out := f.createShare(t, slug, `{"expires_in": "`+tt.in+`"}`)
			if out.ExpiresAt == nil {
				t.Fatal("no expires_at")
			}
			if d := out.ExpiresAt.Sub(before.Add(tt.want)); d < -time.Second || d > 5*time.Second {
				t.Errorf("expires_at %v, want about %v", out.ExpiresAt, before.Add(tt.want))
			}
		})
	}
	for _, body := range []string{`{"expires_in": "soon"}`, `{"expires_in": "-1h"}`, `{"expires_in": "0s"}`, `{"expires_in": "100000d"}`, `{"expires_in": 72}`, `{"pin": "yes"}`, `{"expire": "1h"}`} {
		t.Run(body, func(t *testing.T) {
			f.api(t, "POST", "/workspaces/"+slug+"/shares", body).wantError(t, http.StatusBadRequest)
		})
	}
	f.api(t, "POST", "/workspaces/nope/shares", "").wantError(t, http.StatusNotFound)
}

// TestSharePinnedAndLive changes the model under a pinned and a live link:
// the pinned one keeps showing the model it was made of.
func TestSharePinnedAndLive(t *testing.T) {
	f := newAPIFixture(t)
	slug := importModel(t, f.db, "shop", shopModel())
	live, _ := f.createShare(t, slug, `{"pin": false}`)
	pinned, _ := f.createShare(t, slug, `{"pin": true, "expires_in": "1h"}`)

	m := shopModel()
	m.Name = "Shop, changed"
	m.Services = append(m.Services, topology.Service{Name: "brand-new"})
	j, _ := topology.EncodeJSON(m)
	f.api(t, "PUT", "/workspaces/"+slug+"/model", j).want(t, http.StatusOK)

	check := func(token, wantName string, wantNew bool, wantRevision string) {
		t.Helper()
		doc := parseHTML(t, f.anon(t, "GET", "/s/"+token, nil).want(t, http.StatusOK))
		if got := doc.Find(`[data-testid="share-name"]`).Text(); got != wantName {
			t.Errorf("name %q, want %q", got, wantName)
		}
		if got := doc.Find(`[data-testid="share-revision"]`).Text(); !strings.Contains(got, wantRevision) {
			t.Errorf("revision line %q, want it to mention %q", got, wantRevision)
		}
		has := doc.Find(`#opt-focus option[value="brand-new"]`).Length() > 0
		if has != wantNew {
			t.Errorf("link %s shows the new service: %v, want %v", wantName, has, wantNew)
		}
		f.anon(t, "GET", "/s/"+token+"/diagram/panel?service=brand-new", nil).want(t, map[bool]int{true: 200, false: 404}[wantNew])
	}
	check(live, "Shop, changed", true, "revision 2")
	check(pinned, "Shop", false, "revision 1")
}

// TestShareNotFoundIsTheSame: unknown, malformed, revoked and expired
// tokens get the same answer, so a guess learns nothing.
func TestShareNotFoundIsTheSame(t *testing.T) {
	f := newAccessFixture(t)
	unknown, _, _ := auth.NewSecret()
	var first []byte
	for name, token := range map[string]string{"unknown": unknown, "short": "abc", "long": unknown + "x", "revoked": f.revoked, "expired": f.expired} {
		r := request(t, f.testServer, "GET", "/s/"+token, nil).want(t, http.StatusNotFound)
		if first == nil {
			first = r.body
		} else if !bytes.Equal(r.body, first) {
			t.Errorf("%s token: the 404 page differs from another's:\n%s\n---\n%s", name, r.body, first)
		}
		if !bytes.Contains(r.body, []byte("no longer works")) {
			t.Errorf("%s token: 404 page does not say the link does not work:\n%s", name, r.body)
		}
		if r.Header.Get("Referrer-Policy") != "no-referrer" || r.Header.Get("X-Robots-Tag") == "" {
			t.Errorf("%s token: the 404 lacks the share headers", name)
		}
		if doc := parseHTML(t, r); doc.Find(`a[href]:not([href^="#"])`).Length() != 0 {
			t.Errorf("%s token: the 404 page links somewhere", name)
		}
	}
}

// newShareServer is a test server built with its own config (log, proxy).
func newShareServer(tb testing.TB, cfg Config) *apiFixture {
	tb.Helper()
	db, err := store.Open(context.Background(), filepath.Join(tb.TempDir(), "archmap.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	cfg.DB = db
	if cfg.Renderer == nil {
		cfg.Renderer = sharedRenderer(tb)
	}
	cfg.Passwords = testPasswords
	srv, err := New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	tb.Cleanup(hs.Close)
	ts := &testServer{Server: hs, db: db, srv: srv}
	u, err := db.CreateUser(context.Background(), testEmail, fixturePasswordHash(tb), true)
	if err != nil {
		tb.Fatal(err)
	}
	if err := db.SetInstanceSetting(context.Background(), store.InstanceBaseURL, hs.URL); err != nil {
		tb.Fatal(err)
	}
	return &apiFixture{testServer: ts, user: u, token: mustAPIToken(tb, db, u.ID)}
}

func TestShareLookupsAreRateLimitedPerAddress(t *testing.T) {
	f := newShareServer(t, Config{TrustProxy: true})
	slug := importModel(t, f.db, "shop", shopModel())
	good, _ := f.createShare(t, slug, "")
	from := func(ip, token string) *apiResp {
		return request(t, f.testServer, "GET", "/s/"+token, nil, "X-Forwarded-For", ip)
	}
	for i := range shareFailureBurst {
		bad, _, _ := auth.NewSecret()
		if r := from("203.0.113.7", bad); r.StatusCode != http.StatusNotFound {
			t.Fatalf("failure %d: status %d, want 404", i+1, r.StatusCode)
		}
	}
	bad, _, _ := auth.NewSecret()
	r := from("203.0.113.7", bad).want(t, http.StatusTooManyRequests)
	if r.Header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	// Only failures are limited: the blocked address still opens good links
	// (everyone behind one NAT must not lose them to one guesser), and its
	// next bad guess is 429 again.
	for range 3 * shareFailureBurst {
		from("203.0.113.7", good).want(t, http.StatusOK)
	}
	bad, _, _ = auth.NewSecret()
	from("203.0.113.7", bad).want(t, http.StatusTooManyRequests)
	// Another address is not affected, and good links never count.
	from("198.51.100.9", good).want(t, http.StatusOK)
	for range 3 * shareFailureBurst {
		from("198.51.100.9", good).want(t, http.StatusOK)
	}
}

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestShareTokensNeverReachTheLog(t *testing.T) {
	var logs syncBuffer
	f := newShareServer(t, Config{Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	slug := importModel(t, f.db, "shop", shopModel())
	token, out := f.createShare(t, slug, "")
	bad, _, _ := auth.NewSecret()
	for _, p := range []string{"/s/" + token, "/s/" + token + "/diagram.svg?view=deployment", "/s/" + token + "/diagram/panel?service=nope", "/s/" + token + "/no-such-page", "/s/" + bad, "/s/" + bad + "/diagram.svg"} {
		request(t, f.testServer, "GET", p, nil)
	}
	f.anon(t, "POST", "/s/"+token+"/simulate", url.Values{"fail": {"server:ghost"}})
	f.api(t, "DELETE", "/workspaces/"+slug+"/shares/"+itoa(out.ID), nil).want(t, http.StatusNoContent)
	request(t, f.testServer, "GET", "/s/"+token, nil).want(t, http.StatusNotFound)

	got := logs.String()
	if !strings.Contains(got, "/s/REDACTED") {
		t.Fatalf("the request log has no redacted share path:\n%s", got)
	}
	for _, secret := range []string{token, bad, f.token} {
		if strings.Contains(got, secret) {
			t.Errorf("the log contains a token:\n%s", got)
		}
	}
}

// TestShareOpensOnlyItsWorkspace: a share token reads one workspace's model
// through its own pages, and is no credential anywhere else.
func TestShareOpensOnlyItsWorkspace(t *testing.T) {
	f := newAccessFixture(t)
	b := request(t, f.testServer, "GET", "/s/"+f.shareB, nil).want(t, http.StatusOK)
	if name := parseHTML(t, b).Find(`[data-testid="share-name"]`).Text(); name != "Other" {
		t.Fatalf("share of B shows %q", name)
	}
	if bytes.Contains(b.body, []byte(f.slug)) {
		t.Errorf("share of B mentions workspace A's slug %q", f.slug)
	}
	for _, tc := range []struct {
		name, method, path string
		header             []string
		want               int
	}{
		{"API as bearer", "GET", "/api/v1/workspaces", []string{"Authorization", "Bearer " + f.shareA}, 401},
		{"API model as bearer", "GET", "/api/v1/workspaces/" + f.slug + "/model", []string{"Authorization", "Bearer " + f.shareA}, 401},
		{"workspace page as bearer", "GET", "/w/" + f.slug, []string{"Authorization", "Bearer " + f.shareA}, 303},
		{"workspace page as a session cookie", "GET", "/w/" + f.slug, []string{"Cookie", sessionCookie + "=" + f.shareA}, 303},
		{"model export as a session cookie", "GET", "/w/" + f.slug + "/model.json", []string{"Cookie", sessionCookie + "=" + f.shareA}, 303},
		{"account as a session cookie", "GET", "/account", []string{"Cookie", sessionCookie + "=" + f.shareA}, 303},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := request(t, f.testServer, tc.method, tc.path, nil, tc.header...).want(t, tc.want)
			if tc.want == 303 && !strings.HasPrefix(r.Header.Get("Location"), "/login") {
				t.Errorf("redirect to %q, want the login page", r.Header.Get("Location"))
			}
		})
	}
}

// TestSharePagesAreReadOnly looks at every page and fragment a share link
// serves for anything that edits, leads into the app or names internals.
func TestSharePagesAreReadOnly(t *testing.T) {
	f := newAPIFixture(t)
	slug := importModel(t, f.db, "internal-slug-4711", shopModel())
	token, _ := f.createShare(t, slug, "")
	var ids []string
	r, err := f.db.LoadRecords(t.Context(), slug)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range r.Services {
		ids = append(ids, "/services/"+itoa(s.ID), `"id":`+itoa(s.ID))
	}
	base := "/s/" + token
	for _, p := range []string{base, base + "/diagram?view=deployment&group=team", base + "/diagram/fragment", base + "/diagram/fragment?view=deployment", base + "/diagram/panel?service=cart"} {
		t.Run(p[len(base):], func(t *testing.T) {
			resp := f.anon(t, "GET", p, nil).want(t, http.StatusOK)
			doc := parseHTML(t, resp)
			if strings.Contains(string(resp.body), slug) {
				t.Errorf("the page names the workspace's slug")
			}
			for _, id := range ids {
				if strings.Contains(string(resp.body), id) {
					t.Errorf("the page holds the internal id %q", id)
				}
			}
			checks := map[string]string{
				"a form that posts":                `form[method="post"], form[method="POST"]`,
				"a CSRF field":                     `input[name="_csrf"]`,
				"a link into the app":              `a[href^="/w/"], a[href="/"], a[href^="/account"], a[href^="/login"], a[href^="/api/"]`,
				"an edit or delete control":        `[data-testid="edit"], [data-testid="delete"], [hx-delete], [hx-put], [hx-patch]`,
				"a request outside the share":      `[hx-get]:not([hx-get^="` + base + `"]), [hx-post]:not([hx-post^="` + base + `"])`,
				"a form leading outside the share": `form[action]:not([action^="` + base + `"])`,
			}
			for what, sel := range checks {
				if n := doc.Find(sel).Length(); n > 0 {
					h, _ := goquery.OuterHtml(doc.Find(sel).First())
					t.Errorf("%s: %d, e.g. %s", what, n, h)
				}
			}
			doc.Find("[hx-post]").Each(func(_ int, s *goquery.Selection) {
				if v, _ := s.Attr("hx-post"); v != base+"/simulate" {
					t.Errorf("hx-post to %q: only the simulation may post", v)
				}
			})
		})
	}
}

// TestSharePageShowsHostileNamesAsText puts names that break HTML, SVG and
// DOT into a shared model and finds them as text on every share page.
func TestSharePageShowsHostileNamesAsText(t *testing.T) {
	f := newAPIFixture(t)
	m := hostileModel()
	slug := importModel(t, f.db, "hostile", m)
	token, _ := f.createShare(t, slug, `{"pin": true}`)
	base := "/s/" + token
	script := m.Services[0].Name
	dot := m.Services[1].Name

	pageResp := f.anon(t, "GET", base, nil).want(t, http.StatusOK)
	page := parseHTML(t, pageResp)
	if got := page.Find(`[data-testid="share-name"]`).Text(); got != m.Name {
		t.Errorf("model name shown as %q, want %q", got, m.Name)
	}
	if page.Find(`#opt-focus option`).FilterFunction(func(_ int, s *goquery.Selection) bool { return s.Text() == script }).Length() != 1 {
		t.Errorf("the focus list does not show %q as text", script)
	}
	findings := page.Find(`[data-testid="finding"]`).Text()
	if !strings.Contains(findings, script) && !strings.Contains(findings, dot) {
		t.Errorf("no finding names a hostile service as text: %q", findings)
	}

	frag := f.anon(t, "GET", base+"/diagram/fragment", nil).want(t, http.StatusOK)
	fdoc := parseHTML(t, frag)
	texts := fdoc.Find("svg text").Text()
	for _, name := range []string{script, dot} {
		if !strings.Contains(texts, name) {
			t.Errorf("the diagram does not show %q as text; its texts: %q", name, texts)
		}
	}
	island, _ := fdoc.Find(`[data-testid="diagram-svg"]`).Attr("data-island")
	var data views.DiagramData
	if err := json.Unmarshal([]byte(island), &data); err != nil {
		t.Fatalf("data island: %v", err)
	}
	if _, ok := data.Services[script]; !ok {
		t.Errorf("the data island does not carry %q as data: %.300s", script, island)
	}

	panelResp := f.anon(t, "GET", base+"/diagram/panel?service="+url.QueryEscape(script), nil).want(t, http.StatusOK)
	panel := parseHTML(t, panelResp)
	if got := panel.Find(`[data-testid="panel-service-name"]`).Text(); got != script {
		t.Errorf("panel names %q, want %q", got, script)
	}
	simResp := f.anon(t, "POST", base+"/simulate", url.Values{"fail": {"server:" + m.Servers[0].Name}}).want(t, http.StatusOK)
	sim := parseHTML(t, simResp)
	// No hostile string is ever in a page as markup: only escaped.
	for name, r := range map[string]*apiResp{"page": pageResp, "fragment": frag, "panel": panelResp, "simulation": simResp} {
		for _, bad := range []string{script, m.Services[0].Team, m.Servers[0].Name, m.Services[0].Description} {
			if bytes.Contains(r.body, []byte(bad)) {
				t.Errorf("%s: %q appears unescaped", name, bad)
			}
		}
	}
	if !strings.Contains(sim.Find(`[data-testid="sim-down"]`).Text(), script) {
		t.Errorf("simulation does not list %q as text", script)
	}

	for name, doc := range map[string]*goquery.Document{"page": page, "fragment": fdoc, "panel": panel, "simulation": sim} {
		// Our scripts come from /static/; data islands are JSON, which the
		// browser does not run. Nothing else may be a script or a handler.
		doc.Find("script").Each(func(_ int, s *goquery.Selection) {
			src, hasSrc := s.Attr("src")
			typ, _ := s.Attr("type")
			if !(hasSrc && strings.HasPrefix(src, "/static/")) && typ != "application/json" {
				h, _ := goquery.OuterHtml(s)
				t.Errorf("%s: a script that is not ours: %s", name, h)
			}
		})
		doc.Find("*").Each(func(_ int, s *goquery.Selection) {
			for _, a := range s.Nodes[0].Attr {
				if strings.HasPrefix(strings.ToLower(a.Key), "on") {
					t.Errorf("%s: event handler attribute %s=%q on <%s>", name, a.Key, a.Val, goquery.NodeName(s))
				}
			}
		})
		if doc.Find("img[onerror], svg svg, foreignObject, iframe, object, embed").Length() > 0 {
			t.Errorf("%s: an active element made it into the page", name)
		}
	}

	svg := f.anon(t, "GET", base+"/diagram.svg?view=deployment", nil).want(t, http.StatusOK)
	if ct := svg.Header.Get("Content-Type"); ct != "image/svg+xml" {
		t.Errorf("SVG Content-Type %q", ct)
	}
	if bytes.Contains(svg.body, []byte(script)) || !bytes.Contains(svg.body, []byte("&lt;script&gt;alert(1)&lt;/script&gt;")) {
		t.Errorf("the SVG download does not escape %q", script)
	}
	dotOut := f.anon(t, "GET", base+"/diagram.dot", nil).want(t, http.StatusOK)
	if bytes.Contains(dotOut.body, []byte(`"`+dot+`"`)) || !bytes.Contains(dotOut.body, []byte(`a\" -> b [label=\"x`)) {
		t.Errorf("the DOT download does not escape %q:\n%.2000s", dot, dotOut.body)
	}
	if !strings.HasPrefix(svg.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("the SVG is not served as a download: %q", svg.Header.Get("Content-Disposition"))
	}
}

// TestWorkspaceShareTab makes, uses and revokes a link from the browser.
func TestWorkspaceShareTab(t *testing.T) {
	ts := newTestServer(t)
	c := ts.signedIn(t)
	slug := importModel(t, ts.db, "shop", shopModel())

	p := c.get("/w/" + slug + "/shares")
	p.wantStatus(t, http.StatusOK)
	p.find(t, "shares-empty")

	p = c.post("/w/"+slug+"/shares", url.Values{"expires_in": {"soon"}})
	p.wantStatus(t, http.StatusUnprocessableEntity)
	if msg := p.find(t, "field-error").Text(); !strings.Contains(msg, "72h") {
		t.Errorf("expiry error %q", msg)
	}

	p = c.post("/w/"+slug+"/shares", url.Values{"expires_in": {"24h"}, "pin": {"1"}})
	p.wantStatus(t, http.StatusOK)
	if cc := p.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", cc)
	}
	link, _ := p.find(t, "share-url").Attr("value")
	inputID, _ := p.find(t, "share-url").Attr("id")
	if target, _ := p.find(t, "share-copy").Attr("data-copy"); target == "" || target != inputID {
		t.Errorf("the copy button copies #%s, want the link's input #%s", target, inputID)
	}
	u, err := url.Parse(link)
	if err != nil || !strings.HasPrefix(u.Path, "/s/") || u.Host != strings.TrimPrefix(ts.URL, "http://") {
		t.Fatalf("share URL %q", link)
	}
	row := p.find(t, "share-row").Text()
	for _, want := range []string{"revision 1", "in 24 hours", "never"} {
		if !strings.Contains(row, want) {
			t.Errorf("share row %q lacks %q", row, want)
		}
	}
	request(t, ts, "GET", u.Path, nil).want(t, http.StatusOK)
	if strings.Contains(c.get("/w/"+slug+"/shares").body, u.Path) {
		t.Error("the share tab shows the token again")
	}

	action, _ := c.get("/w/"+slug+"/shares").find(t, "share-row").Find("form").Attr("action")
	c.postRaw(action, url.Values{}, false).wantStatus(t, http.StatusForbidden)
	request(t, ts, "GET", u.Path, nil).want(t, http.StatusOK)
	c.post(action, url.Values{}).wantRedirect(t, "/w/"+slug+"/shares?revoked=1")
	request(t, ts, "GET", u.Path, nil).want(t, http.StatusNotFound)
	// The page after a revoke says it was done.
	after := c.get("/w/" + slug + "/shares?revoked=1")
	after.find(t, "shares-empty")
	if !strings.Contains(after.find(t, "page-notice").Text(), "revoked") {
		t.Error("no word that the link was revoked")
	}
}
