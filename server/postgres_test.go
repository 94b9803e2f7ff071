package server

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/archmap/archmap/internal/pgtest"
	"github.com/archmap/archmap/store"
)

// newPostgresTestServer is newTestServer on a fresh PostgreSQL schema
// (skipped without ARCHMAP_TEST_DATABASE_URL, failed under CI=true).
func newPostgresTestServer(tb testing.TB) *testServer {
	tb.Helper()
	db, err := store.OpenURL(context.Background(), pgtest.URL(tb))
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	if !db.Postgres() {
		tb.Fatal("the PostgreSQL URL opened something else")
	}
	srv, err := New(Config{DB: db, Renderer: sharedRenderer(tb), Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Passwords: testPasswords})
	if err != nil {
		tb.Fatalf("new server: %v", err)
	}
	ts := httptest.NewServer(srv.Handler())
	tb.Cleanup(ts.Close)
	return &testServer{Server: ts, db: db, srv: srv}
}

// The server on PostgreSQL, end to end as a user goes: set up, sign in
// (again, in another browser), create a workspace, edit it in the editor
// and through the API (a stale revision and a stale If-Match refused), read
// its history and restore a revision, share it read-only and revoke the
// link.
func TestPostgresEndToEnd(t *testing.T) {
	ts := newPostgresTestServer(t)
	alice := ts.signedIn(t)
	bob := ts.newClient(t)
	bob.get("/login")
	bob.post("/login", url.Values{"email": {testEmail}, "password": {testPassword}}).wantRedirect(t, "/")
	bad := ts.newClient(t)
	bad.get("/login")
	if p := bad.post("/login", url.Values{"email": {testEmail}, "password": {"wrong password"}}); p.StatusCode == http.StatusSeeOther {
		t.Fatal("a wrong password signed in")
	}

	slug := alice.newWorkspace(t, "Shop")
	if dup := alice.post("/w", url.Values{"name": {"SHOP"}}); dup.StatusCode == http.StatusSeeOther {
		t.Error("a second workspace named SHOP was created")
	}
	_, rev := alice.editor(t, slug)
	for _, st := range []struct {
		path string
		form url.Values
	}{
		{"/services", url.Values{"name": {"web"}, "kind": {"frontend"}}},
		{"/services", url.Values{"name": {"db"}, "kind": {"database"}}},
		{"/servers", url.Values{"name": {"node-a"}, "kind": {"vm"}}},
		{"/placements", url.Values{"service": {"web"}, "server": {"node-a"}, "instances": {"2"}}},
		{"/dependencies", url.Values{"from": {"web"}, "to": {"db"}, "protocol": {"sql"}, "mode": {"sync"}, "calls_per_request": {"3"}}},
	} {
		bob.edit(t, slug, st.path, st.form).wantStatus(t, http.StatusOK)
	}
	// Alice's page still shows the first revision: her add is refused.
	alice.htmx("/w/"+slug+"/services", url.Values{"name": {"late"}, "revision": {rev}}).wantStatus(t, http.StatusConflict)
	m, ws, err := ts.db.LoadModel(t.Context(), slug)
	if err != nil {
		t.Fatal(err)
	}
	if ws.Revision != 6 || len(m.Services) != 2 || len(m.Placements) != 1 || m.Dependencies[0].CallsPerRequest != 3 {
		t.Fatalf("stored at revision %d: %+v", ws.Revision, m)
	}

	// The API, with a token of the account.
	u, err := ts.db.GetUserByEmail(t.Context(), testEmail)
	if err != nil {
		t.Fatal(err)
	}
	f := &apiFixture{testServer: ts, user: u, token: mustAPIToken(t, ts.db, u.ID)}
	base := "/workspaces/" + slug
	etag := f.api(t, "GET", base+"/model", nil).want(t, http.StatusOK).etag(t)
	f.api(t, "POST", base+"/services", `{"name": "search"}`, "If-Match", fmt.Sprintf(`"%d"`, etag)).want(t, http.StatusCreated)
	f.api(t, "POST", base+"/services", `{"name": "stale"}`, "If-Match", fmt.Sprintf(`"%d"`, etag)).want(t, http.StatusPreconditionFailed)

	// History: every revision, by who made it; the page and the API agree.
	var revs revisionsPage
	f.api(t, "GET", base+"/revisions", nil).want(t, http.StatusOK).decode(t, &revs)
	if revs.Total != 7 {
		t.Fatalf("%d revisions, want 7: %+v", revs.Total, revs.Revisions)
	}
	hist := alice.get("/w/" + slug + "/history")
	hist.wantStatus(t, http.StatusOK)
	if n := hist.find(t, "history-row").Length(); n != 7 {
		t.Errorf("history page shows %d revisions, want 7", n)
	}
	if !strings.Contains(hist.find(t, "history-author").Text(), testEmail) {
		t.Errorf("history authors: %q", hist.find(t, "history-author").Text())
	}
	var old struct {
		Services []struct{ Name string } `json:"services"`
	}
	f.api(t, "GET", base+"/revisions/3/model", nil).want(t, http.StatusOK).decode(t, &old)
	if len(old.Services) != 2 || old.Services[0].Name != "web" {
		t.Errorf("model at revision 3: %+v", old)
	}
	f.api(t, "POST", base+"/revisions/3/restore", nil).want(t, http.StatusCreated)
	m, ws, _ = ts.db.LoadModel(t.Context(), slug)
	if ws.Revision != 8 || len(m.Services) != 2 || len(m.Servers) != 0 {
		t.Errorf("after restoring revision 3: revision %d, %+v", ws.Revision, m)
	}

	// A share link shows the workspace to anyone holding it, until revoked.
	token, out := f.createShare(t, slug, "")
	sharePage := f.anon(t, "GET", "/s/"+token, nil).want(t, http.StatusOK)
	if got := parseHTML(t, sharePage).Find(`[data-testid="share-name"]`).Text(); got != "Shop" {
		t.Errorf("share page names %q, want Shop", got)
	}
	f.api(t, "DELETE", fmt.Sprintf("%s/shares/%d", base, out.ID), nil).want(t, http.StatusNoContent)
	f.anon(t, "GET", "/s/"+token, nil).want(t, http.StatusNotFound)
}

