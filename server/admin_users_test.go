package server

import (
	"context"
	"database/sql"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/archmap/archmap/store"
)

// adminCreatesUser creates an account on the admin page with the admin's
// client and returns the one-time link's path and the account.
func adminCreatesUser(tb testing.TB, admin *client, email string) (string, *store.User) {
	tb.Helper()
	admin.get("/admin/users").wantStatus(tb, http.StatusOK)
	p := admin.post("/admin/users", url.Values{"email": {email}})
	p.wantStatus(tb, http.StatusOK)
	if cc := p.Header.Get("Cache-Control"); cc != "no-store" {
		tb.Errorf("the page with the link has Cache-Control %q, want no-store", cc)
	}
	link, _ := p.find(tb, "password-link").Attr("value")
	path, ok := strings.CutPrefix(link, admin.ts.URL)
	if !ok || !strings.HasPrefix(path, "/password/") {
		tb.Fatalf("link %q is not %s/password/…", link, admin.ts.URL)
	}
	u, err := admin.ts.db.GetUserByEmail(context.Background(), email)
	if err != nil {
		tb.Fatal(err)
	}
	return path, u
}

// userID finds an account's id for the row actions.
func userID(tb testing.TB, ts *testServer, email string) string {
	tb.Helper()
	u, err := ts.db.GetUserByEmail(context.Background(), email)
	if err != nil {
		tb.Fatal(err)
	}
	return strconv.FormatInt(u.ID, 10)
}

func auditActions(tb testing.TB, db *store.DB) map[string][]store.AuditEvent {
	tb.Helper()
	events, _, err := db.ListAudit(context.Background(), store.AuditQuery{})
	if err != nil {
		tb.Fatal(err)
	}
	out := map[string][]store.AuditEvent{}
	for _, e := range events {
		out[e.Action] = append(out[e.Action], e)
	}
	return out
}

// The whole life of an account made in the app: the admin creates it, the
// new user sets a password through the one-time link and is signed in; the
// link works once; disabling the account ends its session and its API
// token at the next request; enabling it lets the user back in.
func TestAdminCreatedUserSignsInThroughTheLinkAndIsDisabled(t *testing.T) {
	ts := newTestServer(t)
	admin := ts.signedIn(t)
	const email = "new.person@example.com"
	path, u := adminCreatesUser(t, admin, email)
	if got := admin.get("/admin/users").find(t, "user-row").FilterFunction(func(_ int, s *goquery.Selection) bool {
		return s.AttrOr("data-email", "") == email
	}).Find(`[data-testid="user-status"]`).Text(); !strings.Contains(got, "no password yet") {
		t.Errorf("the new account's status reads %q", got)
	}

	// Nobody signs in to the account before the link is used, not even
	// with an empty password.
	probe := ts.newClient(t)
	probe.get("/login")
	probe.post("/login", url.Values{"email": {email}, "password": {""}}).wantStatus(t, http.StatusUnauthorized)

	n := ts.newClient(t)
	p := n.get(path)
	p.wantStatus(t, http.StatusOK)
	if rp := p.Header.Get("Referrer-Policy"); rp != "no-referrer" {
		t.Errorf("the link's page has Referrer-Policy %q, want no-referrer", rp)
	}
	if !strings.Contains(p.find(t, "password-link-page").Text(), email) {
		t.Error("the link's page does not name the account")
	}
	p = n.post(path, url.Values{"password": {"short"}, "confirm": {"short"}})
	p.wantStatus(t, http.StatusUnprocessableEntity)
	if got := p.find(t, "field-error").Text(); !strings.Contains(got, "at least 10") {
		t.Errorf("short password: %q", got)
	}
	p = n.post(path, url.Values{"password": {"a good long password"}, "confirm": {"a good long passwore"}})
	p.wantStatus(t, http.StatusUnprocessableEntity)
	if got := p.find(t, "field-error").Text(); !strings.Contains(got, "differ") {
		t.Errorf("different passwords: %q", got)
	}
	n.post(path, url.Values{"password": {"a good long password"}, "confirm": {"a good long password"}}).wantRedirect(t, "/")
	home := n.get("/")
	home.wantStatus(t, http.StatusOK)
	if got := home.find(t, "current-user").Text(); got != email {
		t.Fatalf("signed in as %q, want %q", got, email)
	}
	if home.doc.Find(`[data-testid="nav-admin"]`).Length() != 0 {
		t.Error("a user who is no admin is shown the admin link")
	}

	// Once only.
	again := ts.newClient(t)
	again.get(path).wantStatus(t, http.StatusNotFound)
	again.get("/login")
	p = again.post(path, url.Values{"password": {"an attacker's password"}, "confirm": {"an attacker's password"}})
	p.wantStatus(t, http.StatusNotFound)
	if !strings.Contains(p.find(t, "error-message").Text(), "does not work") {
		t.Errorf("a used link says %q", p.find(t, "error-message").Text())
	}

	token := mustAPIToken(t, ts.db, u.ID)
	bearer := []string{"Authorization", "Bearer " + token}
	request(t, ts, "GET", "/api/v1/workspaces", nil, bearer...).want(t, http.StatusOK) // the token is in the cache now

	admin.get("/admin/users")
	admin.post("/admin/users/"+userID(t, ts, email)+"/disable", nil).wantRedirect(t, "/admin/users?done=disabled")
	n.get("/").wantRedirect(t, "/login?next=%2F")
	request(t, ts, "GET", "/api/v1/workspaces", nil, bearer...).want(t, http.StatusUnauthorized)
	n.get("/login")
	p = n.post("/login", url.Values{"email": {email}, "password": {"a good long password"}})
	p.wantStatus(t, http.StatusForbidden)
	if !strings.Contains(p.find(t, "form-errors").Text(), "disabled") {
		t.Errorf("a disabled account's sign-in says %q", p.find(t, "form-errors").Text())
	}

	admin.get("/admin/users")
	admin.post("/admin/users/"+userID(t, ts, email)+"/enable", nil).wantRedirect(t, "/admin/users?done=enabled")
	request(t, ts, "GET", "/api/v1/workspaces", nil, bearer...).want(t, http.StatusOK)
	n.get("/login")
	n.post("/login", url.Values{"email": {email}, "password": {"a good long password"}}).wantRedirect(t, "/")

	log := auditActions(t, ts.db)
	for _, a := range []string{store.AuditUserCreate, store.AuditPasswordSet, store.AuditUserDisable, store.AuditUserEnable, store.AuditSignIn, store.AuditSignInFailed} {
		if len(log[a]) == 0 {
			t.Errorf("the audit log has no %s event", a)
		}
	}
	if e := log[store.AuditUserDisable]; len(e) > 0 && (e[0].Actor != testEmail || e[0].Target != email || e[0].Address == "") {
		t.Errorf("disable recorded as %+v", e[0])
	}
}

