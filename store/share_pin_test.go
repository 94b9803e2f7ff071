package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/archmap/archmap/migrations"
	"github.com/archmap/archmap/topology"
	"github.com/archmap/archmap/topology/topologytest"
)

// The server keys its caches by workspace id (and share links by theirs):
// an id handed out again after a delete would let a new object inherit a
// deleted one's cached answers (issue 12).
func TestIDsAreNeverReused(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	a := mustCreateWorkspace(t, db, "a")
	sa, err := db.CreateShare(ctx, a.Slug, hash("a"), time.Time{}, true)
	if err != nil {
		t.Fatal(err)
	}
	// The newest rows go: without AUTOINCREMENT SQLite hands out max+1 again.
	if err := db.DeleteWorkspace(ctx, a.Slug, 0); err != nil {
		t.Fatal(err)
	}
	b := mustCreateWorkspace(t, db, "b")
	sb, err := db.CreateShare(ctx, b.Slug, hash("b"), time.Time{}, true)
	if err != nil {
		t.Fatal(err)
	}
	if b.ID <= a.ID {
		t.Errorf("workspace id %d after deleting %d: reused", b.ID, a.ID)
	}
	if sb.ID <= sa.ID {
		t.Errorf("share id %d after deleting %d with its workspace: reused", sb.ID, sa.ID)
	}
	// The same after a reopen: the high-water mark is stored, not in memory.
	if err := db.DeleteWorkspace(ctx, b.Slug, 0); err != nil {
		t.Fatal(err)
	}
	db2, err := reopenDB(t, db)
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	c, err := db2.CreateWorkspace(ctx, "c", "")
	if err != nil {
		t.Fatal(err)
	}
	if c.ID <= b.ID {
		t.Errorf("workspace id %d after reopening and deleting %d: reused", c.ID, b.ID)
	}
}

func countPins(tb testing.TB, db *DB) int {
	tb.Helper()
	var n int
	if err := db.read.QueryRow("SELECT COUNT(*) FROM pinned_models").Scan(&n); err != nil {
		tb.Fatal(err)
	}
	return n
}

func TestPinnedCopyPerRevision(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	ws, _ := seed(t, db)
	now := time.Now().UTC()
	db.now = func() time.Time { return now }

	var ids []int64
	for i := range 3 {
		sh, err := db.CreateShare(ctx, ws.Slug, hash(fmt.Sprint("r1-", i)), time.Time{}, true)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, sh.ID)
	}
	if n := countPins(t, db); n != 1 {
		t.Fatalf("3 links pinning one revision keep %d copies, want 1", n)
	}
	if _, _, err := db.Services().Create(ctx, ws.Slug, topology.Service{Name: "later"}, 0); err != nil {
		t.Fatal(err)
	}
	second, err := db.CreateShare(ctx, ws.Slug, hash("r2"), now.Add(time.Hour), true)
	if err != nil {
		t.Fatal(err)
	}
	if n := countPins(t, db); n != 2 {
		t.Fatalf("two pinned revisions keep %d copies, want 2", n)
	}
	// Revoking two of three links of the first revision keeps its copy.
	for _, id := range ids[:2] {
		if err := db.RevokeShare(ctx, ws.Slug, id); err != nil {
			t.Fatal(err)
		}
	}
	if n := countPins(t, db); n != 2 {
		t.Fatalf("after revoking 2 of 3 links: %d copies, want 2", n)
	}
	l, err := db.ResolveShare(ctx, hash("r1-2"), now)
	if err != nil {
		t.Fatal(err)
	}
	if sm, err := db.LoadSharedModel(ctx, l); err != nil || len(sm.Model.Services) != len(sampleModel().Services) {
		t.Fatalf("the last link of revision 1 shows %+v, %v", sm, err)
	}
	// The last one goes, and its copy with it.
	if err := db.RevokeShare(ctx, ws.Slug, ids[2]); err != nil {
		t.Fatal(err)
	}
	if n := countPins(t, db); n != 1 {
		t.Fatalf("after revoking every link of revision 1: %d copies, want 1", n)
	}
	// An expired link's copy goes with the next change to the links.
	now = now.Add(2 * time.Hour)
	if _, err := db.CreateShare(ctx, ws.Slug, hash("live"), time.Time{}, false); err != nil {
		t.Fatal(err)
	}
	if n := countPins(t, db); n != 0 {
		t.Fatalf("after link %d expired: %d copies, want 0", second.ID, n)
	}
}

