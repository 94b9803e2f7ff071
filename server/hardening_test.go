package server

import (
	"context"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/archmap/archmap/store"
)

// hostRequest sends a request with the Host header a client chose.
func (c *client) hostRequest(method, path, host string, form url.Values, headers ...string) *page {
	c.tb.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.ts.URL+path, body)
	if err != nil {
		c.tb.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if host != "" {
		req.Host = host
		// net/http's client leaves the jar's cookies out when the Host is
		// changed; a browser tricked by DNS would send them.
		for _, ck := range c.http.Jar.Cookies(req.URL) {
			req.AddCookie(ck)
		}
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return c.do(req)
}

// Signed-in downloads and every API answer hold a user's models: no cache
// may keep them.
func TestNoStoreOnDownloadsAndAPI(t *testing.T) {
	ts := newTestServer(t)
	c := ts.signedIn(t)
	slug := importModel(t, ts.db, "shop", shopModel())
	for _, path := range []string{"/w/" + slug + "/model.yaml", "/w/" + slug + "/model.json",
		"/w/" + slug + "/diagram.svg", "/w/" + slug + "/diagram.dot", "/w/" + slug + "/diagram.svg?view=deployment", "/w/" + slug} {
		p := c.get(path)
		p.wantStatus(t, http.StatusOK)
		if cc := p.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("%s: Cache-Control %q, want no-store", path, cc)
		}
	}

	f := newAPIFixture(t)
	slug = importModel(t, f.db, "shop", shopModel())
	for _, r := range []*apiResp{
		f.api(t, "GET", "/workspaces", nil),
		f.api(t, "GET", "/workspaces/"+slug+"/model", nil),
		f.api(t, "GET", "/workspaces/"+slug+"/model", nil, "Accept", "application/yaml"),
		f.api(t, "GET", "/workspaces/"+slug+"/findings", nil),
		f.api(t, "GET", "/workspaces/"+slug+"/services", nil),
		f.api(t, "GET", "/workspaces/"+slug+"/diagram.svg", nil),
		f.api(t, "GET", "/workspaces/"+slug+"/diagram.dot", nil),
		f.api(t, "GET", "/workspaces/nope/model", nil),
		f.api(t, "PATCH", "/workspaces/"+slug+"/services/1", `{"team": "x"}`),
		request(t, f.testServer, "GET", "/api/v1/workspaces", nil),
		request(t, f.testServer, "GET", "/api/v1/openapi.json", nil),
	} {
		if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("%s %s (%d): Cache-Control %q, want no-store", r.Request.Method, r.Request.URL, r.StatusCode, cc)
		}
	}
}

func TestPermissionsPolicyOnEveryResponse(t *testing.T) {
	f := newAPIFixture(t)
	slug := importModel(t, f.db, "shop", shopModel())
	token, _ := f.createShare(t, slug, "")
	for _, r := range []*apiResp{
		request(t, f.testServer, "GET", "/login", nil),
		request(t, f.testServer, "GET", "/s/"+token, nil),
		request(t, f.testServer, "GET", "/healthz", nil),
		f.api(t, "GET", "/workspaces", nil),
	} {
		if pp := r.Header.Get("Permissions-Policy"); !strings.Contains(pp, "camera=()") || !strings.Contains(pp, "geolocation=()") {
			t.Errorf("%s: Permissions-Policy %q", r.Request.URL.Path, pp)
		}
	}
}

