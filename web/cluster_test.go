package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/archmap/archmap/internal/pgtest"
)

// TestTwoNodes runs two archmap serve processes, A and B, on one database
// (one SQLite file in WAL mode on a local disk, which two processes may
// share; and PostgreSQL when ARCHMAP_TEST_DATABASE_URL is set) as two nodes behind a load balancer would: what one
// node writes the other serves, writers split across both lose no
// acknowledged write, and a share link or token revoked on A is refused by
// B at its next request, though B used it a moment before.
//
// The writers run ARCHMAP_CLUSTERTEST_DURATION (default 3 s; make
// clustertest: 30 s).
func TestTwoNodes(t *testing.T) {
	duration := 3 * time.Second
	if v := os.Getenv("ARCHMAP_CLUSTERTEST_DURATION"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("ARCHMAP_CLUSTERTEST_DURATION=%q: want a duration such as 30s", v)
		}
		duration = d
	}
	if testing.Short() {
		t.Skip("starts two servers from a fresh build")
	}
	bin := buildArchmap(t)
	t.Run("sqlite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "cluster.db")
		twoNodes(t, bin, duration, []string{"--db", path})
	})
	t.Run("postgres", func(t *testing.T) {
		// Skipped without ARCHMAP_TEST_DATABASE_URL, never under CI=true.
		twoNodes(t, bin, duration, []string{"--database-url", pgtest.URL(t)})
	})
}

// twoNodes is TestTwoNodes on the database dbArgs names (the flags of both
// serve and the CLI).
func twoNodes(t *testing.T, bin string, duration time.Duration, dbArgs []string) {
	cliArgs := dbArgs
	const email = "ada@example.com"
	token := newAPITokenOn(t, cliArgs, email)
	a := startServe(t, bin, dbArgs...)
	b := startServe(t, bin, dbArgs...)
	apiA, apiB := newAPIClient(a.url, token, nil), newAPIClient(b.url, token, nil)

	t.Run("a workspace made on A is served by B", func(t *testing.T) {
		slug := apiA.createWorkspace(t, "Write")
		if slug != "write" {
			t.Fatalf("slug %q, want write", slug)
		}
		apiB.must(t, http.StatusOK, http.MethodGet, "/api/v1/workspaces/write/model", nil)
		page := signIn(t, b.url, email, testPassword).get(t, "/w/write")
		if !strings.Contains(page.Text(), "Write") {
			t.Errorf("B's page of the workspace does not name it")
		}
	})

	t.Run("writers on both nodes lose nothing", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), duration)
		defer cancel()
		stats := newLoadStats()
		editors := make([]*editor, 8)
		var wg sync.WaitGroup
		for w := range editors {
			api := apiA
			if w%2 == 1 {
				api = apiB
			}
			editors[w] = &editor{id: w, api: api, services: map[string]string{}}
			wg.Go(func() { editors[w].run(ctx, stats) })
		}
		wg.Wait()
		if errs := stats.firstErrors(); len(errs) > 0 {
			t.Errorf("%d writes failed; first: %v", len(errs), errs)
		}
		if stats.writes.Load() < 16 {
			t.Errorf("only %d writes in %v: the test tested little", stats.writes.Load(), duration)
		}
		// Read back through both nodes: each serves every write.
		lostA, lostB := checkAcknowledged(t, apiA, editors), checkAcknowledged(t, apiB, editors)
		t.Logf("8 writers (4 on A, 4 on B) for %v: %d writes acknowledged, %d lost as read on A, %d on B",
			duration, stats.writes.Load(), lostA, lostB)
	})

	t.Run("a share revoked on A is gone on B", func(t *testing.T) {
		// A small workspace of its own: the writers' one is too big by now
		// to lay out quickly.
		apiA.createWorkspace(t, "Shared")
		apiA.must(t, http.StatusCreated, http.MethodPost, "/api/v1/workspaces/shared/services", []byte(`{"name": "web"}`))
		r := apiA.must(t, http.StatusCreated, http.MethodPost, "/api/v1/workspaces/shared/shares", []byte(`{"pin": true}`))
		var sh struct {
			ID  int64  `json:"id"`
			URL string `json:"url"`
		}
		if err := json.Unmarshal(r.body, &sh); err != nil || !strings.HasPrefix(sh.URL, "/s/") {
			t.Fatalf("share: %s", r.body)
		}
		anonB := newAPIClient(b.url, "", nil)
		paths := []string{sh.URL, sh.URL + "/diagram.svg", sh.URL + "/findings"}
		for range 2 { // the second time from B's caches
			for _, p := range paths {
				anonB.must(t, http.StatusOK, http.MethodGet, p, nil)
			}
		}
		apiA.must(t, http.StatusNoContent, http.MethodDelete, "/api/v1/workspaces/shared/shares/"+strconv.FormatInt(sh.ID, 10), nil)
		for _, p := range paths {
			anonB.must(t, http.StatusNotFound, http.MethodGet, p, nil)
		}
	})

	t.Run("a token deleted on A is refused by B", func(t *testing.T) {
		doomed := newTokenNamed(t, cliArgs, email, "doomed")
		apiDoomed := newAPIClient(b.url, doomed, nil)
		for range 3 { // B now remembers whose it is
			apiDoomed.must(t, http.StatusOK, http.MethodGet, "/api/v1/workspaces", nil)
		}
		browser := signIn(t, a.url, email, testPassword)
		doc := browser.get(t, "/account")
		action := ""
		doc.Find(`form[action^="/account/tokens/"]`).Each(func(_ int, f *goquery.Selection) {
			if strings.Contains(f.Closest("tr").Text(), "doomed") {
				action, _ = f.Attr("action")
			}
		})
		if action == "" {
			t.Fatal("the account page on A has no delete button for the token")
		}
		if status, _, _ := browser.post(t, action, url.Values{}, false); status != http.StatusSeeOther {
			t.Fatalf("delete the token on A: status %d", status)
		}
		r := apiDoomed.must(t, http.StatusUnauthorized, http.MethodGet, "/api/v1/workspaces", nil)
		if !bytes.Contains(r.body, []byte("not valid")) {
			t.Errorf("B's refusal: %s", r.body)
		}
		// The other token of the same user still works on both.
		apiA.must(t, http.StatusOK, http.MethodGet, "/api/v1/workspaces", nil)
		apiB.must(t, http.StatusOK, http.MethodGet, "/api/v1/workspaces", nil)
	})

	a.stop(t)
	b.stop(t)
}

// newAPITokenOn is newAPIToken on the database the CLI flags name.
func newAPITokenOn(tb testing.TB, cli []string, email string) string {
	tb.Helper()
	args := append([]string{"user", "add"}, cli...)
	if r := runCLI(tb, testPassword+"\n", nil, append(args, "--email", email, "--password-stdin")...); r.code != 0 {
		tb.Fatalf("user add: exit %d: %s", r.code, r.stderr)
	}
	return newTokenNamed(tb, cli, email, "first")
}

// newTokenNamed creates another token of an existing account.
func newTokenNamed(tb testing.TB, cli []string, email, name string) string {
	tb.Helper()
	args := append(append([]string{"token", "create"}, cli...), "--email", email, "--name", name)
	r := runCLI(tb, "", nil, args...)
	if r.code != 0 {
		tb.Fatalf("token create: exit %d: %s", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}
