package server

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/archmap/archmap/topology/topologytest"
)

// rawGet fetches a page as a browser does, gzip accepted, and returns the
// body as sent on the wire and decoded.
func (c *client) rawGet(tb testing.TB, path string) (resp *http.Response, wire int, body string) {
	tb.Helper()
	req, err := http.NewRequest(http.MethodGet, c.ts.URL+path, nil)
	if err != nil {
		tb.Fatal(err)
	}
	// Set by hand, the header turns off the transport's transparent
	// decoding: we see what went over the wire.
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err = c.http.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	if resp.Header.Get("Content-Encoding") != "gzip" {
		return resp, len(raw), string(raw)
	}
	zr, err := gzip.NewReader(strings.NewReader(string(raw)))
	if err != nil {
		tb.Fatalf("%s: gzip: %v", path, err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil {
		tb.Fatalf("%s: gunzip: %v", path, err)
	}
	return resp, len(raw), string(plain)
}

// HTML answers are gzip-encoded for browsers that accept it, and the
// 1 000-service model tab is far under 150 KB on the wire.
func TestHTMLIsCompressed(t *testing.T) {
	ts := newTestServer(t)
	c := ts.signedIn(t)
	slug := importModel(t, ts.db, "big", topologytest.Generate(1000))
	resp, wire, body := c.rawGet(t, "/w/"+slug)
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("the model tab is sent with Content-Encoding %q", resp.Header.Get("Content-Encoding"))
	}
	if !strings.Contains(resp.Header.Get("Vary"), "Accept-Encoding") {
		t.Errorf("Vary %q lacks Accept-Encoding", resp.Header.Get("Vary"))
	}
	if !strings.Contains(body, `data-testid="editor"`) {
		t.Errorf("the decoded page is not the editor")
	}
	t.Logf("model tab at 1000 services: %d bytes on the wire, %d decoded", wire, len(body))
	if wire > 150<<10 || wire*3 > len(body) {
		t.Errorf("model tab: %d bytes on the wire for %d of HTML", wire, len(body))
	}
	// Without gzip in Accept-Encoding, plain HTML.
	req, _ := http.NewRequest(http.MethodGet, ts.URL+"/w/"+slug, nil)
	req.Header.Set("Accept-Encoding", "identity")
	plain, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	plain.Body.Close()
	if plain.Header.Get("Content-Encoding") != "" {
		t.Errorf("identity asked, %q sent", plain.Header.Get("Content-Encoding"))
	}
}

// The CSRF token is masked afresh in every response, so a compressed page
// never holds the same secret twice (BREACH): the session's token itself
// never appears, each masked form is accepted, a tampered one is not.
func TestCSRFTokenIsMaskedPerResponse(t *testing.T) {
	ts := newTestServer(t)
	c := ts.signedIn(t)
	slug := c.newWorkspace(t, "Shop")
	var secret string
	u, _ := url.Parse(ts.URL)
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == sessionCookie {
			secret = ck.Value
		}
	}
	if secret == "" {
		t.Fatal("no session cookie")
	}
	token := sessionCSRFToken(secret)

	p1, rev := c.editor(t, slug)
	t1 := c.csrf
	p2, _ := c.editor(t, slug)
	t2 := c.csrf
	if t1 == t2 {
		t.Errorf("two pages carry the same token %q", t1)
	}
	for _, p := range []*page{p1, p2} {
		if strings.Contains(p.body, token) {
			t.Fatal("a page shows the session's CSRF token unmasked")
		}
	}
	// Either masked form is good for a write.
	for i, tok := range []string{t1, t2} {
		c.csrf = tok
		r := c.htmx("/w/"+slug+"/services", url.Values{"name": {"svc-" + itoa(int64(i))}, "revision": {rev}})
		r.wantStatus(t, http.StatusOK)
		rev, _ = r.find(t, "revision").Attr("value")
	}
	// The attacks: a flipped bit, the unmasked token, half a mask, another
	// session's token.
	flip := []byte(t1)
	if flip[5] == 'A' {
		flip[5] = 'B'
	} else {
		flip[5] = 'A'
	}
	other := ts.signedInAgain(t)
	for name, bad := range map[string]string{
		"flipped":           string(flip),
		"unmasked":          token,
		"half":              t1[:len(t1)/2],
		"another session's": other.csrf,
		"empty":             "",
	} {
		c.csrf = bad
		r := c.htmx("/w/"+slug+"/services", url.Values{"name": {"evil"}, "revision": {rev}})
		if r.StatusCode != http.StatusForbidden {
			t.Errorf("%s token: status %d, want 403", name, r.StatusCode)
		}
	}
	m, _, _ := ts.db.LoadModel(t.Context(), slug)
	for _, s := range m.Services {
		if s.Name == "evil" {
			t.Error("a write with a bad token went through")
		}
	}
}

// signedInAgain is a second browser signed in as the test user.
func (ts *testServer) signedInAgain(tb testing.TB) *client {
	tb.Helper()
	c := ts.newClient(tb)
	c.get("/login")
	c.post("/login", url.Values{"email": {testEmail}, "password": {testPassword}}).wantRedirect(tb, "/")
	c.get("/")
	return c
}
