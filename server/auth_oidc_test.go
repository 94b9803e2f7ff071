package server

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/archmap/archmap/auth"
	"github.com/archmap/archmap/store"
)

// ssoStart presses the login page's single sign-on button and returns the
// provider's authorization URL archmap redirects to.
func (c *client) ssoStart(tb testing.TB, next string) string {
	tb.Helper()
	href, _ := c.get("/login?"+url.Values{"next": {next}}.Encode()).find(tb, "sso-submit").Attr("href")
	p := c.get(href)
	if p.StatusCode != http.StatusSeeOther {
		tb.Fatalf("start: status %d, want 303; body:\n%.1000s", p.StatusCode, p.body)
	}
	return p.Header.Get("Location")
}

// callback follows the provider's redirect back to archmap.
func (c *client) callback(tb testing.TB, callbackURL string) *page {
	tb.Helper()
	u, err := url.Parse(callbackURL)
	if err != nil {
		tb.Fatal(err)
	}
	return c.get(u.RequestURI())
}

// signedInAs fails unless the client's session is the account with email.
func (c *client) signedInAs(tb testing.TB, email string) {
	tb.Helper()
	p := c.get("/")
	p.wantStatus(tb, http.StatusOK)
	if got := p.doc.Find(`[data-testid="current-user"]`).Text(); !strings.Contains(got, email) {
		tb.Fatalf("signed in as %q, want %s", got, email)
	}
}

// signedOut fails unless the client has no session.
func (c *client) signedOut(tb testing.TB) {
	tb.Helper()
	if p := c.get("/"); p.StatusCode != http.StatusSeeOther || !strings.HasPrefix(p.Header.Get("Location"), "/login") {
		tb.Fatalf("GET / answered %d to %q: signed in", p.StatusCode, p.Header.Get("Location"))
	}
}

func wantRefused(tb testing.TB, p *page, status int, says string) {
	tb.Helper()
	p.wantStatus(tb, status)
	if msg := p.find(tb, "error-message").Text(); !strings.Contains(msg, says) {
		tb.Fatalf("refusal says %q, want it to say %q", msg, says)
	}
	for _, ck := range p.Cookies() {
		if ck.Name == sessionCookie && ck.Value != "" {
			tb.Fatalf("a refused sign-in set a session cookie")
		}
	}
}

func TestOIDCSignInCreatesLinksAndMapsAdmins(t *testing.T) {
	ts, op := newSSOServer(t, nil)
	ctx := context.Background()
	op.users.add("ada", "Ada@Example.org", true)

	// First sign-in: a new account, no password, not an admin; back where
	// the user was going.
	c := ts.newClient(t)
	authURL := c.ssoStart(t, "/w/demo?x=1")
	for _, want := range []string{"code_challenge_method=S256", "code_challenge=", "nonce=", "state="} {
		if !strings.Contains(authURL, want) {
			t.Errorf("authorization URL %s lacks %s", authURL, want)
		}
	}
	c.callback(t, op.login(t, authURL, "ada")).wantRedirect(t, "/w/demo?x=1")
	c.signedInAs(t, "Ada@Example.org")
	u, err := ts.db.GetUserByEmail(ctx, "ada@example.org")
	if err != nil || u.Admin || !auth.IsNoPassword(u.PasswordHash) {
		t.Fatalf("account %+v, %v", u, err)
	}
	// It has no password to sign in with.
	pw := ts.newClient(t)
	pw.get("/login")
	pw.post("/login", url.Values{"email": {"ada@example.org"}, "password": {string(auth.NoPassword)}}).wantStatus(t, http.StatusUnauthorized)

	// The group makes an admin at the next sign-in, and its loss unmakes one.
	op.users.add("ada", "ada@example.org", true, "staff", "archmap-admins")
	c2 := ts.newClient(t)
	c2.callback(t, op.login(t, c2.ssoStart(t, ""), "ada")).wantRedirect(t, "/")
	if u, err := ts.db.GetUserByEmail(ctx, "ada@example.org"); err != nil || !u.Admin {
		t.Fatalf("in the admin group: %+v, %v", u, err)
	}
	op.users.add("ada", "ada@example.org", true, "staff")
	c3 := ts.newClient(t)
	c3.callback(t, op.login(t, c3.ssoStart(t, ""), "ada")).wantRedirect(t, "/")
	if u, err := ts.db.GetUserByEmail(ctx, "ada@example.org"); err != nil || u.Admin {
		t.Fatalf("out of the admin group: %+v, %v", u, err)
	}

	// A new email at the provider is still the same account.
	op.users.add("ada", "ada.lovelace@example.org", true)
	c4 := ts.newClient(t)
	c4.callback(t, op.login(t, c4.ssoStart(t, ""), "ada")).wantRedirect(t, "/")
	c4.signedInAs(t, "Ada@Example.org")

	// The admin made at /setup signs in by email and keeps the password.
	op.users.add("root", testEmail, true)
	// (and the start, like the login page, keeps "next" on this site).
	c5 := ts.newClient(t)
	start := c5.get("/auth/oidc/start?next=%2F%2Fevil.example%2Fx")
	start.wantStatus(t, http.StatusSeeOther)
	c5.callback(t, op.login(t, start.Header.Get("Location"), "root")).wantRedirect(t, "/")
	c5.signedInAs(t, testEmail)
	if u, err := ts.db.GetUserByEmail(ctx, testEmail); err != nil || auth.IsNoPassword(u.PasswordHash) || !u.Admin {
		t.Fatalf("linked admin %+v, %v", u, err)
	}
	if n, err := ts.db.CountUsers(ctx); err != nil || n != 2 {
		t.Fatalf("%d accounts, %v; want 2", n, err)
	}
}