func TestExpiredAndMalformedLinksOpenNothing(t *testing.T) {
	ts := newTestServer(t)
	admin := ts.signedIn(t)
	path, u := adminCreatesUser(t, admin, "late@example.com")
	raw, err := sql.Open("sqlite3", "file:"+ts.db.Path()+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	past := time.Now().Add(-time.Minute).UTC().Format("2006-01-02T15:04:05.000000000Z")
	if res, err := raw.Exec("UPDATE password_links SET expires_at = ? WHERE user_id = ?", past, u.ID); err != nil {
		t.Fatal(err)
	} else if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("expired %d links, want 1", n)
	}
	c := ts.newClient(t)
	c.get("/login")
	c.get(path).wantStatus(t, http.StatusNotFound)
	c.post(path, url.Values{"password": {"a good long password"}, "confirm": {"a good long password"}}).wantStatus(t, http.StatusNotFound)
	c.get("/password/short").wantStatus(t, http.StatusNotFound)
	c.get("/password/"+strings.Repeat("A", 43)).wantStatus(t, http.StatusNotFound)
	if got, _ := ts.db.GetUser(t.Context(), u.ID); len(got.PasswordHash) != 0 {
		t.Error("an expired link set a password")
	}
}

// signInAs signs a new client in through the login form, and loads the
// home page for the CSRF token of the new session.
func signInAs(tb testing.TB, ts *testServer, email, pw string) *client {
	tb.Helper()
	c := ts.newClient(tb)
	c.get("/login")
	c.post("/login", url.Values{"email": {email}, "password": {pw}}).wantRedirect(tb, "/")
	c.get("/")
	return c
}

