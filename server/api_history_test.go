package server

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/archmap/archmap/diff"
	"github.com/archmap/archmap/store"
	"github.com/archmap/archmap/topology"
)

// TestAPIHistory: three edits by two users through the API; the history
// lists them with their authors and summaries, every old model comes back
// exactly as it was exported at the time, the diff is the CLI's diff of
// the two exported files, and a restore brings the first model back as a
// new revision.
func TestAPIHistory(t *testing.T) {
	f := newAPIFixture(t) // alice, testEmail
	bob, err := f.db.CreateUser(context.Background(), "bob@example.com", fixturePasswordHash(t), false)
	if err != nil {
		t.Fatal(err)
	}
	bobToken := mustAPIToken(t, f.db, bob.ID)
	asBob := func(method, path string, body any, headers ...string) *apiResp {
		return request(t, f.testServer, method, "/api/v1"+path, body, append([]string{"Authorization", "Bearer " + bobToken}, headers...)...)
	}

	var ws store.Workspace
	f.api(t, "POST", "/workspaces", `{"name": "Shop"}`).want(t, http.StatusCreated).decode(t, &ws)
	base := "/workspaces/" + ws.Slug
	// Alice, its creator and owner, lets Bob edit it.
	f.api(t, "POST", base+"/members", `{"email": "bob@example.com", "role": "editor"}`).want(t, http.StatusCreated)
	exported := map[int64]string{}
	export := func() int64 {
		r := f.api(t, "GET", base+"/model", nil, "Accept", "application/yaml").want(t, http.StatusOK)
		var rev int64
		if _, err := fmt.Sscanf(r.Header.Get("ETag"), `"%d"`, &rev); err != nil {
			t.Fatalf("ETag %q: %v", r.Header.Get("ETag"), err)
		}
		exported[rev] = string(r.body)
		return rev
	}
	export()

	// 1. Alice puts a whole model.
	model, err := topology.EncodeJSON(shopModel())
	if err != nil {
		t.Fatal(err)
	}
	f.api(t, "PUT", base+"/model", model).want(t, http.StatusOK)
	first := export()
	// 2. Bob adds a service.
	asBob("POST", base+"/services", `{"name": "search", "team": "discovery"}`).want(t, http.StatusCreated)
	export()
	// 3. Alice changes a placement's instances.
	var places struct {
		Items []store.PlacementRecord `json:"items"`
	}
	f.api(t, "GET", base+"/placements", nil).want(t, http.StatusOK).decode(t, &places)
	p := places.Items[0]
	p.Instances = 5
	f.api(t, "PUT", fmt.Sprintf("%s/placements/%d", base, p.ID), p.Placement).want(t, http.StatusOK)
	last := export()

	var page revisionsPage
	f.api(t, "GET", base+"/revisions", nil).want(t, http.StatusOK).decode(t, &page)
	if page.Total != 4 || len(page.Revisions) != 4 {
		t.Fatalf("revisions: total %d, %d listed, want 4: %+v", page.Total, len(page.Revisions), page.Revisions)
	}
	wantAuthors := []string{testEmail + ` (API token "test")`, `bob@example.com (API token "test")`, testEmail + ` (API token "test")`, testEmail + ` (API token "test")`}
	wantSummaries := []string{
		fmt.Sprintf("%s on %s: %d → 5 instances", p.Service, p.Server, places.Items[0].Instances),
		"added service search",
		"", // the PUT: checked below
		"created the workspace",
	}
	for i, r := range page.Revisions {
		if r.Revision != last-int64(i) {
			t.Errorf("entry %d is revision %d, want %d (newest first)", i, r.Revision, last-int64(i))
		}
		if r.Author != wantAuthors[i] {
			t.Errorf("revision %d author %q, want %q", r.Revision, r.Author, wantAuthors[i])
		}
		if wantSummaries[i] != "" && r.Summary != wantSummaries[i] {
			t.Errorf("revision %d summary %q, want %q", r.Revision, r.Summary, wantSummaries[i])
		}
	}
	if put := page.Revisions[2].Summary; !strings.Contains(put, "changes: +") || !strings.Contains(put, "services") {
		t.Errorf("the whole-model PUT is summarised as %q", put)
	}

	for rev, want := range exported {
		got := f.api(t, "GET", fmt.Sprintf("%s/revisions/%d/model", base, rev), nil, "Accept", "application/yaml").want(t, http.StatusOK)
		if string(got.body) != want {
			t.Errorf("revision %d:\n%s\nwas exported as:\n%s", rev, got.body, want)
		}
	}

	// The diff is the one the CLI makes of the two exported files.
	var gotDiff diff.Report
	f.api(t, "GET", fmt.Sprintf("%s/diff?from=%d&to=%d", base, first, last), nil).want(t, http.StatusOK).decode(t, &gotDiff)
	oldM, err := topology.Parse([]byte(exported[first]))
	if err != nil {
		t.Fatal(err)
	}
	newM, err := topology.Parse([]byte(exported[last]))
	if err != nil {
		t.Fatal(err)
	}
	wantJSON, _ := encodeJSON(diff.Compare(oldM, newM))
	gotJSON, _ := encodeJSON(&gotDiff)
	if string(gotJSON) != string(wantJSON) {
		t.Errorf("API diff:\n%s\nCLI diff of the exports:\n%s", gotJSON, wantJSON)
	}
	// to defaults to now.
	var now diff.Report
	f.api(t, "GET", fmt.Sprintf("%s/diff?from=%d", base, first), nil).want(t, http.StatusOK).decode(t, &now)
	if nowJSON, _ := encodeJSON(&now); string(nowJSON) != string(wantJSON) {
		t.Errorf("diff without to differs from diff to the current revision")
	}

	// A share link pinned to the first revision shows that revision, not
	// what Bob and Alice did after it.
	var created struct {
		URL string `json:"url"`
	}
	f.api(t, "POST", base+"/shares", fmt.Sprintf(`{"revision": %d}`, first)).want(t, http.StatusCreated).decode(t, &created)
	token := created.URL[strings.LastIndex(created.URL, "/s/")+3:]
	dot := request(t, f.testServer, "GET", "/s/"+token+"/diagram.dot", nil).want(t, http.StatusOK)
	if strings.Contains(string(dot.body), "search") || !strings.Contains(string(dot.body), "cart") {
		t.Errorf("the link pinned to revision %d does not show that revision:\n%.600s", first, dot.body)
	}
	f.api(t, "POST", base+"/shares", `{"revision": 99}`).wantError(t, http.StatusNotFound)
	f.api(t, "POST", base+"/shares", `{"revision": -1}`).wantError(t, http.StatusBadRequest, "revision")

	// Restore: a stale If-Match is refused, then the first model comes back
	// as a new revision.
	f.api(t, "POST", fmt.Sprintf("%s/revisions/%d/restore", base, first), nil, "If-Match", `"2"`).wantError(t, http.StatusPreconditionFailed)
	var restored store.Workspace
	f.api(t, "POST", fmt.Sprintf("%s/revisions/%d/restore", base, first), nil, "If-Match", fmt.Sprintf(`"%d"`, last)).want(t, http.StatusCreated).decode(t, &restored)
	if restored.Revision != last+1 {
		t.Errorf("restore made revision %d, want %d", restored.Revision, last+1)
	}
	if got := export(); exported[got] != exported[first] {
		t.Errorf("after the restore the model is:\n%s\nwant:\n%s", exported[got], exported[first])
	}

	// Revisions that don't exist are 404; so is a bad number and a bad from.
	f.api(t, "GET", base+"/revisions/99/model", nil).wantError(t, http.StatusNotFound)
	f.api(t, "GET", base+"/revisions/x/model", nil).wantError(t, http.StatusNotFound)
	f.api(t, "POST", base+"/revisions/99/restore", nil).wantError(t, http.StatusNotFound)
	f.api(t, "GET", base+"/diff?from=99", nil).wantError(t, http.StatusNotFound)
	f.api(t, "GET", base+"/diff", nil).wantError(t, http.StatusBadRequest, "from")
	f.api(t, "GET", "/workspaces/nope/revisions", nil).wantError(t, http.StatusNotFound)
	f.api(t, "GET", base+"/revisions?limit=0", nil).wantError(t, http.StatusBadRequest, "limit")
}
