package server

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/archmap/archmap/diagram"
	"github.com/archmap/archmap/risk"
	"github.com/archmap/archmap/topology"
)

// TestSnapshotsFollowRevisions: every read served from a snapshot shows a
// write at once, through the API and through a live share link, while a
// pinned link keeps showing its revision.
func TestSnapshotsFollowRevisions(t *testing.T) {
	f := newAPIFixture(t)
	slug := importModel(t, f.db, "shop", shopModel())
	live, _ := f.createShare(t, slug, `{"pin": false}`)
	pinned, _ := f.createShare(t, slug, `{"pin": true}`)

	findings := func() risk.Report {
		t.Helper()
		var rep risk.Report
		f.api(t, "GET", "/workspaces/"+slug+"/findings", nil).want(t, http.StatusOK).decode(t, &rep)
		return rep
	}
	reads := []struct {
		name, path string
	}{
		{"API findings", "/api/v1/workspaces/" + slug + "/findings"},
		{"API diagram", "/api/v1/workspaces/" + slug + "/diagram.dot?view=services"},
		{"live share page", "/s/" + live},
		{"live share diagram", "/s/" + live + "/diagram.dot"},
		{"live share fragment", "/s/" + live + "/diagram/fragment"},
		{"pinned share page", "/s/" + pinned},
		{"pinned share diagram", "/s/" + pinned + "/diagram.dot"},
		{"pinned share fragment", "/s/" + pinned + "/diagram/fragment?view=deployment"},
	}
	get := func(path string) string {
		t.Helper()
		if strings.HasPrefix(path, "/api/") {
			return string(f.api(t, "GET", strings.TrimPrefix(path, "/api/v1"), nil).want(t, http.StatusOK).body)
		}
		return string(f.anon(t, "GET", path, nil).want(t, http.StatusOK).body)
	}
	before := findings()
	for _, r := range reads {
		if strings.Contains(get(r.path), "lonelyservice") {
			t.Fatalf("%s shows the service before it exists", r.name)
		}
	}
	loads := f.srv.snapshots.loaded.Load()
	for range 3 {
		for _, r := range reads {
			get(r.path)
		}
	}
	if n := f.srv.snapshots.loaded.Load() - loads; n != 0 {
		t.Errorf("reading an unchanged model again loaded it %d more times", n)
	}

	// A service placed nowhere: a new finding, and a new name everywhere.
	f.api(t, "POST", "/workspaces/"+slug+"/services", map[string]any{"name": "lonelyservice"}).want(t, http.StatusCreated)
	after := findings()
	if len(after.Findings) <= len(before.Findings) || !strings.Contains(fmtSubjects(after), "service:lonelyservice") {
		t.Errorf("findings after the write: %d, before %d; subjects %s", len(after.Findings), len(before.Findings), fmtSubjects(after))
	}
	for _, r := range reads {
		shows := strings.Contains(get(r.path), "lonelyservice")
		if want := !strings.HasPrefix(r.name, "pinned"); shows != want {
			t.Errorf("%s shows the new service: %v, want %v", r.name, shows, want)
		}
	}
}

func fmtSubjects(rep risk.Report) string {
	var b strings.Builder
	for _, f := range rep.Findings {
		b.WriteString(f.Rule + "=" + strings.Join(f.Subjects, ",") + " ")
	}
	return b.String()
}

// TestSnapshotLoadedOnceForConcurrentReaders: many requests for a revision
// nobody has read yet load and analyse the model once between them.
func TestSnapshotLoadedOnceForConcurrentReaders(t *testing.T) {
	f := newAPIFixture(t)
	slug := importModel(t, f.db, "shop", shopModel())
	loads := f.srv.snapshots.loaded.Load()
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() { f.api(t, "GET", "/workspaces/"+slug+"/findings", nil).want(t, http.StatusOK) })
	}
	wg.Wait()
	if n := f.srv.snapshots.loaded.Load() - loads; n != 1 {
		t.Errorf("16 concurrent readers of one revision loaded it %d times, want 1", n)
	}
}