func TestAdminPagesAreHiddenFromOthers(t *testing.T) {
	ts := newTestServer(t)
	admin := ts.signedIn(t)
	u, err := ts.db.CreateUser(t.Context(), "plain@example.com", fixturePasswordHash(t), false)
	if err != nil {
		t.Fatal(err)
	}
	plain := signInAs(t, ts, "plain@example.com", testPassword)
	plain.get("/")
	for _, path := range []string{"/admin/users", "/admin/audit", "/admin/nothing"} {
		plain.get(path).wantStatus(t, http.StatusNotFound)
	}
	id := userID(t, ts, testEmail)
	for _, path := range []string{"/admin/users", "/admin/users/" + id + "/disable", "/admin/users/" + id + "/admin", "/admin/users/" + id + "/reset"} {
		plain.post(path, url.Values{"email": {"x@example.com"}, "admin": {"0"}}).wantStatus(t, http.StatusNotFound)
	}
	if n, _ := ts.db.CountUsers(t.Context()); n != 2 {
		t.Errorf("%d accounts after a non-admin's tries, want 2", n)
	}
	if me, _ := ts.db.GetUserByEmail(t.Context(), testEmail); !me.Admin || me.Disabled() {
		t.Errorf("a non-admin changed the admin: %+v", me)
	}

	// The audit API: 403 for a valid token that is not an admin's.
	request(t, ts, "GET", "/api/v1/audit", nil, "Authorization", "Bearer "+mustAPIToken(t, ts.db, u.ID)).wantError(t, http.StatusForbidden, "admins")
	adminUser, _ := ts.db.GetUserByEmail(t.Context(), testEmail)
	request(t, ts, "GET", "/api/v1/audit", nil, "Authorization", "Bearer "+mustAPIToken(t, ts.db, adminUser.ID)).want(t, http.StatusOK)

	// Made an admin, the same account sees the pages at its next request,
	// with a link to them.
	admin.get("/admin/users")
	admin.post("/admin/users/"+strconv.FormatInt(u.ID, 10)+"/admin", url.Values{"admin": {"1"}}).wantRedirect(t, "/admin/users?done=admin")
	plain.get("/admin/users").wantStatus(t, http.StatusOK)
	plain.get("/").find(t, "nav-admin")
}

func TestTheLastAdminCannotBeRemoved(t *testing.T) {
	ts := newTestServer(t)
	admin := ts.signedIn(t)
	me := userID(t, ts, testEmail)
	admin.get("/admin/users")
	for _, tc := range []struct{ verb, form string }{{"disable", ""}, {"admin", "0"}} {
		p := admin.post("/admin/users/"+me+"/"+tc.verb, url.Values{"admin": {tc.form}})
		p.wantStatus(t, http.StatusConflict)
		if got := p.find(t, "user-error").Text(); !strings.Contains(got, "last enabled admin") {
			t.Errorf("%s: the row says %q", tc.verb, got)
		}
	}
	if u, _ := ts.db.GetUserByEmail(t.Context(), testEmail); !u.Admin || u.Disabled() {
		t.Fatalf("the last admin was changed: %+v", u)
	}
	admin.get("/").wantStatus(t, http.StatusOK)

	// With a second admin, the first may step down.
	if _, err := ts.db.CreateUser(t.Context(), "second@example.com", fixturePasswordHash(t), true); err != nil {
		t.Fatal(err)
	}
	admin.get("/admin/users")
	admin.post("/admin/users/"+me+"/admin", url.Values{"admin": {"0"}}).wantRedirect(t, "/")
	admin.get("/admin/users").wantStatus(t, http.StatusNotFound)
}

// A user changes their own password: the current one is required; their
// other sessions end and this one stays.
func TestPasswordChangeEndsOtherSessions(t *testing.T) {
	ts := newTestServer(t)
	here := ts.signedIn(t)
	there := signInAs(t, ts, testEmail, testPassword)

	here.get("/account").find(t, "password-change-form")
	p := here.post("/account/password", url.Values{"current": {"not my password"}, "password": {"a brand new password"}, "confirm": {"a brand new password"}})
	p.wantStatus(t, http.StatusUnprocessableEntity)
	if got := p.find(t, "field-error").Text(); !strings.Contains(got, "not your current password") {
		t.Errorf("wrong current password: %q", got)
	}
	p = here.post("/account/password", url.Values{"current": {testPassword}, "password": {"a brand new password"}, "confirm": {"something else"}})
	p.wantStatus(t, http.StatusUnprocessableEntity)
	here.post("/account/password", url.Values{"current": {testPassword}, "password": {"a brand new password"}, "confirm": {"a brand new password"}}).wantRedirect(t, "/account?password=changed")

	here.get("/account?password=changed").find(t, "password-notice")
	there.get("/").wantRedirect(t, "/login?next=%2F")
	old := ts.newClient(t)
	old.get("/login")
	old.post("/login", url.Values{"email": {testEmail}, "password": {testPassword}}).wantStatus(t, http.StatusUnauthorized)
	signInAs(t, ts, testEmail, "a brand new password")
	if len(auditActions(t, ts.db)[store.AuditPasswordChange]) != 1 {
		t.Error("the change is not in the audit log")
	}
}

