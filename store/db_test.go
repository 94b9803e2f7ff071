package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/mattn/go-sqlite3"

	"github.com/archmap/archmap/topology"
)

func TestOpenUsesWAL(t *testing.T) {
	sqliteOnly(t)
	ctx := context.Background()
	db := mustOpenDB(t)
	var mode string
	if err := db.read.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if mode != "wal" {
		t.Errorf("reader journal_mode = %q, want wal", mode)
	}
	var fk, sync int
	if err := db.write.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil {
		t.Fatal(err)
	}
	if err := db.write.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&sync); err != nil {
		t.Fatal(err)
	}
	if fk != 1 || sync != 2 {
		t.Errorf("writer foreign_keys = %d, synchronous = %d; want 1 and 2 (FULL)", fk, sync)
	}
	mustCreateWorkspace(t, db, "w")
	if _, err := os.Stat(db.Path() + "-wal"); err != nil {
		t.Errorf("no write-ahead log next to the database: %v", err)
	}
	// The reader pool must refuse writes: they belong to the one writer.
	if _, err := db.read.ExecContext(ctx, "DELETE FROM workspaces"); err == nil {
		t.Error("a write through the reader pool succeeded")
	}
}

func TestOpenOddPaths(t *testing.T) {
	sqliteOnly(t)
	ctx := context.Background()
	dir := t.TempDir()
	for _, name := range []string{"with space.db", "what?.db", "hash#1.db", "pct%41.db"} {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(dir, name)
			db, err := Open(ctx, p)
			if err != nil {
				t.Fatalf("Open(%q): %v", p, err)
			}
			mustCreateWorkspace(t, db, "w")
			db.Close()
			if _, err := os.Stat(p); err != nil {
				t.Errorf("the database is not at %q: %v", p, err)
			}
		})
	}
	for _, bad := range []string{"", ":memory:", "file:x.db"} {
		if db, err := Open(ctx, bad); err == nil {
			db.Close()
			t.Errorf("Open(%q) succeeded", bad)
		}
	}
}

func TestMigrationsFromEmpty(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	want, err := loadMigrations(db.migrationsFS())
	if err != nil {
		t.Fatal(err)
	}
	if len(want) == 0 {
		t.Fatal("no migrations embedded")
	}
	rows, err := db.read.QueryContext(ctx, "SELECT version, name FROM schema_migrations ORDER BY version")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var v int
		var name string
		if err := rows.Scan(&v, &name); err != nil {
			t.Fatal(err)
		}
		got = append(got, name)
	}
	if len(got) != len(want) {
		t.Fatalf("recorded migrations %v, want %d", got, len(want))
	}
	for i := range want {
		if got[i] != want[i].name {
			t.Errorf("migration %d recorded as %q, want %q", i, got[i], want[i].name)
		}
	}

	// Opening again applies nothing twice.
	db.Close()
	db2, err := reopenDB(t, db)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer db2.Close()
	var n int
	if err := db2.read.QueryRowContext(ctx, "SELECT COUNT(*) FROM schema_migrations").Scan(&n); err != nil || n != len(want) {
		t.Errorf("after reopening, %d migrations recorded (%v), want %d", n, err, len(want))
	}
}

func TestRefuseNewerDatabase(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	ms, _ := loadMigrations(db.migrationsFS())
	known := ms[len(ms)-1].version
	if _, err := db.write.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'future.sql', 'x')", known+2); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db2, err := reopenDB(t, db)
	if err == nil {
		db2.Close()
		t.Fatal("Open accepted a database from a newer archmap")
	}
	want := "database schema version " + strconv.Itoa(known+2) + " is newer than this archmap (" + strconv.Itoa(known) + "); upgrade archmap"
	if !strings.Contains(err.Error(), want) {
		t.Errorf("error = %q, want it to contain %q", err, want)
	}
}

