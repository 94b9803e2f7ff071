package store

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/archmap/archmap/topology"
)

// TestConcurrentWritersLoseNothing: 20 goroutines write at once, to one
// workspace and to their own, while others read. Every write lands, the
// revision counts each one, and nobody sees "database is locked".
func TestConcurrentWritersLoseNothing(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	shared := mustCreateWorkspace(t, db, "shared")
	const writers, each = 20, 10

	var wg sync.WaitGroup
	errs := make(chan error, writers*each*3)
	stop := make(chan struct{})
	var readers sync.WaitGroup
	for r := 0; r < 4; r++ {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, _, err := db.LoadModel(ctx, shared.Slug); err != nil {
					errs <- fmt.Errorf("LoadModel: %w", err)
				}
				// Pages are read between user actions, not in a tight loop
				// that would starve the writers of CPU.
				time.Sleep(2 * time.Millisecond)
			}
		}()
	}
	for g := 0; g < writers; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			own, err := db.CreateWorkspace(ctx, fmt.Sprintf("own %d", g), "")
			if err != nil {
				errs <- err
				return
			}
			for i := 0; i < each; i++ {
				name := fmt.Sprintf("svc-%02d-%02d", g, i)
				if _, _, err := db.Services().Create(ctx, shared.Slug, topology.Service{Name: name}, 0); err != nil {
					errs <- err
				}
				if _, _, err := db.Servers().Create(ctx, own.Slug, topology.Server{Name: name}, 0); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	readers.Wait()
	close(errs)
	for err := range errs {
		if strings.Contains(err.Error(), "locked") || strings.Contains(err.Error(), "busy") {
			t.Errorf("a writer saw: %v", err)
		} else {
			t.Error(err)
		}
	}

	m, ws, err := db.LoadModel(ctx, shared.Slug)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Services) != writers*each || ws.Revision != 1+writers*each {
		t.Errorf("shared workspace has %d services at revision %d; want %d at %d", len(m.Services), ws.Revision, writers*each, 1+writers*each)
	}
	list, err := db.ListWorkspaces(ctx)
	if err != nil {
		t.Fatal(err)
	}
	slugs := map[string]bool{}
	for _, w := range list {
		slugs[w.Slug] = true
		if w.Slug != shared.Slug && w.Revision != 1+each {
			t.Errorf("workspace %s at revision %d, want %d", w.Slug, w.Revision, 1+each)
		}
	}
	if len(list) != writers+1 || len(slugs) != writers+1 {
		t.Errorf("%d workspaces with %d distinct slugs, want %d", len(list), len(slugs), writers+1)
	}
}

// TestExpectedRevisionRefusesLostUpdates: 20 editors read the same revision
// and write at once; exactly one wins, the rest are told to reload.
func TestExpectedRevisionRefusesLostUpdates(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	ws := mustCreateWorkspace(t, db, "w")
	const editors = 20
	var wg sync.WaitGroup
	codes := make(chan string, editors)
	for g := 0; g < editors; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, err := db.Services().Create(ctx, ws.Slug, topology.Service{Name: fmt.Sprintf("s%d", g)}, ws.Revision)
			codes <- topology.ErrorCode(err)
		}()
	}
	wg.Wait()
	close(codes)
	count := map[string]int{}
	for c := range codes {
		count[c]++
	}
	if count[""] != 1 || count[topology.EPRECONDITION] != editors-1 {
		t.Errorf("outcomes %v; want 1 success and %d precondition failures", count, editors-1)
	}
}