// Whatever Host a request names, share links are built from the public
// address: a forged Host must not make archmap hand out links to another
// site.
func TestShareURLsNeverComeFromTheHost(t *testing.T) {
	f := newAPIFixture(t) // the public address is f.URL, as stored at setup
	slug := importModel(t, f.db, "shop", shopModel())
	for _, host := range []string{"attacker.example", "attacker.example:443", strings.TrimPrefix(f.URL, "http://")} {
		var out shareCreated
		f.api(t, "POST", "/workspaces/"+slug+"/shares", "", "Host", host).want(t, http.StatusCreated).decode(t, &out)
		if !strings.HasPrefix(out.URL, f.URL+"/s/") || strings.Contains(out.URL, "attacker") {
			t.Errorf("Host %s: share URL %q, want it under %s", host, out.URL, f.URL)
		}
	}

	// The share tab of a signed-in user, with a forged Host and a forged
	// X-Forwarded-Host.
	ts := newTestServer(t)
	c := ts.signedIn(t) // stores ts.URL as the public address
	slug = importModel(t, ts.db, "shop", shopModel())
	c.get("/w/" + slug + "/shares")
	p := c.hostRequest("POST", "/w/"+slug+"/shares", "attacker.example", url.Values{"_csrf": {c.csrf}, "expires_in": {"24h"}},
		"X-Forwarded-Host", "attacker.example")
	p.wantStatus(t, http.StatusOK)
	link, _ := p.find(t, "share-url").Attr("value")
	if !strings.HasPrefix(link, ts.URL+"/s/") {
		t.Errorf("share tab link %q, want it under %s", link, ts.URL)
	}

	// --base-url wins over the stored address.
	flag := newShareServer(t, Config{BaseURL: "https://archmap.example.com/"})
	slug = importModel(t, flag.db, "shop", shopModel())
	var out shareCreated
	flag.api(t, "POST", "/workspaces/"+slug+"/shares", "", "Host", "attacker.example").want(t, http.StatusCreated).decode(t, &out)
	if !strings.HasPrefix(out.URL, "https://archmap.example.com/s/") {
		t.Errorf("with --base-url: share URL %q", out.URL)
	}

	// An installation set up before archmap asked for the address, without
	// --base-url: a path, which the browser completes, never the Host.
	old := newAPIFixture(t)
	if err := old.db.SetInstanceSetting(context.Background(), store.InstanceBaseURL, ""); err != nil {
		t.Fatal(err)
	}
	old.srv.storedBaseURL.Store("")
	slug = importModel(t, old.db, "shop", shopModel())
	old.api(t, "POST", "/workspaces/"+slug+"/shares", "", "Host", "attacker.example").want(t, http.StatusCreated).decode(t, &out)
	if !strings.HasPrefix(out.URL, "/s/") {
		t.Errorf("without a public address: share URL %q, want a path", out.URL)
	}
}

// Before the first account exists, whoever reaches /setup becomes the
// administrator: a page of another site that points its own name at the
// server (DNS rebinding) must not reach it.
func TestHostGateBeforeSetup(t *testing.T) {
	ts := newTestServer(t)
	c := ts.newClient(t)
	for _, host := range []string{"attacker.example", "attacker.example:8080", "localhost.attacker.example"} {
		c.hostRequest("GET", "/setup", host, nil).wantStatus(t, http.StatusForbidden)
		c.hostRequest("GET", "/", host, nil).wantStatus(t, http.StatusForbidden)
		c.hostRequest("POST", "/setup", host, url.Values{"email": {testEmail}, "password": {testPassword}, "confirm": {testPassword},
			"base_url": {"http://" + host}, "_csrf": {c.csrf}}).wantStatus(t, http.StatusForbidden)
		if n, _ := ts.db.CountUsers(t.Context()); n != 0 {
			t.Fatalf("Host %s: %d accounts made", host, n)
		}
	}
	c.hostRequest("GET", "/healthz", "archmap.internal", nil).wantStatus(t, http.StatusOK)
	port := ts.URL[strings.LastIndex(ts.URL, ":"):]
	for _, host := range []string{"localhost" + port, "127.0.0.1" + port, "[::1]" + port, "archmap.localhost" + port, "192.168.1.20:8080"} {
		p := c.hostRequest("GET", "/setup", host, nil)
		p.wantStatus(t, http.StatusOK)
		// The public address offered is the one this browser used.
		if got, _ := p.doc.Find(`input[name="base_url"]`).Attr("value"); got != "http://"+host {
			t.Errorf("Host %s: base_url offered %q", host, got)
		}
	}
	// Setup refuses an address that is not a site's origin.
	for _, bad := range []string{"", "archmap.example.com", "ftp://x.example", "https://x.example/app", "https://u:p@x.example", "https://x.example/?q"} {
		p := c.post("/setup", url.Values{"email": {testEmail}, "password": {testPassword}, "confirm": {testPassword}, "base_url": {bad}})
		p.wantStatus(t, http.StatusUnprocessableEntity)
		if p.doc.Find(`#setup-base-url`).Length() == 0 || !strings.Contains(p.body, "address") {
			t.Errorf("base_url %q: no message at the field", bad)
		}
	}
	c.post("/setup", url.Values{"email": {testEmail}, "password": {testPassword}, "confirm": {testPassword}, "base_url": {"https://Archmap.Example.com/"}}).
		wantRedirect(t, "/")
	if v, _ := ts.db.InstanceSetting(t.Context(), store.InstanceBaseURL); v != "https://archmap.example.com" {
		t.Errorf("stored public address %q", v)
	}
	// Once set up, other names are answered (sessions protect the app).
	ts.newClient(t).hostRequest("GET", "/login", "attacker.example", nil).wantStatus(t, http.StatusOK)
}

