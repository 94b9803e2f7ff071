package server

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestAccountPageCreatesShowsOnceAndRevokesTokens(t *testing.T) {
	ts := newTestServer(t)
	c := ts.signedIn(t)

	p := c.get("/account")
	p.wantStatus(t, http.StatusOK)
	p.find(t, "tokens-empty")

	p = c.post("/account/tokens", url.Values{"name": {"CI <pipeline>"}})
	p.wantStatus(t, http.StatusOK)
	if cc := p.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("the page with a new token has Cache-Control %q, want no-store", cc)
	}
	token, _ := p.find(t, "token-value").Attr("value")
	if len(token) != 43 {
		t.Fatalf("token %q: want 43 base64url characters (256 bits)", token)
	}
	if got := p.find(t, "token-row").Find(".name").Text(); got != "CI <pipeline>" {
		t.Errorf("listed name %q", got)
	}
	if !strings.Contains(p.find(t, "token-row").Text(), "never") {
		t.Errorf("a new token should be listed as never used: %q", p.find(t, "token-row").Text())
	}

	api := func() int {
		return request(t, ts, "GET", "/api/v1/workspaces", nil, "Authorization", "Bearer "+token).StatusCode
	}
	if got := api(); got != http.StatusOK {
		t.Fatalf("API with the new token: %d, want 200", got)
	}

	p = c.get("/account")
	if p.doc.Find(`[data-testid="token-value"]`).Length() != 0 || strings.Contains(p.body, token) {
		t.Fatal("the token is shown again after the page that made it")
	}
	if strings.Contains(p.find(t, "token-row").Text(), "never") {
		t.Errorf("a used token still says never used: %q", p.find(t, "token-row").Text())
	}

	// Validation keeps the page and stores nothing.
	p = c.post("/account/tokens", url.Values{"name": {""}})
	p.wantStatus(t, http.StatusUnprocessableEntity)
	p.find(t, "field-error")
	if n := p.find(t, "token-row").Length(); n != 1 {
		t.Errorf("%d tokens after a failed create, want 1", n)
	}

	// A form without the CSRF token changes nothing.
	action, _ := p.find(t, "token-row").Find("form").Attr("action")
	bare := c.postRaw(action, url.Values{}, false)
	bare.wantStatus(t, http.StatusForbidden)
	if got := api(); got != http.StatusOK {
		t.Fatalf("the token stopped working after a refused revoke: %d", got)
	}

	c.post(action, url.Values{}).wantRedirect(t, "/account")
	if got := api(); got != http.StatusUnauthorized {
		t.Fatalf("API with a revoked token: %d, want 401", got)
	}
	c.get("/account").find(t, "tokens-empty")
	c.post(action, url.Values{}).wantStatus(t, http.StatusNotFound)
}

func TestAccountPageNeedsASignedInUser(t *testing.T) {
	ts := newTestServer(t)
	ts.signedIn(t)
	anon := ts.newClient(t)
	anon.get("/account").wantRedirect(t, "/login?next=%2Faccount")
	anon.get("/login")
	anon.post("/account/tokens", url.Values{"name": {"x"}}).wantStatus(t, http.StatusUnauthorized)
	// A bearer token is no way into the browser app.
	u, err := ts.db.GetUserByEmail(t.Context(), testEmail)
	if err != nil {
		t.Fatal(err)
	}
	tok := mustAPIToken(t, ts.db, u.ID)
	r := request(t, ts, "GET", "/account", nil, "Authorization", "Bearer "+tok)
	if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/login") {
		t.Errorf("GET /account with a bearer token: %d %s, want a redirect to /login", r.StatusCode, r.Header.Get("Location"))
	}
}

func TestAccountCannotRevokeAnotherUsersToken(t *testing.T) {
	ts := newTestServer(t)
	c := ts.signedIn(t)
	other, err := ts.db.CreateUser(t.Context(), "other@example.com", fixturePasswordHash(t), false)
	if err != nil {
		t.Fatal(err)
	}
	tok := mustAPIToken(t, ts.db, other.ID)
	list, err := ts.db.ListAPITokens(t.Context(), other.ID)
	if err != nil || len(list) != 1 {
		t.Fatal(list, err)
	}
	c.get("/account")
	c.post("/account/tokens/"+itoa(list[0].ID)+"/delete", url.Values{}).wantStatus(t, http.StatusNotFound)
	if got := request(t, ts, "GET", "/api/v1/workspaces", nil, "Authorization", "Bearer "+tok).StatusCode; got != http.StatusOK {
		t.Fatalf("another user's token stopped working: %d", got)
	}
	if c.get("/account").doc.Find(`[data-testid="token-row"]`).Length() != 0 {
		t.Error("the account page lists another user's token")
	}
}

// A token made read-only on the account page is listed so and reads, but
// any write through it is 403, even though its owner is an admin.
func TestAccountPageReadOnlyToken(t *testing.T) {
	ts := newTestServer(t)
	c := ts.signedIn(t)
	c.get("/account").find(t, "token-read-only")
	p := c.post("/account/tokens", url.Values{"name": {"dashboard"}, "read_only": {"1"}})
	p.wantStatus(t, http.StatusOK)
	token, _ := p.find(t, "token-value").Attr("value")
	if got := strings.TrimSpace(p.find(t, "token-access").Text()); got != "read-only" {
		t.Errorf("listed access %q, want read-only", got)
	}
	request(t, ts, "GET", "/api/v1/workspaces", nil, "Authorization", "Bearer "+token).want(t, http.StatusOK)
	r := request(t, ts, "POST", "/api/v1/workspaces", `{"name": "X"}`, "Authorization", "Bearer "+token)
	if r.StatusCode != http.StatusForbidden || strings.TrimSpace(string(r.body)) != `{"error":"this token is read-only"}` {
		t.Errorf("write with a read-only token: %d %s", r.StatusCode, r.body)
	}
	// Unticked, a token has its owner's roles.
	p = c.post("/account/tokens", url.Values{"name": {"ci"}})
	rw, _ := p.find(t, "token-value").Attr("value")
	request(t, ts, "POST", "/api/v1/workspaces", `{"name": "X"}`, "Authorization", "Bearer "+rw).want(t, http.StatusCreated)
}
