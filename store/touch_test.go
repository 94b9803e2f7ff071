package store

import (
	"context"
	"crypto/sha256"
	"sync"
	"testing"
	"time"
)

// TestTouchWritesOnceForABurst: many requests that find a link's "last
// used" stale at the same moment record it with one write, not one each;
// a minute later the next use records again.
func TestTouchWritesOnceForABurst(t *testing.T) {
	// Counted with SQLite's total_changes(); what is tested (one write per
	// burst) is the store's Go, the same on either engine.
	sqliteOnly(t)
	db := mustOpenDB(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	db.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	ws := mustCreateWorkspace(t, db, "Shop")
	hash := sha256.Sum256([]byte("burst"))
	if _, err := db.CreateShare(ctx, ws.Slug, hash[:], time.Time{}, false); err != nil {
		t.Fatal(err)
	}
	writes := func() int64 {
		t.Helper()
		var n int64
		if err := db.write.QueryRowContext(ctx, "SELECT total_changes()").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	burst := func(at time.Time) int64 {
		t.Helper()
		before := writes()
		var wg sync.WaitGroup
		for range 50 {
			wg.Go(func() {
				if _, err := db.ResolveShare(ctx, hash[:], at); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		return writes() - before
	}
	if n := burst(now); n != 1 {
		t.Errorf("50 uses of a never-used link made %d writes, want 1", n)
	}
	if n := burst(now.Add(30 * time.Second)); n != 0 {
		t.Errorf("uses within the minute made %d writes, want 0", n)
	}
	if n := burst(now.Add(61 * time.Second)); n != 1 {
		t.Errorf("50 uses a minute later made %d writes, want 1", n)
	}
	list, err := db.ListShares(ctx, ws.Slug)
	if err != nil || len(list) != 1 || !list[0].LastUsedAt.Equal(now.Add(61*time.Second)) {
		t.Errorf("last used %v, want %v (%v)", list[0].LastUsedAt, now.Add(61*time.Second), err)
	}
}
