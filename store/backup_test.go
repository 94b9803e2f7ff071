package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/archmap/archmap/topology"
)

// TestBackupWhileWriting copies the database while writers go on: the
// copy opens, passes integrity_check, holds at least every write
// acknowledged before the backup started, and is private to its owner.
func TestBackupWhileWriting(t *testing.T) {
	sqliteOnly(t) // PostgreSQL is backed up with its own tools (docs/production.md)
	ctx := context.Background()
	db := mustOpenDB(t)
	ws, _ := seed(t, db)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if _, _, err := db.Services().Create(ctx, ws.Slug, topology.Service{Name: fmt.Sprintf("w%d-%d", w, i)}, 0); err != nil {
					t.Error(err)
					return
				}
			}
		}(w)
	}
	before, _, err := db.LoadModel(ctx, ws.Slug)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "backup.db")
	err = Backup(ctx, db.Path(), out)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("the backup's mode is %v, want 0600", fi.Mode().Perm())
	}
	copyDB, err := Open(ctx, out)
	if err != nil {
		t.Fatal(err)
	}
	defer copyDB.Close()
	var ok string
	if err := copyDB.write.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&ok); err != nil || ok != "ok" {
		t.Fatalf("integrity_check of the backup: %q %v", ok, err)
	}
	m, _, err := copyDB.LoadModel(ctx, ws.Slug)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Services) < len(before.Services) {
		t.Errorf("the backup has %d services, fewer than the %d acknowledged before it began", len(m.Services), len(before.Services))
	}

	// A backup never overwrites a file, and says why.
	err = Backup(ctx, db.Path(), out)
	wantCode(t, err, topology.ECONFLICT)
	err = Backup(ctx, filepath.Join(t.TempDir(), "nope.db"), filepath.Join(t.TempDir(), "x.db"))
	wantCode(t, err, topology.ENOTFOUND)
}
