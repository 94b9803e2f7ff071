package server

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/archmap/archmap/auth"
)

func TestSetupIsTheOnlyPageWithoutAccounts(t *testing.T) {
	ts := newTestServer(t)
	c := ts.newClient(t)
	for _, path := range []string{"/", "/login", "/w/demo", "/nonexistent"} {
		c.get(path).wantRedirect(t, "/setup")
	}
	p := c.get("/setup")
	p.wantStatus(t, http.StatusOK)
	p.find(t, "setup-form")
}

func TestSetupValidatesAndKeepsTheEmail(t *testing.T) {
	tests := []struct {
		name       string
		form       url.Values
		wantField  string
		wantInText string
	}{
		{"passwords differ", url.Values{"email": {"a@example.com"}, "password": {"long enough pw"}, "confirm": {"long enough px"}, "base_url": {testBaseURL}}, "confirm", "differ"},
		{"short password", url.Values{"email": {"a@example.com"}, "password": {"short"}, "confirm": {"short"}, "base_url": {testBaseURL}}, "password", "at least 10"},
		{"bad email", url.Values{"email": {"not-an-email"}, "password": {"long enough pw"}, "confirm": {"long enough pw"}, "base_url": {testBaseURL}}, "email", "email address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTestServer(t)
			c := ts.newClient(t)
			c.get("/setup")
			p := c.post("/setup", tt.form)
			p.wantStatus(t, http.StatusUnprocessableEntity)
			msg := p.find(t, "field-error").Text()
			if !strings.Contains(msg, tt.wantInText) {
				t.Errorf("error %q does not mention %q", msg, tt.wantInText)
			}
			if got, _ := p.doc.Find(`input[name="email"]`).Attr("value"); got != tt.form.Get("email") {
				t.Errorf("email field holds %q, want the typed %q", got, tt.form.Get("email"))
			}
			if n, _ := ts.db.CountUsers(t.Context()); n != 0 {
				t.Errorf("%d users stored after a failed setup", n)
			}
		})
	}
}

func TestSetupCreatesAdminAndSignsIn(t *testing.T) {
	ts := newTestServer(t)
	c := ts.newClient(t)
	c.get("/setup")
	p := c.post("/setup", url.Values{"email": {testEmail}, "password": {testPassword}, "confirm": {testPassword}, "base_url": {testBaseURL}})
	p.wantRedirect(t, "/")
	var session *http.Cookie
	for _, ck := range p.Cookies() {
		if ck.Name == sessionCookie {
			session = ck
		}
	}
	if session == nil {
		t.Fatal("no session cookie after setup")
	}
	if !session.HttpOnly || session.SameSite != http.SameSiteLaxMode {
		t.Errorf("session cookie HttpOnly=%v SameSite=%v, want HttpOnly and Lax", session.HttpOnly, session.SameSite)
	}
	if len(session.Value) < 43 { // 32 bytes, base64url
		t.Errorf("session id %q is shorter than 256 bits", session.Value)
	}
	home := c.get("/")
	home.wantStatus(t, http.StatusOK)
	if got := home.find(t, "current-user").Text(); got != testEmail {
		t.Errorf("signed in as %q, want %q", got, testEmail)
	}
	home.find(t, "workspaces-empty")

	// Setup is closed now, for everyone.
	c.get("/setup").wantRedirect(t, "/login")
	other := ts.newClient(t)
	other.get("/login").wantStatus(t, http.StatusOK)
	other.post("/setup", url.Values{"email": {"evil@example.com"}, "password": {testPassword}, "confirm": {testPassword}, "base_url": {testBaseURL}}).wantRedirect(t, "/login")
	if n, _ := ts.db.CountUsers(t.Context()); n != 1 {
		t.Errorf("%d users, want 1", n)
	}
}