func TestOIDCWrongStateIsRefused(t *testing.T) {
	ts, op := newSSOServer(t, nil)
	op.users.add("eve", "eve@example.org", true)

	// A state that is not this browser's.
	c := ts.newClient(t)
	cb := op.login(t, c.ssoStart(t, ""), "eve")
	u, _ := url.Parse(cb)
	q := u.Query()
	q.Set("state", q.Get("state")[:len(q.Get("state"))-1]+"A")
	u.RawQuery = q.Encode()
	wantRefused(t, c.callback(t, u.String()), http.StatusBadRequest, "not started in this browser")
	c.signedOut(t)
	// The try used up the flow: the genuine callback fails after it.
	wantRefused(t, c.callback(t, cb), http.StatusBadRequest, "not started in this browser")
	c.signedOut(t)

	// A callback another browser started (login CSRF: the attacker's own
	// code and state, delivered to the victim) finds no flow in the victim's.
	attacker := ts.newClient(t)
	cb = op.login(t, attacker.ssoStart(t, ""), "eve")
	victim := ts.newClient(t)
	victim.get("/login")
	wantRefused(t, victim.callback(t, cb), http.StatusBadRequest, "not started in this browser")
	victim.signedOut(t)

	// No state at all.
	c = ts.newClient(t)
	cb = op.login(t, c.ssoStart(t, ""), "eve")
	u, _ = url.Parse(cb)
	q = u.Query()
	q.Del("state")
	u.RawQuery = q.Encode()
	wantRefused(t, c.callback(t, u.String()), http.StatusBadRequest, "not started in this browser")
	if _, err := ts.db.GetUserByEmail(context.Background(), "eve@example.org"); err == nil {
		t.Error("refused sign-ins created an account")
	}
}

func TestOIDCReplayedCodeIsRefused(t *testing.T) {
	ts, op := newSSOServer(t, nil)
	op.users.add("ada", "ada@example.org", true)

	c := ts.newClient(t)
	authURL := c.ssoStart(t, "")
	flowCookie := cookieValue(t, c, oidcCookiePath, oidcCookie)
	cb := op.login(t, authURL, "ada")
	c.callback(t, cb).wantRedirect(t, "/")
	c.signedInAs(t, "ada@example.org")

	// The same browser again: its flow is used up.
	wantRefused(t, c.callback(t, cb), http.StatusBadRequest, "not started in this browser")

	// Someone who copied both the flow cookie and the callback URL gets
	// past the state check, but the provider does not take a code twice.
	thief := ts.newClient(t)
	u, _ := url.Parse(ts.URL + oidcCookiePath)
	thief.http.Jar.SetCookies(u, []*http.Cookie{{Name: oidcCookie, Value: flowCookie, Path: oidcCookiePath}})
	wantRefused(t, thief.callback(t, cb), http.StatusUnauthorized, "did not accept this sign-in")
	thief.signedOut(t)
}