// TestHeavyWorkWaitsItsTurn: with every slot for heavy work taken, a read
// that has to load a model waits, then gets 503 with Retry-After — while
// cheap requests and cached reads go on; once a slot frees it succeeds.
func TestHeavyWorkWaitsItsTurn(t *testing.T) {
	f := newShareServer(t, Config{HeavyWork: 1, HeavyWait: 50 * time.Millisecond})
	slug := importModel(t, f.db, "shop", shopModel())
	share, _ := f.createShare(t, slug, `{"pin": false}`)
	f.api(t, "GET", "/workspaces/"+slug+"/findings", nil).want(t, http.StatusOK)

	release, err := f.srv.heavy.enter(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	// A new revision is not loaded yet: its readers must wait for a slot.
	f.api(t, "POST", "/workspaces/"+slug+"/services", map[string]any{"name": "waiting"}).want(t, http.StatusCreated)
	r := f.api(t, "GET", "/workspaces/"+slug+"/findings", nil)
	r.wantError(t, http.StatusServiceUnavailable, "busy")
	if r.Header.Get("Retry-After") == "" {
		t.Error("503 without Retry-After")
	}
	page := f.anon(t, "GET", "/s/"+share, nil).want(t, http.StatusServiceUnavailable)
	if !strings.Contains(string(page.body), "busy") || page.Header.Get("Retry-After") == "" {
		t.Errorf("share page while busy: Retry-After %q\n%s", page.Header.Get("Retry-After"), page.body)
	}
	request(t, f.testServer, "GET", "/healthz", nil).want(t, http.StatusOK)
	f.api(t, "GET", "/workspaces/"+slug+"/services", nil).want(t, http.StatusOK)

	release()
	var rep risk.Report
	f.api(t, "GET", "/workspaces/"+slug+"/findings", nil).want(t, http.StatusOK).decode(t, &rep)
	if !strings.Contains(fmtSubjects(rep), "service:waiting") {
		t.Errorf("findings once a slot is free: %s", fmtSubjects(rep))
	}
}

// TestSnapshotsUnderConcurrentWrites: readers of every snapshot route run
// alongside writers (under -race this checks nobody modifies a shared
// snapshot), none fails, and the last read shows the last write.
func TestSnapshotsUnderConcurrentWrites(t *testing.T) {
	f := newAPIFixture(t)
	slug := importModel(t, f.db, "shop", shopModel())
	share, _ := f.createShare(t, slug, `{"pin": false}`)
	m := shopModel()
	svc := m.Services[0].Name
	paths := []string{
		"/s/" + share,
		"/s/" + share + "/diagram.svg",
		"/s/" + share + "/diagram/panel?service=" + svc,
	}
	var wg sync.WaitGroup
	done := make(chan struct{})
	for i := range 4 {
		wg.Go(func() {
			for j := i; ; j++ {
				select {
				case <-done:
					return
				default:
				}
				if j%2 == 0 {
					f.api(t, "GET", "/workspaces/"+slug+"/findings", nil).want(t, http.StatusOK)
				} else {
					f.anon(t, "GET", paths[j%len(paths)], nil).want(t, http.StatusOK)
				}
			}
		})
	}
	for i := range 20 {
		f.api(t, "POST", "/workspaces/"+slug+"/services", map[string]any{"name": "w" + string(rune('a'+i))}).want(t, http.StatusCreated)
	}
	close(done)
	wg.Wait()
	var rep risk.Report
	f.api(t, "GET", "/workspaces/"+slug+"/findings", nil).want(t, http.StatusOK).decode(t, &rep)
	if !strings.Contains(fmtSubjects(rep), "service:wt") {
		t.Errorf("findings after the writes do not show the last one: %s", fmtSubjects(rep))
	}
}

// TestWorkspaceFragmentFollowsRevisions: the signed-in diagram, kept per
// revision, shows a write at once and is never stored for other caches.
func TestWorkspaceFragmentFollowsRevisions(t *testing.T) {
	ts := newTestServer(t)
	c := ts.signedIn(t)
	slug := c.importShop(t, "Shop")
	path := "/w/" + slug + "/diagram/fragment?view=services"
	first := c.get(path)
	first.wantStatus(t, http.StatusOK)
	if again := c.get(path); again.body != first.body || again.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("second fragment: same body %v, Cache-Control %q", again.body == first.body, again.Header.Get("Cache-Control"))
	}
	if _, _, err := ts.db.Services().Create(t.Context(), slug, topology.Service{Name: "fresh-service"}, 0); err != nil {
		t.Fatal(err)
	}
	if after := c.get(path); !strings.Contains(after.body, "fresh-service") {
		t.Error("the fragment after a write does not show it")
	}
}

// Anonymous (low-priority) work never holds the last slot of the heavy
// work: with two slots, a second low-priority caller waits while a normal
// one gets in at once.
func TestAdmissionLeavesASlotForSignedInWork(t *testing.T) {
	a := newAdmission(2, 100*time.Millisecond)
	low := diagram.WithLowPriority(context.Background())
	release, err := a.enter(low)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.enter(low); topology.ErrorCode(err) != topology.EUNAVAILABLE {
		t.Fatalf("a second low-priority caller: %v, want EUNAVAILABLE after the wait", err)
	}
	start := time.Now()
	normal, err := a.enter(context.Background())
	if err != nil {
		t.Fatalf("a normal caller beside low-priority work: %v", err)
	}
	if took := time.Since(start); took >= a.wait {
		t.Errorf("the normal caller waited %s", took)
	}
	normal()
	release()
	// Released, both kinds get in again.
	r1, err := a.enter(low)
	if err != nil {
		t.Fatal(err)
	}
	r2, err := a.enter(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	r1()
	r2()
}