func TestLogin(t *testing.T) {
	ts := newTestServer(t)
	ts.signedIn(t)
	tests := []struct {
		name       string
		email, pw  string
		wantStatus int
	}{
		{"wrong password", testEmail, "wrong password!", http.StatusUnauthorized},
		{"unknown email", "nobody@example.com", testPassword, http.StatusUnauthorized},
		{"email in other case", strings.ToUpper(testEmail), testPassword, http.StatusSeeOther},
		{"right", testEmail, testPassword, http.StatusSeeOther},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ts.newClient(t)
			c.get("/login")
			p := c.post("/login", url.Values{"email": {tt.email}, "password": {tt.pw}, "next": {"/w/x?y=1"}})
			p.wantStatus(t, tt.wantStatus)
			if tt.wantStatus == http.StatusSeeOther {
				p.wantRedirect(t, "/w/x?y=1")
				return
			}
			if got := p.find(t, "form-errors").Text(); !strings.Contains(got, "Wrong email or password") {
				t.Errorf("message %q", got)
			}
			if got, _ := p.doc.Find(`input[name="email"]`).Attr("value"); got != tt.email {
				t.Errorf("email field holds %q, want %q", got, tt.email)
			}
		})
	}
}

func TestLoginRotatesAndLogoutEndsTheSession(t *testing.T) {
	ts := newTestServer(t)
	c := ts.signedIn(t)
	before := c.sessionID(t)

	c.get("/login") // signed in: redirects, but the page sets a token
	c.get("/")
	c.post("/login", url.Values{"email": {testEmail}, "password": {testPassword}}).wantRedirect(t, "/")
	after := c.sessionID(t)
	if after == before {
		t.Fatal("login kept the old session id")
	}
	// The old id no longer signs anyone in.
	stale := ts.newClient(t)
	stale.setSession(t, before)
	stale.get("/").wantRedirect(t, "/login?next=%2F")

	c.get("/")
	c.post("/logout", nil).wantRedirect(t, "/login")
	c.get("/").wantRedirect(t, "/login?next=%2F")
	replay := ts.newClient(t)
	replay.setSession(t, after)
	replay.get("/").wantRedirect(t, "/login?next=%2F")
}

func TestLoginIsRateLimitedPerAddress(t *testing.T) {
	ts := newTestServer(t)
	ts.signedIn(t)
	// No refill during the test, however slow hashing is (race detector).
	ts.srv.logins = newLoginLimiterEvery(time.Hour)
	c := ts.newClient(t)
	c.get("/login")
	var last *page
	for range loginBurst + 1 {
		last = c.post("/login", url.Values{"email": {testEmail}, "password": {"wrong password"}})
	}
	last.wantStatus(t, http.StatusTooManyRequests)
	// Even the right password waits now.
	c.post("/login", url.Values{"email": {testEmail}, "password": {testPassword}}).wantStatus(t, http.StatusTooManyRequests)
}

func TestNextCannotLeaveTheSite(t *testing.T) {
	for _, next := range []string{"https://evil.example/", "//evil.example/x", `/\evil.example`, "javascript:alert(1)", ""} {
		if got := safeNext(next); got != "/" {
			t.Errorf("safeNext(%q) = %q, want /", next, got)
		}
	}
	if got := safeNext("/w/shop/diagram?view=deployment"); got != "/w/shop/diagram?view=deployment" {
		t.Errorf("safeNext kept %q", got)
	}
}

// The server hashes with the hasher it is given (tests: the cheap one), and
// what it stores signs in with the production hasher too: the cost travels
// with each hash.
func TestSetupHashesWithTheConfiguredHasher(t *testing.T) {
	ts := newTestServer(t)
	c := ts.newClient(t)
	c.get("/setup")
	c.post("/setup", url.Values{"email": {testEmail}, "password": {testPassword}, "confirm": {testPassword}, "base_url": {testBaseURL}}).wantRedirect(t, "/")
	u, err := ts.db.GetUserByEmail(t.Context(), testEmail)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(u.PasswordHash), "$argon2id$v=19$m=8192,t=1,p=1$") {
		t.Errorf("setup stored %q, want the test hasher's cost", u.PasswordHash)
	}
	if ok, err := (auth.Hasher{}).Verify(u.PasswordHash, testPassword); err != nil || !ok {
		t.Errorf("the production hasher does not verify it: %v, %v", ok, err)
	}
}

func (c *client) sessionID(tb testing.TB) string {
	tb.Helper()
	u, _ := url.Parse(c.ts.URL)
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == sessionCookie {
			return ck.Value
		}
	}
	tb.Fatal("no session cookie")
	return ""
}

func (c *client) setSession(tb testing.TB, id string) {
	tb.Helper()
	u, _ := url.Parse(c.ts.URL)
	c.http.Jar.SetCookies(u, []*http.Cookie{{Name: sessionCookie, Value: id, Path: "/"}})
}