func TestOIDCNonceMismatchIsRefused(t *testing.T) {
	ts, op := newSSOServer(t, nil)
	op.users.add("ada", "ada@example.org", true)

	// The browser's state and PKCE, but another nonce: the code is good,
	// the exchange succeeds, and the ID token is not for this flow.
	c := ts.newClient(t)
	u, _ := url.Parse(c.ssoStart(t, ""))
	q := u.Query()
	q.Set("nonce", "someone-elses-nonce")
	u.RawQuery = q.Encode()
	wantRefused(t, c.callback(t, op.login(t, u.String(), "ada")), http.StatusUnauthorized, "belongs to another sign-in")
	c.signedOut(t)

	// Without the PKCE challenge the provider hands out a code, and the
	// exchange with the verifier fails.
	c = ts.newClient(t)
	u, _ = url.Parse(c.ssoStart(t, ""))
	q = u.Query()
	q.Del("code_challenge")
	q.Del("code_challenge_method")
	u.RawQuery = q.Encode()
	wantRefused(t, c.callback(t, op.login(t, u.String(), "ada")), http.StatusUnauthorized, "did not accept")
	c.signedOut(t)
}

func TestOIDCUnverifiedEmailIsRefused(t *testing.T) {
	ts, op := newSSOServer(t, nil)
	// Even for the email of an existing account: an unverified address
	// would hand that account to whoever typed it at the provider.
	op.users.add("mallory", testEmail, false, "archmap-admins")
	c := ts.newClient(t)
	wantRefused(t, c.callback(t, op.login(t, c.ssoStart(t, ""), "mallory")), http.StatusForbidden, "not verified")
	c.signedOut(t)
	ids, err := ts.db.ListOIDCIdentities(context.Background(), 1)
	if err != nil || len(ids) != 0 {
		t.Fatalf("identities %+v, %v", ids, err)
	}
}

func TestOIDCEmailDomains(t *testing.T) {
	ts, op := newSSOServer(t, func(cfg *Config) { cfg.OIDC.EmailDomains = []string{"example.org"} })
	op.users.add("ada", "ada@EXAMPLE.org", true)
	op.users.add("gmail", "someone@gmail.com", true)
	op.users.add("sub", "x@evil.example.org.attacker.com", true)
	c := ts.newClient(t)
	c.callback(t, op.login(t, c.ssoStart(t, ""), "ada")).wantRedirect(t, "/")
	for _, who := range []string{"gmail", "sub"} {
		c := ts.newClient(t)
		wantRefused(t, c.callback(t, op.login(t, c.ssoStart(t, ""), who)), http.StatusForbidden, "email domain")
		c.signedOut(t)
	}
	if n, err := ts.db.CountUsers(context.Background()); err != nil || n != 2 {
		t.Fatalf("%d accounts, %v; want the admin and ada", n, err)
	}
}

func TestOIDCProviderErrorIsShownWithoutItsText(t *testing.T) {
	ts, _ := newSSOServer(t, nil)
	c := ts.newClient(t)
	u, _ := url.Parse(c.ssoStart(t, ""))
	state := u.Query().Get("state")
	p := c.get(OIDCCallbackPath + "?" + url.Values{"state": {state}, "error": {"access_denied"}, "error_description": {"<b>Call +1 555 0100 to unlock</b>"}}.Encode())
	wantRefused(t, p, http.StatusUnauthorized, "access denied")
	if strings.Contains(p.body, "555") {
		t.Error("the provider's description reached the page")
	}
}

func TestPasswordSignInOff(t *testing.T) {
	ts, op := newSSOServer(t, func(cfg *Config) { cfg.NoPasswordSignIn = true })
	c := ts.newClient(t)
	p := c.get("/login")
	p.wantStatus(t, http.StatusOK)
	if n := p.doc.Find(`[data-testid="login-form"], input[type="password"]`).Length(); n != 0 {
		t.Fatalf("the login page still has %d password elements", n)
	}
	if got := p.find(t, "sso-submit").Text(); got != "Sign in with Test IdP" {
		t.Errorf("button %q", got)
	}
	// The right password of the admin made at /setup: refused all the same.
	p = c.post("/login", url.Values{"email": {testEmail}, "password": {testPassword}})
	p.wantStatus(t, http.StatusForbidden)
	if msg := p.find(t, "form-errors").Text(); !strings.Contains(msg, "Password sign-in is turned off") {
		t.Errorf("refusal says %q", msg)
	}
	c.signedOut(t)
	// Single sign-on works, for that admin too.
	op.users.add("root", testEmail, true)
	c.callback(t, op.login(t, c.ssoStart(t, ""), "root")).wantRedirect(t, "/")
	c.signedInAs(t, testEmail)
}