// Cookies are Secure and HSTS is sent when the browser's connection is
// HTTPS, as a trusted proxy says; a forged X-Forwarded-Proto from
// anywhere else counts for nothing.
func TestSecureCookiesAndHSTSBehindATrustedProxy(t *testing.T) {
	ts := newTestServer(t)
	c := ts.newClient(t)
	p := c.hostRequest("GET", "/setup", "", nil, "X-Forwarded-Proto", "https")
	if got := p.Header.Get("Strict-Transport-Security"); !strings.Contains(got, "max-age=") {
		t.Errorf("over HTTPS (trusted loopback proxy): Strict-Transport-Security %q", got)
	}
	if got, _ := p.doc.Find(`input[name="base_url"]`).Attr("value"); !strings.HasPrefix(got, "https://") {
		t.Errorf("base_url offered over HTTPS: %q", got)
	}
	p = c.hostRequest("POST", "/setup", "", url.Values{"email": {testEmail}, "password": {testPassword}, "confirm": {testPassword},
		"base_url": {ts.URL}, "_csrf": {c.csrf}}, "X-Forwarded-Proto", "https")
	p.wantRedirect(t, "/")
	var session *http.Cookie
	for _, ck := range p.Cookies() {
		if ck.Name == sessionCookie {
			session = ck
		}
	}
	if session == nil || !session.Secure {
		t.Errorf("session cookie over HTTPS behind a proxy: %+v, want Secure", session)
	}
	// Plain HTTP: no HSTS, no Secure (the browser would drop the cookie).
	plain := ts.newClient(t)
	p = plain.get("/login")
	if got := p.Header.Get("Strict-Transport-Security"); got != "" {
		t.Errorf("over HTTP: Strict-Transport-Security %q", got)
	}
	for _, ck := range p.Cookies() {
		if ck.Secure {
			t.Errorf("cookie %s Secure over plain HTTP", ck.Name)
		}
	}

	// Who is trusted.
	s := &Server{cfg: Config{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.1.0.0/16")}}}
	for addr, want := range map[string]bool{
		"127.0.0.1:5000": true, "[::1]:5000": true, "10.1.2.3:5000": true,
		"10.2.0.1:5000": false, "203.0.113.9:5000": false, "192.168.0.2:5000": false,
	} {
		r, _ := http.NewRequest("GET", "/", nil)
		r.RemoteAddr = addr
		r.Header.Set("X-Forwarded-Proto", "https")
		if got := s.overHTTPS(r); got != want {
			t.Errorf("X-Forwarded-Proto: https from %s: overHTTPS = %v, want %v", addr, got, want)
		}
	}
}

// The CSRF token belongs to the session: another session's token, or the
// token of the signed-out form, is refused, and signing in changes it.
func TestCSRFTokenIsBoundToTheSession(t *testing.T) {
	ts := newTestServer(t)
	a := ts.signedIn(t)
	a.get("/")
	tokenA := a.csrf
	b := ts.newClient(t)
	b.get("/login")
	signedOut := b.csrf
	b.post("/login", url.Values{"email": {testEmail}, "password": {testPassword}}).wantRedirect(t, "/")
	b.get("/")
	tokenB := b.csrf
	if tokenB == signedOut || tokenB == tokenA || tokenB == "" {
		t.Fatalf("tokens: signed out %q, session A %q, session B %q; want three different ones", signedOut, tokenA, tokenB)
	}
	for name, tok := range map[string]string{"another session's token": tokenA, "the sign-in form's token": signedOut} {
		p := b.post("/w", url.Values{"name": {"Forged"}, "_csrf": {tok}})
		if p.StatusCode != http.StatusForbidden {
			t.Errorf("%s: status %d, want 403", name, p.StatusCode)
		}
	}
	if list, _ := ts.db.ListWorkspaces(t.Context()); len(list) != 0 {
		t.Fatalf("forged requests made %d workspaces", len(list))
	}
	b.post("/w", url.Values{"name": {"Mine"}, "_csrf": {tokenB}}).wantRedirect(t, "/w/mine")

	// Signing out and in again gives a new token; the old one is dead.
	b.post("/logout", url.Values{"_csrf": {tokenB}}).wantRedirect(t, "/login")
	b.get("/login")
	b.post("/login", url.Values{"email": {testEmail}, "password": {testPassword}}).wantRedirect(t, "/")
	b.get("/")
	if b.csrf == tokenB {
		t.Error("the CSRF token survived a new sign-in")
	}
	if p := b.post("/w", url.Values{"name": {"Stale"}, "_csrf": {tokenB}}); p.StatusCode != http.StatusForbidden {
		t.Errorf("the previous session's token: status %d, want 403", p.StatusCode)
	}
}

// chunked is a body of unknown length, so the client sends it chunked,
// without Content-Length.
type chunked struct{ io.Reader }

// An oversized body on the share page's simulation is 413, also when it
// comes chunked and no Content-Length announces it.
func TestShareSimulateBodyTooLarge(t *testing.T) {
	f := newAPIFixture(t)
	slug := importModel(t, f.db, "shop", shopModel())
	token, _ := f.createShare(t, slug, "")
	body := "fail=" + strings.Repeat("server%3Anode-a%2C", 1<<16) // ~1 MiB
	req, _ := http.NewRequest("POST", f.URL+"/s/"+token+"/simulate", chunked{strings.NewReader(body)})
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("chunked 1 MiB simulation: status %d, want 413", resp.StatusCode)
	}
	if req.ContentLength != 0 {
		t.Errorf("the request announced Content-Length %d; it must go chunked", req.ContentLength)
	}
	// A real form still works.
	f.anon(t, "POST", "/s/"+token+"/simulate", url.Values{"fail": {"server:node-a"}}).want(t, http.StatusOK)
}

// Names are isolated where they stand in a sentence, and the number inputs
// allow what the model allows.
func TestUIIsolatesNamesAndBoundsNumbers(t *testing.T) {
	ts := newTestServer(t)
	c := ts.signedIn(t)
	m := shopModel()
	m.Services[1].Name = "سلة" // cart, in Arabic
	m.Placements[1].Service, m.Placements[2].Service = "سلة", "سلة"
	m.Dependencies = nil
	slug := importModel(t, ts.db, "shop", m)
	p := c.get("/w/" + slug)
	p.wantStatus(t, http.StatusOK)
	found := false
	// The editor's delete question is made from the row's data-name.
	p.doc.Find(`[data-name]`).Each(func(_ int, s *goquery.Selection) {
		if v, _ := s.Attr("data-name"); strings.Contains(v, "\u2068سلة\u2069") {
			found = true
		}
	})
	if !found {
		t.Error("no confirmation isolates the right-to-left service name between U+2068 and U+2069")
	}
	if dir, _ := p.find(t, "workspace-name").Attr("dir"); dir != "auto" {
		t.Errorf("workspace title dir=%q, want auto", dir)
	}
	for sel, want := range map[string]string{
		`input[name="instances"][type="number"]`:         "1000000",
		`input[name="calls_per_request"][type="number"]`: "1000000000",
	} {
		n := 0
		p.doc.Find(sel).Each(func(_ int, s *goquery.Selection) {
			n++
			if got, _ := s.Attr("max"); got != want {
				t.Errorf("%s: max=%q, want %s as the model allows", sel, got, want)
			}
		})
		if n == 0 {
			t.Errorf("no %s on the editor", sel)
		}
	}
	// The server holds to the same bound through the form.
	c.get("/w/" + slug)
	r := c.htmx("/w/"+slug+"/placements/matrix/1/1", url.Values{"instances": {"1000001"}})
	if r.StatusCode < 400 {
		t.Errorf("1 000 001 instances through the matrix: status %d", r.StatusCode)
	}
}

// A browser's form post is refused when its Origin is another site's, even
// with the right token; the public address is our origin also when a proxy
// rewrites the Host.
func TestCrossOriginPostsAreRefused(t *testing.T) {
	ts := newTestServer(t)
	c := ts.signedIn(t) // the public address is ts.URL
	c.get("/")
	host := strings.TrimPrefix(ts.URL, "http://")
	for origin, want := range map[string]int{
		"https://evil.example": http.StatusForbidden,
		ts.URL:                 http.StatusSeeOther,
	} {
		p := c.hostRequest("POST", "/w", host, url.Values{"name": {"From " + origin}, "_csrf": {c.csrf}}, "Origin", origin)
		if p.StatusCode != want {
			t.Errorf("Origin %s: status %d, want %d", origin, p.StatusCode, want)
		}
	}
	// Behind a proxy that sends its own Host, the public address still
	// counts as our origin.
	p := c.hostRequest("POST", "/w", "archmap-backend:8080", url.Values{"name": {"Proxied"}, "_csrf": {c.csrf}}, "Origin", ts.URL)
	if p.StatusCode != http.StatusSeeOther {
		t.Errorf("through a Host-rewriting proxy: status %d, want 303", p.StatusCode)
	}
	p = c.hostRequest("POST", "/w", host, url.Values{"name": {"Sneaky"}, "_csrf": {c.csrf}}, "Sec-Fetch-Site", "cross-site")
	if p.StatusCode != http.StatusForbidden {
		t.Errorf("Sec-Fetch-Site: cross-site: status %d, want 403", p.StatusCode)
	}
}