// Editors racing through the API on PostgreSQL: of 12 creates sent at once
// with the same If-Match, exactly one lands and the rest get 412; 12
// creates without it all land, each its own revision.
func TestPostgresAPIRacesKeepEveryWrite(t *testing.T) {
	ts := newPostgresTestServer(t)
	u, err := ts.db.CreateUser(t.Context(), testEmail, fixturePasswordHash(t), true)
	if err != nil {
		t.Fatal(err)
	}
	f := &apiFixture{testServer: ts, user: u, token: mustAPIToken(t, ts.db, u.ID)}
	var ws struct{ Slug string }
	f.api(t, "POST", "/workspaces", `{"name": "Shop"}`).want(t, http.StatusCreated).decode(t, &ws)
	base := "/workspaces/" + ws.Slug
	etag := f.api(t, "GET", base+"/model", nil).want(t, http.StatusOK).etag(t)

	const racers = 12
	race := func(ifMatch bool) map[int]int {
		var wg sync.WaitGroup
		codes := make(chan int, racers)
		for i := range racers {
			wg.Go(func() {
				var h []string
				if ifMatch {
					h = []string{"If-Match", fmt.Sprintf(`"%d"`, etag)}
				}
				r := request(t, ts, "POST", "/api/v1"+base+"/services", fmt.Sprintf(`{"name": "s-%v-%d"}`, ifMatch, i),
					append([]string{"Authorization", "Bearer " + f.token}, h...)...)
				codes <- r.StatusCode
			})
		}
		wg.Wait()
		close(codes)
		count := map[int]int{}
		for c := range codes {
			count[c]++
		}
		return count
	}
	if got := race(true); got[http.StatusCreated] != 1 || got[http.StatusPreconditionFailed] != racers-1 {
		t.Errorf("with one If-Match: %v, want 1 created and %d precondition failed", got, racers-1)
	}
	if got := race(false); got[http.StatusCreated] != racers {
		t.Errorf("without If-Match: %v, want all %d created", got, racers)
	}
	m, stored, err := ts.db.LoadModel(t.Context(), ws.Slug)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Services) != racers+1 || stored.Revision != etag+racers+1 {
		t.Errorf("%d services at revision %d, want %d at %d", len(m.Services), stored.Revision, racers+1, etag+racers+1)
	}
}