func TestOIDCOffByDefault(t *testing.T) {
	ts := newTestServer(t)
	c := ts.newClient(t)
	ts.signedIn(t)
	p := c.get("/login")
	if p.doc.Find(`[data-testid="sso"]`).Length() != 0 {
		t.Error("a sign-on button without a provider")
	}
	p.find(t, "login-form")
	c.get("/auth/oidc/start").wantStatus(t, http.StatusNotFound)
	c.get(OIDCCallbackPath+"?state=x&code=y").wantStatus(t, http.StatusNotFound)
}

func TestOIDCConfigIsValidated(t *testing.T) {
	good := OIDCConfig{Issuer: "https://id.example.com/realms/acme", ClientID: "archmap", RedirectURL: "https://archmap.example.com/auth/oidc/callback"}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		change func(*OIDCConfig)
		says   string
	}{
		"no issuer":               {func(c *OIDCConfig) { c.Issuer = "" }, "issuer is missing"},
		"plain http issuer":       {func(c *OIDCConfig) { c.Issuer = "http://id.example.com" }, "must be https"},
		"relative issuer":         {func(c *OIDCConfig) { c.Issuer = "id.example.com" }, "not an absolute URL"},
		"no client id":            {func(c *OIDCConfig) { c.ClientID = "" }, "client id is missing"},
		"no redirect URL":         {func(c *OIDCConfig) { c.RedirectURL = "" }, "redirect URL is missing"},
		"redirect elsewhere":      {func(c *OIDCConfig) { c.RedirectURL = "https://archmap.example.com/callback" }, "must end in /auth/oidc/callback"},
		"redirect with a query":   {func(c *OIDCConfig) { c.RedirectURL += "?a=b" }, "must end in /auth/oidc/callback"},
		"groups claim with space": {func(c *OIDCConfig) { c.GroupsClaim = "my groups" }, "groups claim"},
		"email domain with an @":  {func(c *OIDCConfig) { c.EmailDomains = []string{"@example.com"} }, "email domain"},
	} {
		c := good
		tc.change(&c)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%s: %v, want it to say %q", name, err, tc.says)
		}
	}
	loopback := good
	loopback.Issuer = "http://127.0.0.1:5556/dex"
	if err := loopback.Validate(); err != nil {
		t.Errorf("a provider on this machine may be plain http: %v", err)
	}
	db, err := store.Open(context.Background(), t.TempDir()+"/a.db")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := New(Config{DB: db, Renderer: sharedRenderer(t), NoPasswordSignIn: true}); err == nil || !strings.Contains(err.Error(), "nobody could sign in") {
		t.Errorf("password sign-in off without OpenID Connect: %v", err)
	}
	bad := good
	bad.ClientID = ""
	if _, err := New(Config{DB: db, Renderer: sharedRenderer(t), OIDC: &bad}); err == nil || !strings.Contains(err.Error(), "client id") {
		t.Errorf("a bad OpenID Connect configuration: %v", err)
	}
}

// cookieValue is the value of the client's cookie named name on path.
func cookieValue(tb testing.TB, c *client, path, name string) string {
	tb.Helper()
	u, _ := url.Parse(c.ts.URL + path)
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == name {
			return ck.Value
		}
	}
	tb.Fatalf("no cookie %s for %s", name, path)
	return ""
}

