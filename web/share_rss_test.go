package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/archmap/archmap/auth"
	"github.com/archmap/archmap/store"
	"github.com/archmap/archmap/topology"
	"github.com/archmap/archmap/topology/topologytest"
)

// Bounds of TestSharePageMemory (issue 12: sixteen anonymous requests for
// the share page of a 60 000-service model took the server to 2.9 GB).
// The server's peak resident memory (VmHWM) over the whole run — start,
// the first load and analysis of the model, sixteen concurrent requests,
// twice — stays under the bound, and every page under the page bound.
const (
	shareRSSBoundMiB     = 512 // 60 000 services: 268 MiB measured; the model in memory once, the page cached
	shareRSSBoundMiBFast = 200 // the fast version's 3 000 services: 61 MiB measured
	sharePageBoundBytes  = 1 << 20
)

// TestSharePageMemory runs the real binary on a database with one huge
// model and a pinned share link of it, and fires sixteen concurrent
// anonymous requests for the share page, twice. ARCHMAP_RSSTEST=1 uses a
// 60 000-service model (a minute or two: the import is most of it); without
// it, 3 000 services keep the test in make test.
func TestSharePageMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	n, bound := 3_000, shareRSSBoundMiBFast
	if os.Getenv("ARCHMAP_RSSTEST") != "" {
		n, bound = 60_000, shareRSSBoundMiB
	}
	bin := buildArchmap(t)
	dbPath := filepath.Join(t.TempDir(), "archmap.db")
	token := pinnedShare(t, dbPath, topologytest.Generate(n))

	srv := startChild(t, bin, dbPath)
	rssStart, _ := srv.rssKiB(t)
	hc := &http.Client{Timeout: 5 * time.Minute}
	// Twice the page (cold, then cached), then the diagram fragment the
	// page loads next, as a browser would.
	for round, path := range []string{"", "", "/diagram/fragment"} {
		var wg sync.WaitGroup
		sizes := make([]int, 16)
		status := make([]int, 16)
		errs := make([]error, 16)
		start := time.Now()
		for i := range 16 {
			wg.Go(func() {
				// Go's client asks for gzip and decodes it: the size is the
				// page's own.
				resp, err := hc.Get(srv.url + "/s/" + token + path)
				if err != nil {
					errs[i] = err
					return
				}
				defer resp.Body.Close()
				body, err := io.ReadAll(resp.Body)
				// A fragment may say the diagram took too long (504) or the
				// renderers are busy (503), in the diagram's place.
				ok := resp.StatusCode == http.StatusOK || path != "" && (resp.StatusCode == http.StatusGatewayTimeout || resp.StatusCode == http.StatusServiceUnavailable)
				if err == nil && !ok {
					err = fmt.Errorf("status %d: %.300s", resp.StatusCode, body)
				}
				sizes[i], status[i], errs[i] = len(body), resp.StatusCode, err
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("round %d, request %d: %v\nserver log:\n%s", round, i, err, tail(srv.logs.String(), 3000))
			}
			if sizes[i] > sharePageBoundBytes && path == "" {
				t.Errorf("share page of %d bytes, bound %d", sizes[i], sharePageBoundBytes)
			}
		}
		rss, peak := srv.rssKiB(t)
		t.Logf("round %d: 16 concurrent GET /s/TOKEN%s (%d bytes, status %d) in %s; server RSS %d MiB, peak %d MiB (%d MiB after start)",
			round, path, sizes[0], status[0], time.Since(start).Round(time.Millisecond), rss>>10, peak>>10, rssStart>>10)
	}
	_, peak := srv.rssKiB(t)
	if peak>>10 > bound {
		t.Errorf("the server's peak RSS was %d MiB, bound %d MiB", peak>>10, bound)
	}
	srv.stop(t)
}

// pinnedShare stores m as a new workspace and makes a pinned share link of
// it, straight in the database (the model is bigger than any request body
// may be), so that the
// server's memory counts only what visitors cost. It returns the token.
func pinnedShare(tb testing.TB, dbPath string, m *topology.Model) string {
	tb.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dbPath)
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	start := time.Now()
	if _, _, err := db.ImportModel(ctx, "huge", m); err != nil {
		tb.Fatal(err)
	}
	tb.Logf("%d services stored in %s", len(m.Services), time.Since(start).Round(time.Millisecond))
	token, hash, err := auth.NewSecret()
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := db.CreateShare(ctx, "huge", hash, time.Time{}, true); err != nil {
		tb.Fatal(err)
	}
	return token
}
