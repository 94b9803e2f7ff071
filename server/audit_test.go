package server

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/archmap/archmap/store"
)

// TestAuditRecordsAccessEvents: the events issue 18 lists are in the log
// with who, what and from where — through the pages and through the API —
// and a failed sign-in names the address it came from but no user.
func TestAuditRecordsAccessEvents(t *testing.T) {
	ts := newTestServer(t)
	admin := ts.signedIn(t) // setup + sign-in
	admin.get("/")
	admin.post("/w", url.Values{"name": {"Shop"}}).wantRedirect(t, "/w/shop")
	admin.get("/w/shop/shares")
	admin.post("/w/shop/shares", url.Values{"expires_in": {"24h"}}).wantStatus(t, http.StatusOK)
	admin.get("/account")
	admin.post("/account/tokens", url.Values{"name": {"ci"}}).wantStatus(t, http.StatusOK)

	stranger := ts.newClient(t)
	stranger.get("/login")
	stranger.post("/login", url.Values{"email": {"mallory@example.com"}, "password": {"guess-guess-guess"}}).wantStatus(t, http.StatusUnauthorized)

	u, err := ts.db.GetUserByEmail(context.Background(), testEmail)
	if err != nil {
		t.Fatal(err)
	}
	token := mustAPIToken(t, ts.db, u.ID)
	request(t, ts, http.MethodPost, "/api/v1/workspaces", map[string]string{"name": "Ops"}, "Authorization", "Bearer "+token).want(t, http.StatusCreated)
	request(t, ts, http.MethodDelete, "/api/v1/workspaces/ops", nil, "Authorization", "Bearer "+token).want(t, http.StatusNoContent)

	events, _, err := ts.db.ListAudit(context.Background(), store.AuditQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for i := len(events) - 1; i >= 0; i-- { // oldest first, as they happened
		e := events[i]
		got = append(got, e.Action+" "+e.Target+" by "+e.Actor)
		if e.Address == "" || e.At.IsZero() {
			t.Errorf("%s has no address or time: %+v", e.Action, e)
		}
	}
	want := []string{
		"setup " + testEmail + " by " + testEmail,
		"workspace.create shop by " + testEmail,
		"share.create shop by " + testEmail,
		"token.create ci by " + testEmail,
		"sign_in_failed mallory@example.com by ",
		"workspace.create ops by " + testEmail + ` (API token "test")`,
		"workspace.delete ops by " + testEmail + ` (API token "test")`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("audit log:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if events[2].ActorID != 0 {
		t.Errorf("a failed sign-in is nobody's act, got actor id %d", events[2].ActorID)
	}
}