func TestMigrationRunsInItsOwnTransaction(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	fsys := fstest.MapFS{
		"0001_a.sql": {Data: []byte("CREATE TABLE a (x INTEGER);")},
		"0002_b.sql": {Data: []byte("CREATE TABLE b (x INTEGER); INSERT INTO nowhere VALUES (1);")},
	}
	// A fresh schema_migrations table stands in for a new database.
	if _, err := db.write.ExecContext(ctx, "DROP TABLE schema_migrations"); err != nil {
		t.Fatal(err)
	}
	migrate, tablesQuery := db.migrateFS, "SELECT name FROM sqlite_schema WHERE name IN ('a', 'b') ORDER BY name"
	if db.pg {
		migrate = db.migratePG
		tablesQuery = "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name IN ('a', 'b') ORDER BY 1"
	}
	err := migrate(ctx, fsys)
	if err == nil || !strings.Contains(err.Error(), "0002_b.sql") {
		t.Fatalf("migrate = %v, want a failure naming 0002_b.sql", err)
	}
	var tables []string
	rows, err := db.write.QueryContext(ctx, tablesQuery)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if strings.Join(tables, ",") != "a" {
		t.Errorf("tables after a failed second migration: %v, want only a", tables)
	}
	var versions int
	if err := db.write.QueryRowContext(ctx, "SELECT COUNT(*) FROM schema_migrations").Scan(&versions); err != nil {
		t.Fatal(err)
	}
	if versions != 1 {
		t.Errorf("%d migrations recorded, want 1", versions)
	}
}

func TestLoadMigrationsRejectsBadFiles(t *testing.T) {
	tests := []struct {
		name string
		fsys fstest.MapFS
		want string
	}{
		{"misnamed", fstest.MapFS{"1_init.sql": {}}, "NNNN_name.sql"},
		{"duplicate number", fstest.MapFS{"0001_a.sql": {}, "0001_b.sql": {}}, "share the number 1"},
		{"zero", fstest.MapFS{"0000_a.sql": {}}, "start at 0001"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadMigrations(tt.fsys)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("loadMigrations = %v, want an error containing %q", err, tt.want)
			}
		})
	}
	ms, err := loadMigrations(fstest.MapFS{"0002_b.sql": {}, "0001_a.sql": {}, "README": {}})
	if err != nil || len(ms) != 2 || ms[0].version != 1 || ms[1].version != 2 {
		t.Errorf("loadMigrations = %+v, %v; want 0001 then 0002", ms, err)
	}
}

func TestPing(t *testing.T) {
	db := mustOpenDB(t)
	if err := db.Ping(context.Background()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	db.read.Close()
	if err := db.Ping(context.Background()); err == nil {
		t.Error("Ping succeeded on a closed database")
	}
}

func TestBusyIsUnavailableNotLocked(t *testing.T) {
	err := fail("create service", sqlite3.Error{Code: sqlite3.ErrBusy})
	if topology.ErrorCode(err) != topology.EUNAVAILABLE {
		t.Errorf("code = %q, want %q", topology.ErrorCode(err), topology.EUNAVAILABLE)
	}
	if strings.Contains(err.Error(), "locked") {
		t.Errorf("message %q mentions the lock", err)
	}
	other := fail("create service", errors.New("disk I/O error"))
	if !strings.HasPrefix(other.Error(), "store: unable to create service: ") {
		t.Errorf("other errors are wrapped as %q", other)
	}
}

// TestWaitsForAnotherProcess: a second connection (standing in for
// "archmap import" run beside the server) holds the write lock for a while;
// the store's write waits for it instead of failing.
func TestWaitsForAnotherProcess(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	ws := mustCreateWorkspace(t, db, "w")
	other, err := reopenDB(t, db)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	tx, err := other.beginWrite(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		time.Sleep(500 * time.Millisecond)
		if _, err := tx.ExecContext(ctx, "UPDATE workspaces SET description = 'other' WHERE id = ?", ws.ID); err != nil {
			t.Error(err)
		}
		if err := tx.Commit(); err != nil {
			t.Error(err)
		}
	}()
	if _, _, err := db.Services().Create(ctx, ws.Slug, topology.Service{Name: "a"}, 0); err != nil {
		t.Fatalf("Services().Create while another process writes: %v", err)
	}
	wg.Wait()
	got, err := db.GetWorkspace(ctx, ws.Slug)
	if err != nil || got.Description != "other" || got.Revision != 2 {
		t.Errorf("workspace = %+v, %v; want both writes applied", got, err)
	}
}
