package server

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"testing"
	"time"
)

// A running server deletes expired sessions on its own and keeps live
// ones; stop ends the loop.
func TestHousekeepingPurgesExpiredSessions(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	u, err := ts.db.CreateUser(ctx, testEmail, fixturePasswordHash(t), true)
	if err != nil {
		t.Fatal(err)
	}
	expired, live := sha256.Sum256([]byte("expired")), sha256.Sum256([]byte("live"))
	if err := ts.db.CreateSession(ctx, u.ID, expired[:], time.Now().Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := ts.db.CreateSession(ctx, u.ID, live[:], time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	// Count rows in the file itself: the store's lookups hide expired
	// sessions whether or not they were deleted.
	raw, err := sql.Open("sqlite3", "file:"+ts.db.Path()+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	count := func() int {
		t.Helper()
		var n int
		if err := raw.QueryRow("SELECT COUNT(*) FROM sessions").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(); n != 2 {
		t.Fatalf("%d sessions before housekeeping, want 2", n)
	}

	stop := ts.srv.StartHousekeeping(ctx, 10*time.Millisecond)
	deadline := time.Now().Add(5 * time.Second)
	for count() != 1 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if n := count(); n != 1 {
		t.Fatalf("%d sessions after housekeeping, want the live one only", n)
	}
	if _, err := ts.db.GetSessionUser(ctx, live[:]); err != nil {
		t.Errorf("the live session was lost: %v", err)
	}

	// After stop, no purge runs: a session that expires later stays.
	stop()
	later := sha256.Sum256([]byte("later"))
	if err := ts.db.CreateSession(ctx, u.ID, later[:], time.Now().Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	if n := count(); n != 2 {
		t.Errorf("%d sessions after stop, want 2: housekeeping ran after stop", n)
	}
}
