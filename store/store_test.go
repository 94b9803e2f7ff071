package store

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/archmap/archmap/topology"
)

// mustOpenDB opens a fresh database file in a temporary directory and
// closes it when the test ends.
func mustOpenDB(tb testing.TB) *DB {
	tb.Helper()
	db, err := Open(context.Background(), filepath.Join(tb.TempDir(), "archmap.db"))
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return db
}

// mustCreateWorkspace creates a workspace named name and returns it.
func mustCreateWorkspace(tb testing.TB, db *DB, name string) *Workspace {
	tb.Helper()
	ws, err := db.CreateWorkspace(context.Background(), name, "")
	if err != nil {
		tb.Fatalf("CreateWorkspace(%q): %v", name, err)
	}
	return ws
}

// wantCode fails unless err carries the domain error code want.
func wantCode(tb testing.TB, err error, want string) {
	tb.Helper()
	if got := topology.ErrorCode(err); got != want {
		tb.Fatalf("error code = %q (%v), want %q", got, err, want)
	}
}
