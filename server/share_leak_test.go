package server

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/archmap/archmap/topology"
)

// Issue 12: a pinned link of a deleted workspace was cached under
// pin:<share id>:<revision>; SQLite handed the share id out again, and the
// next user's new pinned link at the same revision showed the deleted
// workspace's model. These tests replay that sequence with the cache warm.

// secretModel is Alice's model: names that must never reach Bob.
func secretModel() *topology.Model {
	return &topology.Model{
		Version: topology.FormatVersion, Name: "SECRET Alice", Settings: topology.DefaultSettings(),
		Services: []topology.Service{
			{Name: "SECRET-payroll", Kind: topology.KindService},
			{Name: "SECRET-merger-target-db", Kind: topology.KindDatabase},
		},
		Dependencies: []topology.Dependency{{From: "SECRET-payroll", To: "SECRET-merger-target-db", Protocol: "sql", Mode: "sync", CallsPerRequest: 1}},
	}
}

func bobModel() *topology.Model {
	return &topology.Model{
		Version: topology.FormatVersion, Name: "Bob's shop", Settings: topology.DefaultSettings(),
		Services: []topology.Service{
			{Name: "bob-web", Kind: topology.KindFrontend},
			{Name: "bob-db", Kind: topology.KindDatabase},
		},
		Dependencies: []topology.Dependency{{From: "bob-web", To: "bob-db", Protocol: "sql", Mode: "sync", CallsPerRequest: 1}},
	}
}

// apiUser is a second account on the fixture's server with a token of its own.
func (f *apiFixture) apiUser(tb testing.TB, email string) *apiFixture {
	tb.Helper()
	u, err := f.db.CreateUser(context.Background(), email, fixturePasswordHash(tb), false)
	if err != nil {
		tb.Fatal(err)
	}
	return &apiFixture{testServer: f.testServer, user: u, token: mustAPIToken(tb, f.db, u.ID)}
}

// createModelled makes a workspace through the API and sets its model, so
// that it is at revision 2 as in the report.
func (f *apiFixture) createModelled(tb testing.TB, name string, m *topology.Model) string {
	tb.Helper()
	var ws struct {
		Slug string `json:"slug"`
	}
	f.api(tb, "POST", "/workspaces", map[string]string{"name": name}).want(tb, http.StatusCreated).decode(tb, &ws)
	j, err := topology.EncodeJSON(m)
	if err != nil {
		tb.Fatal(err)
	}
	if rev := f.api(tb, "PUT", "/workspaces/"+ws.Slug+"/model", j).want(tb, http.StatusOK).etag(tb); rev != 2 {
		tb.Fatalf("model set at revision %d, want 2 as in the report", rev)
	}
	return ws.Slug
}

// openShare fetches what a visitor of the link sees: the page, the diagram
// fragment and the laid-out DOT, all with gzip as a browser asks.
func (f *apiFixture) openShare(tb testing.TB, token string) string {
	tb.Helper()
	var all strings.Builder
	for _, path := range []string{"", "/diagram/fragment", "/diagram.dot"} {
		r := request(tb, f.testServer, "GET", "/s/"+token+path, nil)
		r.want(tb, http.StatusOK)
		all.Write(r.body)
	}
	return all.String()
}

func cachedKeysOf(s *Server, id int64) int {
	scope := workspaceScope(id)
	n := 0
	for _, c := range []interface{ keys() []string }{s.snapshots.kept, s.responses.bodies} {
		for _, k := range c.keys() {
			if strings.HasPrefix(k, scope) {
				n++
			}
		}
	}
	return n
}

func TestPinnedShareOfDeletedWorkspaceNeverShowsThroughAnother(t *testing.T) {
	for _, via := range []string{"api", "page"} {
		t.Run(via, func(t *testing.T) {
			f := newAPIFixture(t)
			alice := f.apiUser(t, "alice@example.com")
			bob := f.apiUser(t, "bob@example.com")

			slug := alice.createModelled(t, "Alice secret", secretModel())
			aliceWS, err := f.db.GetWorkspace(t.Context(), slug)
			if err != nil {
				t.Fatal(err)
			}
			aliceToken, aliceShare := alice.createShare(t, slug, `{"pin": true}`)
			if seen := alice.openShare(t, aliceToken); !strings.Contains(seen, "SECRET-payroll") {
				t.Fatalf("Alice's link does not show her model:\n%.1000s", seen)
			}
			// The cache is warm: a second visit is served from it.
			hits := f.srv.responses.hits.Load()
			alice.openShare(t, aliceToken)
			if f.srv.responses.hits.Load() == hits {
				t.Fatal("the second visit was not served from the response cache; the test would not warm it")
			}

			switch via {
			case "api":
				alice.api(t, "DELETE", "/workspaces/"+slug, nil).want(t, http.StatusNoContent)
			case "page":
				c := f.newClient(t) // Alice, in her browser
				c.get("/login")
				c.post("/login", url.Values{"email": {"alice@example.com"}, "password": {testPassword}}).wantRedirect(t, "/")
				c.get("/w/"+slug+"/settings").wantStatus(t, http.StatusOK)
				c.post("/w/"+slug+"/delete", url.Values{"confirm": {slug}}).wantRedirect(t, "/?deleted=1")
			}
			f.anon(t, "GET", "/s/"+aliceToken, nil).want(t, http.StatusNotFound)
			if n := cachedKeysOf(f.srv, aliceWS.ID); n != 0 {
				t.Errorf("%d cached answers of the deleted workspace are still kept", n)
			}

			bobSlug := bob.createModelled(t, "Bob shop", bobModel())
			bobWS, err := f.db.GetWorkspace(t.Context(), bobSlug)
			if err != nil {
				t.Fatal(err)
			}
			bobToken, bobShare := bob.createShare(t, bobSlug, `{"pin": true}`)
			if bobWS.ID == aliceWS.ID || bobShare.ID == aliceShare.ID {
				t.Errorf("ids reused: workspace %d→%d, share %d→%d", aliceWS.ID, bobWS.ID, aliceShare.ID, bobShare.ID)
			}
			for range 2 { // cold, then from the cache
				seen := bob.openShare(t, bobToken)
				if strings.Contains(seen, "SECRET") {
					t.Fatalf("Bob's link shows Alice's deleted workspace:\n%.2000s", seen)
				}
				if !strings.Contains(seen, "bob-web") || !strings.Contains(seen, "Bob&#39;s shop") && !strings.Contains(seen, "Bob's shop") {
					t.Fatalf("Bob's link does not show Bob's model:\n%.2000s", seen)
				}
			}
		})
	}
}
