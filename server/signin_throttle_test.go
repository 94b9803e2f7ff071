package server

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/store"
)

// loginFrom signs in with the client as if from address (the test server
// believes X-Forwarded-For, as behind a proxy).
func (c *client) loginFrom(address, email, pw string) *page {
	c.tb.Helper()
	form := url.Values{"email": {email}, "password": {pw}, "_csrf": {c.csrf}}
	req, err := http.NewRequest(http.MethodPost, c.ts.URL+"/login", strings.NewReader(form.Encode()))
	if err != nil {
		c.tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-For", address)
	return c.do(req)
}

// browserAt is a new signed-out client with the sign-in page loaded.
func (ts *testServer) browserAt(tb testing.TB) *client {
	tb.Helper()
	c := ts.newClient(tb)
	c.get("/login")
	return c
}

// The attack: an attacker guesses one account's password from one address.
// Past a few failures each guess waits longer, then the pair is refused
// for the window, the right password included; the owner, from the address
// they signed in from before, is not locked out; after the window the
// right password works from the attacker's address too.
func TestSignInThrottle(t *testing.T) {
	ts := newTestServer(t)
	ts.signedIn(t)
	ts.srv.echo.IPExtractor = echo.ExtractIPFromXFFHeader(echo.TrustLoopback(true))
	ts.srv.logins = newLoginLimiterEvery(time.Microsecond) // this node's flood guard is another test's
	now := time.Now()
	ts.srv.throttle.now = func() time.Time { return now }
	const attacker, owner, stranger = "203.0.113.9", "198.51.100.7", "192.0.2.44"

	ts.browserAt(t).loginFrom(owner, testEmail, testPassword).wantRedirect(t, "/") // the owner's address is known now
	c := ts.browserAt(t)

	policy := ts.srv.throttle.policy
	for i := range policy.PairFree {
		c.loginFrom(attacker, testEmail, "guess "+strconv.Itoa(i)).wantStatus(t, http.StatusUnauthorized)
	}
	// The next guess at once waits.
	p := c.loginFrom(attacker, testEmail, "too soon")
	p.wantStatus(t, http.StatusTooManyRequests)
	if ra := p.Header.Get("Retry-After"); ra != "1" {
		t.Errorf("Retry-After %q, want 1", ra)
	}
	if got := p.find(t, "form-errors").Text(); !strings.Contains(got, "Wait 1 second") {
		t.Errorf("slowed: %q", got)
	}
	// Waiting as told, the attacker reaches the lockout.
	for i := policy.PairFree; i < policy.PairLock; i++ {
		now = now.Add(policy.MaxDelay)
		c.loginFrom(attacker, testEmail, "guess "+strconv.Itoa(i)).wantStatus(t, http.StatusUnauthorized)
	}
	now = now.Add(policy.MaxDelay)
	p = c.loginFrom(attacker, testEmail, testPassword) // even the right password
	p.wantStatus(t, http.StatusTooManyRequests)
	if got := p.find(t, "form-errors").Text(); !strings.Contains(got, "blocked for 15 minutes") {
		t.Errorf("locked: %q", got)
	}
	if ra, _ := strconv.Atoi(p.Header.Get("Retry-After")); ra < 800 || ra > 900 {
		t.Errorf("Retry-After %d s, want the rest of 15 minutes", ra)
	}
	// Refused attempts are not counted: sending more does not extend it.
	for range 5 {
		c.loginFrom(attacker, testEmail, "more").wantStatus(t, http.StatusTooManyRequests)
	}

	// The owner, from the address they signed in from before, is not held
	// back; their success clears the account's count, so from a new
	// address too they sign in at once. The attacker stays locked out.
	ts.browserAt(t).loginFrom(owner, testEmail, testPassword).wantRedirect(t, "/")
	ts.browserAt(t).loginFrom(stranger, testEmail, testPassword).wantRedirect(t, "/")
	c.loginFrom(attacker, testEmail, testPassword).wantStatus(t, http.StatusTooManyRequests)

	// The window passes: the right password works from the attacker's
	// address too.
	now = now.Add(policy.Window)
	c.loginFrom(attacker, testEmail, testPassword).wantRedirect(t, "/")

	var fromAttacker int
	for _, e := range auditActions(t, ts.db)[store.AuditSignInFailed] {
		if e.Address == attacker && e.Target == testEmail {
			fromAttacker++
		}
	}
	if fromAttacker < policy.PairLock {
		t.Errorf("%d failed sign-ins from the attacker's address in the audit log, want at least %d", fromAttacker, policy.PairLock)
	}
}

// Unknown emails are throttled as real ones: the answers do not tell which
// accounts exist.
func TestSignInThrottleTreatsUnknownEmailsAlike(t *testing.T) {
	ts := newTestServer(t)
	ts.signedIn(t)
	ts.srv.logins = newLoginLimiterEvery(time.Microsecond)
	c := ts.newClient(t)
	c.get("/login")
	for _, email := range []string{testEmail, "nobody@example.com"} {
		var statuses []int
		for range ts.srv.throttle.policy.PairFree + 1 {
			statuses = append(statuses, c.post("/login", url.Values{"email": {email}, "password": {"wrong password"}}).StatusCode)
		}
		want := []int{401, 401, 401, 429}
		for i := range want {
			if statuses[i] != want[i] {
				t.Errorf("%s: statuses %v, want %v", email, statuses, want)
				break
			}
		}
	}
}

// Many addresses guessing one account's password: the account-wide limit
// locks it for addresses it never signed in from, and not for the owner's.
func TestSignInThrottleAcrossAddresses(t *testing.T) {
	ts := newTestServer(t)
	ts.signedIn(t)
	ts.srv.echo.IPExtractor = echo.ExtractIPFromXFFHeader(echo.TrustLoopback(true))
	ts.srv.logins = newLoginLimiterEvery(time.Microsecond)
	now := time.Now()
	ts.srv.throttle.now = func() time.Time { return now }
	policy := ts.srv.throttle.policy
	ts.browserAt(t).loginFrom("198.51.100.7", testEmail, testPassword).wantRedirect(t, "/")
	c := ts.browserAt(t)
	start := now
	for i := range policy.AccountLock {
		if i >= policy.AccountFree { // wait as told, no longer
			now = now.Add(min(time.Second<<(i-policy.AccountFree), policy.MaxDelay))
		}
		addr := "203.0.113." + strconv.Itoa(i+1) // a botnet: one guess each
		c.loginFrom(addr, testEmail, "guess").wantStatus(t, http.StatusUnauthorized)
	}
	if now.Sub(start) >= policy.Window {
		t.Fatalf("the guesses took %v, longer than the window", now.Sub(start))
	}
	p := c.loginFrom("192.0.2.1", testEmail, testPassword)
	p.wantStatus(t, http.StatusTooManyRequests)
	if got := p.find(t, "form-errors").Text(); !strings.Contains(got, "for this account") {
		t.Errorf("account lock: %q", got)
	}
	ts.browserAt(t).loginFrom("198.51.100.7", testEmail, testPassword).wantRedirect(t, "/")
}