func TestLiveSharesAreBounded(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	ws := mustCreateWorkspace(t, db, "many")
	var first *Share
	for i := range MaxLiveShares {
		sh, err := db.CreateShare(ctx, ws.Slug, hash(fmt.Sprint(i)), time.Time{}, i%2 == 0)
		if err != nil {
			t.Fatalf("link %d: %v", i, err)
		}
		if first == nil {
			first = sh
		}
	}
	_, err := db.CreateShare(ctx, ws.Slug, hash("one too many"), time.Time{}, false)
	wantCode(t, err, topology.ECONFLICT)
	if msg := topology.ErrorMessage(err); msg == "" || !strings.Contains(msg, "100") || !strings.Contains(msg, "Revoke") {
		t.Errorf("message %q does not say the bound and the way out", msg)
	}
	if err := db.RevokeShare(ctx, ws.Slug, first.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateShare(ctx, ws.Slug, hash("one too many"), time.Time{}, false); err != nil {
		t.Errorf("after a revoke: %v", err)
	}
}

// A database of the schema before the rebuild keeps every row, every
// reference and every cascade after it.
func TestMigrationRebuildKeepsData(t *testing.T) {
	sqliteOnly(t)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	old := fstest.MapFS{}
	// Every migration before the rebuild.
	all, err := loadMigrations(migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range all {
		if strings.HasSuffix(m.name, "_ids_never_reused.sql") {
			break
		}
		old[m.name] = &fstest.MapFile{Data: []byte(m.sql)}
	}
	db := &DB{path: path, now: time.Now}
	db.write, err = openWriterForTest(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.migrateFS(ctx, old); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO workspaces VALUES (1, 'a', 'A', '', 5, 5, 3, 2, '2026-01-01T00:00:00.000000000Z', '2026-01-01T00:00:00.000000000Z'), (2, 'b', 'B', '', 5, 5, 3, 2, '2026-01-01T00:00:00.000000000Z', '2026-01-01T00:00:00.000000000Z')`,
		`INSERT INTO services (id, workspace_id, position, name, kind) VALUES (10, 1, 0, 'web', 'service'), (11, 2, 0, 'db', 'database')`,
		`INSERT INTO shares (id, workspace_id, token_hash, created_at, pinned_revision, pinned_model) VALUES
			(1, 1, x'01', '2026-01-01T00:00:00.000000000Z', 2, '{"version":1,"name":"A"}'), (2, 1, x'02', '2026-01-01T00:00:00.000000000Z', 2, '{"version":1,"name":"A"}'), (3, 2, x'03', '2026-01-01T00:00:00.000000000Z', NULL, NULL)`,
	} {
		if _, err := db.write.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	// The schema objects that must survive the rebuild: triggers, indexes
	// and the columns of workspaces (a later migration that adds one must
	// come after the rebuild, or the rebuild must copy it).
	triggers := func(w *sql.DB) []string {
		var names []string
		rows, err := w.Query(`SELECT name FROM sqlite_schema WHERE type IN ('trigger', 'index') AND name NOT LIKE 'sqlite_%'
			UNION ALL SELECT 'workspaces.' || name FROM pragma_table_info('workspaces') ORDER BY 1`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				t.Fatal(err)
			}
			names = append(names, n)
		}
		return names
	}
	before := triggers(db.write.DB)
	db.write.Close()

	db2, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	count := func(q string) int {
		var n int
		if err := db2.read.QueryRow(q).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	if n := count("SELECT COUNT(*) FROM services"); n != 2 {
		t.Fatalf("%d services after the rebuild, want 2", n)
	}
	after := strings.Join(triggers(db2.write.DB), ",")
	for _, name := range before {
		if !strings.Contains(","+after+",", ","+name+",") {
			t.Errorf("trigger or index %s is gone after the rebuild (have %s)", name, after)
		}
	}
	if n := count("SELECT COUNT(*) FROM shares"); n != 3 {
		t.Fatalf("%d shares after the rebuild, want 3", n)
	}
	if n := count("SELECT COUNT(*) FROM pinned_models"); n != 1 {
		t.Fatalf("%d pinned copies for 2 links of one revision, want 1", n)
	}
	if err := db2.DeleteWorkspace(ctx, "a", 0); err != nil {
		t.Fatal(err)
	}
	if n := count("SELECT COUNT(*) FROM services"); n != 1 {
		t.Errorf("deleting a workspace left %d services, want 1: the cascade is gone", n)
	}
	if n := count("SELECT COUNT(*) FROM shares") + count("SELECT COUNT(*) FROM pinned_models"); n != 1 {
		t.Errorf("deleting a workspace left %d shares and copies, want 1", n)
	}
	var fk int
	if err := db2.write.QueryRow("PRAGMA foreign_keys").Scan(&fk); err != nil || fk != 1 {
		t.Errorf("foreign keys are %d after the migration, want on", fk)
	}
	ws, err := db2.CreateWorkspace(ctx, "c", "")
	if err != nil || ws.ID <= 2 {
		t.Errorf("new workspace %+v, %v: want an id above 2", ws, err)
	}
}

// openWriterForTest opens a writer as Open does, without migrating.
func openWriterForTest(path string) (*pool, error) {
	w, err := sql.Open("sqlite3", dsn(path, writerParams))
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	return &pool{DB: w}, nil
}

// A pinned copy is our own JSON, not user input: a model whose copy is
// past the 5 MiB bound of input still shows through its link.
func TestPinnedCopyOfBigModel(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("stores a 20 000-service model")
	}
	ctx := context.Background()
	db := mustOpenDB(t)
	m := topologytest.Generate(20_000)
	if _, _, err := db.ImportModel(ctx, "big", m); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateShare(ctx, "big", hash("big"), time.Time{}, true); err != nil {
		t.Fatal(err)
	}
	var size int
	if err := db.read.QueryRow("SELECT length(model) FROM pinned_models").Scan(&size); err != nil || size <= topology.MaxInputSize {
		t.Fatalf("copy of %d bytes (%v): the test needs one over %d", size, err, topology.MaxInputSize)
	}
	l, err := db.ResolveShare(ctx, hash("big"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	sm, err := db.LoadSharedModel(ctx, l)
	if err != nil {
		t.Fatalf("pinned copy of %d bytes: %v", size, err)
	}
	if len(sm.Model.Services) != len(m.Services) || len(sm.Model.Dependencies) != len(m.Dependencies) {
		t.Errorf("pinned copy shows %d services, %d dependencies", len(sm.Model.Services), len(sm.Model.Dependencies))
	}
}