// TestOIDCIsAudited: single sign-ons, what they change and the refused ones
// are in the audit log.
func TestOIDCIsAudited(t *testing.T) {
	ts, op := newSSOServer(t, nil)
	op.users.add("ada", "ada@example.org", true, "archmap-admins")
	op.users.add("root", testEmail, true)
	op.users.add("eve", "eve@example.org", false)

	c := ts.newClient(t)
	c.callback(t, op.login(t, c.ssoStart(t, ""), "ada")).wantRedirect(t, "/")
	c = ts.newClient(t)
	c.callback(t, op.login(t, c.ssoStart(t, ""), "root")).wantRedirect(t, "/")
	c = ts.newClient(t)
	c.callback(t, op.login(t, c.ssoStart(t, ""), "eve")).wantStatus(t, http.StatusForbidden)
	c = ts.newClient(t)
	c.get(OIDCCallbackPath+"?state=forged&code=stolen").wantStatus(t, http.StatusBadRequest)

	events, _, err := ts.db.ListAudit(context.Background(), store.AuditQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for i := len(events) - 1; i >= 0; i-- {
		e := events[i]
		got = append(got, e.Action+" "+e.Target+" by "+e.Actor+": "+e.Detail)
		if e.Address == "" {
			t.Errorf("%s has no address", e.Action)
		}
	}
	want := []string{
		"setup " + testEmail + " by " + testEmail + ": first administrator",
		"user.create ada@example.org by ada@example.org: at the first single sign-on",
		"user.admin_sync ada@example.org by ada@example.org: made admin: in the group archmap-admins",
		"sign_in ada@example.org by ada@example.org: single sign-on",
		"sso.link " + testEmail + " by " + testEmail + ": single sign-on identity linked by verified email",
		"user.admin_sync " + testEmail + " by " + testEmail + ": no longer admin: not in the group archmap-admins",
		"sign_in " + testEmail + " by " + testEmail + ": single sign-on",
		"sign_in_failed eve@example.org by : single sign-on: email not verified",
		"sign_in_failed  by : single sign-on: no sign-in in progress in this browser",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("audit log:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// Forged callbacks are refused, every one, but flood the log no more
	// than the budget of their address.
	for range 3 * loginBurst {
		c.get(OIDCCallbackPath+"?state=forged&code=stolen").wantStatus(t, http.StatusBadRequest)
	}
	if _, n, err := ts.db.ListAudit(context.Background(), store.AuditQuery{Action: store.AuditSignInFailed}); err != nil || n > loginBurst+1 {
		t.Errorf("%d failed sign-ins logged, %v; want at most %d", n, err, loginBurst+1)
	}
}

// A provider that is down does not stop archmap: password sign-in works,
// and the button says the provider cannot be reached.
func TestOIDCProviderDown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := "http://" + ln.Addr().String()
	ln.Close()
	ts := newTestServerWith(t, func(cfg *Config, url string) {
		cfg.OIDC = &OIDCConfig{Issuer: down, ClientID: "archmap", RedirectURL: url + OIDCCallbackPath}
	})
	if err := ts.srv.CheckOIDC(context.Background()); err == nil || !strings.Contains(err.Error(), down) {
		t.Errorf("CheckOIDC = %v, want an error naming the issuer", err)
	}
	ts.signedIn(t)
	c := ts.newClient(t)
	wantRefused(t, c.get("/auth/oidc/start"), http.StatusServiceUnavailable, "cannot be reached")
	c.get("/login")
	c.post("/login", url.Values{"email": {testEmail}, "password": {testPassword}}).wantRedirect(t, "/")
}

// TestOIDCDisabledAccountIsRefused: the provider vouching for an account
// an admin disabled signs nobody in, and says why; enabled again, it does.
func TestOIDCDisabledAccountIsRefused(t *testing.T) {
	ts, op := newSSOServer(t, nil)
	op.users.add("ada", "ada@example.org", true)
	c := ts.newClient(t)
	c.callback(t, op.login(t, c.ssoStart(t, ""), "ada")).wantRedirect(t, "/")
	u, err := ts.db.GetUserByEmail(context.Background(), "ada@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ts.db.SetUserDisabled(context.Background(), u.ID, true); err != nil {
		t.Fatal(err)
	}
	c.signedOut(t) // disabling ended the session
	again := ts.newClient(t)
	wantRefused(t, again.callback(t, op.login(t, again.ssoStart(t, ""), "ada")), http.StatusForbidden, "disabled")
	again.signedOut(t)

	if _, err := ts.db.SetUserDisabled(context.Background(), u.ID, false); err != nil {
		t.Fatal(err)
	}
	back := ts.newClient(t)
	back.callback(t, op.login(t, back.ssoStart(t, ""), "ada")).wantRedirect(t, "/")
	back.signedInAs(t, "ada@example.org")
}