// An admin's reset link: the old password works until the link is used;
// using it ends every session and sets the new password.
func TestAdminResetsAPassword(t *testing.T) {
	ts := newTestServer(t)
	admin := ts.signedIn(t)
	if _, err := ts.db.CreateUser(t.Context(), "forgetful@example.com", fixturePasswordHash(t), false); err != nil {
		t.Fatal(err)
	}
	before := signInAs(t, ts, "forgetful@example.com", testPassword)
	admin.get("/admin/users")
	p := admin.post("/admin/users/"+userID(t, ts, "forgetful@example.com")+"/reset", nil)
	p.wantStatus(t, http.StatusOK)
	if !strings.Contains(p.find(t, "password-link-new").Text(), "reset") {
		t.Errorf("the reset notice says %q", p.find(t, "password-link-new").Text())
	}
	link, _ := p.find(t, "password-link").Attr("value")
	path := strings.TrimPrefix(link, ts.URL)
	before.get("/").wantStatus(t, http.StatusOK)

	n := ts.newClient(t)
	n.get(path).wantStatus(t, http.StatusOK)
	n.post(path, url.Values{"password": {"remembered at last"}, "confirm": {"remembered at last"}}).wantRedirect(t, "/")
	before.get("/").wantRedirect(t, "/login?next=%2F")
	n.get("/").wantStatus(t, http.StatusOK)
	signInAs(t, ts, "forgetful@example.com", "remembered at last")
	if len(auditActions(t, ts.db)[store.AuditPasswordReset]) != 1 {
		t.Error("the reset is not in the audit log")
	}
}

// Guessing the current password on the account page, in a browser found
// signed in, is throttled with the sign-ins.
func TestPasswordChangeGuessesAreThrottled(t *testing.T) {
	ts := newTestServer(t)
	c := ts.signedIn(t)
	ts.srv.logins = newLoginLimiterEvery(time.Microsecond)
	c.get("/account")
	for i := range ts.srv.throttle.policy.PairFree {
		c.post("/account/password", url.Values{"current": {"guess " + strconv.Itoa(i)}, "password": {"a brand new password"}, "confirm": {"a brand new password"}}).wantStatus(t, http.StatusUnprocessableEntity)
	}
	p := c.post("/account/password", url.Values{"current": {testPassword}, "password": {"a brand new password"}, "confirm": {"a brand new password"}})
	p.wantStatus(t, http.StatusTooManyRequests)
	if p.Header.Get("Retry-After") == "" || !strings.Contains(p.find(t, "form-errors").Text(), "Too many failed sign-ins") {
		t.Errorf("throttled change: Retry-After %q, %q", p.Header.Get("Retry-After"), p.find(t, "form-errors").Text())
	}
}

func TestAdminCreateUserErrorsInPlace(t *testing.T) {
	ts := newTestServer(t)
	admin := ts.signedIn(t)
	admin.get("/admin/users")
	for _, tc := range []struct{ email, want string }{
		{strings.ToUpper(testEmail), "already exists"},
		{"not an email", "email"},
		{"", "Required"},
	} {
		p := admin.post("/admin/users", url.Values{"email": {tc.email}, "admin": {"1"}})
		p.wantStatus(t, http.StatusUnprocessableEntity)
		if got := p.find(t, "field-error").Text(); !strings.Contains(got, tc.want) {
			t.Errorf("%q: the email field says %q, want %q", tc.email, got, tc.want)
		}
		if got, _ := p.doc.Find(`#user-email`).Attr("value"); got != tc.email {
			t.Errorf("%q: the field holds %q", tc.email, got)
		}
		if _, checked := p.doc.Find(`[data-testid="user-create-admin"]`).Attr("checked"); !checked {
			t.Errorf("%q: the admin box lost its tick", tc.email)
		}
		if p.doc.Find(`[data-testid="password-link"]`).Length() != 0 {
			t.Errorf("%q: a link was shown", tc.email)
		}
	}
	if n, _ := ts.db.CountUsers(t.Context()); n != 1 {
		t.Errorf("%d accounts, want 1", n)
	}
}

// An email is shown as typed on every page it reaches, never as HTML.
func TestAccountPagesEscapeEmails(t *testing.T) {
	ts := newTestServer(t)
	admin := ts.signedIn(t)
	const hostile = `<img/src=x/onerror=alert(1)>"'@x`
	path, _ := adminCreatesUser(t, admin, hostile)
	n := ts.newClient(t)
	for _, p := range []*page{admin.get("/admin/users"), admin.get("/admin/audit"), n.get(path)} {
		p.wantStatus(t, http.StatusOK)
		if strings.Contains(p.body, "<img/src=x") {
			t.Errorf("%s shows the email as HTML", p.Request.URL.Path)
		}
		if !strings.Contains(p.doc.Text(), hostile) {
			t.Errorf("%s does not show the email as typed", p.Request.URL.Path)
		}
	}
}
