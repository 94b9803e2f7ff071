package main

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/archmap/archmap/store"
)

// An account made on the server's command line is in the audit log too.
func TestUserAddIsAudited(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "archmap.db")
	if r := runCLI(t, "correct horse battery\n", nil, "user", "add", "--db", dbPath, "--email", "ops@example.com", "--admin", "--password-stdin"); r.code != 0 {
		t.Fatalf("user add: exit %d: %s", r.code, r.stderr)
	}
	ctx := context.Background()
	db, err := store.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	events, _, err := db.ListAudit(ctx, store.AuditQuery{Action: store.AuditUserCreate})
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 1 || events[0].Target != "ops@example.com" || events[0].Actor != "archmap user add" || events[0].Detail != "admin" {
		t.Errorf("audit log: %+v", events)
	}
}
