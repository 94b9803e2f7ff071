package store

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/archmap/archmap/topology"
)

// Several archmap nodes share one database; two handles on one SQLite file
// are two nodes as far as the store can tell (nothing in memory is shared).

// mustOpenSecond opens another handle on db's database: a second node.
func mustOpenSecond(tb testing.TB, db *DB) *DB {
	tb.Helper()
	other, err := reopenDB(tb, db)
	if err != nil {
		tb.Fatalf("Open a second handle: %v", err)
	}
	tb.Cleanup(func() { other.Close() })
	return other
}

// TestTokenRevokedOnAnotherNode: node B remembers the owner of a token it
// just used; whatever takes the token away on node A — the store's delete,
// a delete behind its back, a change of its owner — is seen by B on its very
// next lookup, not after the cache's TTL.
func TestTokenRevokedOnAnotherNode(t *testing.T) {
	ctx := context.Background()
	a := mustOpenDB(t)
	b := mustOpenSecond(t, a)
	now := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	a.now = func() time.Time { return now }
	b.now = a.now
	u, err := a.CreateUser(ctx, "ada@example.com", []byte("hash"), true)
	if err != nil {
		t.Fatal(err)
	}
	newToken := func(name string) ([]byte, int64) {
		t.Helper()
		h := hash(name)
		tok, err := a.CreateAPIToken(ctx, u.ID, name, h)
		if err != nil {
			t.Fatal(err)
		}
		for range 2 { // the second lookup is the remembered one
			if got, err := b.GetAPITokenUser(ctx, h); err != nil || got.ID != u.ID {
				t.Fatalf("node B: GetAPITokenUser = %v, %v", got, err)
			}
		}
		if _, _, ok := b.tokens.get(h, mustGeneration(t, b), now); !ok {
			t.Fatal("node B does not remember the token: the test would not test the cache")
		}
		return h, tok.ID
	}

	viaStore, id := newToken("via-store")
	if err := a.DeleteAPIToken(ctx, u.ID, id); err != nil {
		t.Fatal(err)
	}
	_, err = b.GetAPITokenUser(ctx, viaStore)
	wantCode(t, err, topology.ENOTFOUND)

	behind, id := newToken("behind")
	if _, err := a.write.ExecContext(ctx, "DELETE FROM api_tokens WHERE id = ?", id); err != nil {
		t.Fatal(err)
	}
	_, err = b.GetAPITokenUser(ctx, behind)
	wantCode(t, err, topology.ENOTFOUND)

	// A change of the owner (here: no longer an admin; a disabled account
	// is the same kind of UPDATE) is read again, not served from memory.
	owner, _ := newToken("owner")
	if _, err := a.write.ExecContext(ctx, "UPDATE users SET admin = 0 WHERE id = ?", u.ID); err != nil {
		t.Fatal(err)
	}
	if got, err := b.GetAPITokenUser(ctx, owner); err != nil || got.Admin {
		t.Errorf("node B after A demoted the owner: %+v, %v; want a non-admin", got, err)
	}

	// Recording a use is no change of access: the remembered entries stay.
	gen := mustGeneration(t, a)
	now = now.Add(2 * time.Minute) // the use is stale: this lookup writes last_used_at
	if _, err := b.GetAPITokenUser(ctx, owner); err != nil {
		t.Fatal(err)
	}
	if got := mustGeneration(t, a); got != gen {
		t.Errorf("recording a token's use moved the generation %d → %d; every node would forget its tokens each minute", gen, got)
	}

	// A user deleted takes its tokens with it (ON DELETE CASCADE).
	if _, err := a.write.ExecContext(ctx, "DELETE FROM users WHERE id = ?", u.ID); err != nil {
		t.Fatal(err)
	}
	_, err = b.GetAPITokenUser(ctx, owner)
	wantCode(t, err, topology.ENOTFOUND)
}

func mustGeneration(tb testing.TB, db *DB) int64 {
	tb.Helper()
	gen, err := db.authGeneration(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return gen
}

// TestShareRevokedOnAnotherNode: a link revoked on node A does not resolve
// on node B, which opened it a moment before.
func TestShareRevokedOnAnotherNode(t *testing.T) {
	ctx := context.Background()
	a := mustOpenDB(t)
	b := mustOpenSecond(t, a)
	ws := mustCreateWorkspace(t, a, "Shop")
	h := hash("link")
	sh, err := a.CreateShare(ctx, ws.Slug, h, time.Time{}, true)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := b.ResolveShare(ctx, h, time.Now()); err != nil {
			t.Fatalf("node B: %v", err)
		}
	}
	if err := a.RevokeShare(ctx, ws.Slug, sh.ID); err != nil {
		t.Fatal(err)
	}
	_, err = b.ResolveShare(ctx, h, time.Now())
	wantCode(t, err, topology.ENOTFOUND)
}

// TestSessionPurgeRunsOnceAcrossNodes: two nodes whose housekeeping fires at
// the same moment, many times over, purge once per period between them; the
// next period one of them purges again.
func TestSessionPurgeRunsOnceAcrossNodes(t *testing.T) {
	ctx := context.Background()
	a := mustOpenDB(t)
	b := mustOpenSecond(t, a)
	now := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	a.now, b.now = clock, clock
	u, err := a.CreateUser(ctx, "ada@example.com", []byte("hash"), true)
	if err != nil {
		t.Fatal(err)
	}
	expired := func(n int, tag string) {
		t.Helper()
		for i := range n {
			if err := a.CreateSession(ctx, u.ID, hash(fmt.Sprintf("%s-%d", tag, i)), clock().Add(time.Minute)); err != nil {
				t.Fatal(err)
			}
		}
		mu.Lock()
		now = now.Add(2 * time.Minute)
		mu.Unlock()
	}
	const every = time.Hour
	round := func() (runs, purged int64) {
		t.Helper()
		var r, p atomic.Int64
		var wg sync.WaitGroup
		for i := range 20 {
			node, name := a, "a"
			if i%2 == 1 {
				node, name = b, "b"
			}
			wg.Go(func() {
				ran, n, err := node.DeleteExpiredSessionsOnce(ctx, name, every)
				if err != nil {
					t.Error(err)
				}
				if ran {
					r.Add(1)
				}
				p.Add(n)
			})
		}
		wg.Wait()
		return r.Load(), p.Load()
	}

	expired(5, "first")
	if runs, purged := round(); runs != 1 || purged != 5 {
		t.Errorf("first period: %d purges removing %d sessions, want 1 removing 5", runs, purged)
	}
	expired(3, "second") // 2 minutes later: still the same period
	if runs, _ := round(); runs != 0 {
		t.Errorf("within the period: %d purges, want 0", runs)
	}
	mu.Lock()
	now = now.Add(every)
	mu.Unlock()
	if runs, purged := round(); runs != 1 || purged != 3 {
		t.Errorf("next period: %d purges removing %d sessions, want 1 removing 3", runs, purged)
	}
}
