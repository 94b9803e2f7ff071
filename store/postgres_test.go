package store

import (
	"context"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/archmap/archmap/migrations"
	"github.com/archmap/archmap/topology"
)

// Every SQLite migration has its PostgreSQL twin under the same name, and
// the other way round: a migration added for one engine only would leave
// the other's schema behind (and /readyz would never say ready).
func TestEveryMigrationHasAPostgresTwin(t *testing.T) {
	names := func(fsys fs.FS) []string {
		ms, err := loadMigrations(fsys)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, m := range ms {
			out = append(out, m.name)
		}
		sort.Strings(out)
		return out
	}
	sqlite, pg := names(migrations.FS), names(migrations.PostgresFS)
	if len(sqlite) == 0 {
		t.Fatal("no migrations embedded")
	}
	if strings.Join(sqlite, "\n") != strings.Join(pg, "\n") {
		t.Errorf("migrations differ between engines:\nSQLite:     %v\nPostgreSQL: %v (migrations/postgres/)", sqlite, pg)
	}
}

// Several nodes started at once on one fresh database: every one opens,
// and each migration is applied once (pg_advisory_lock); without the lock
// they would race to CREATE the same tables.
func TestConcurrentOpensMigrateOnce(t *testing.T) {
	postgresOnly(t)
	u := openTestURL(t)
	const nodes = 8
	var wg sync.WaitGroup
	dbs := make([]*DB, nodes)
	errs := make([]error, nodes)
	for i := range nodes {
		wg.Go(func() { dbs[i], errs[i] = OpenURL(context.Background(), u) })
	}
	wg.Wait()
	t.Cleanup(func() {
		for _, db := range dbs {
			if db != nil {
				db.Close()
			}
		}
	})
	for i, err := range errs {
		if err != nil {
			t.Errorf("node %d: %v", i, err)
		}
	}
	if t.Failed() {
		return
	}
	ms, _ := loadMigrations(migrations.PostgresFS)
	var n, distinct int
	if err := dbs[0].read.QueryRowContext(context.Background(), "SELECT COUNT(*), COUNT(DISTINCT version) FROM schema_migrations").Scan(&n, &distinct); err != nil {
		t.Fatal(err)
	}
	if n != len(ms) || distinct != len(ms) {
		t.Errorf("%d migrations recorded (%d distinct), want %d once each", n, distinct, len(ms))
	}
	for i, db := range dbs {
		if err := db.Ready(context.Background()); err != nil {
			t.Errorf("node %d not ready: %v", i, err)
		}
	}
}

// Names that only Unicode case folding tells apart (final and medial
// sigma: lower() keeps them different, so the database's index does not)
// taken at once by creates and renames: exactly one of each race wins. On
// PostgreSQL this holds by lockNames; on SQLite by its single writer.
func TestConcurrentWorkspaceNamesStayUnique(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	const racers = 12
	names := []string{"Ας team", "ασ team", "ΑΣ team"}
	var wg sync.WaitGroup
	codes := make(chan string, racers)
	for i := range racers {
		wg.Go(func() {
			_, err := db.CreateWorkspace(ctx, names[i%len(names)], "")
			codes <- topology.ErrorCode(err)
		})
	}
	wg.Wait()
	close(codes)
	count := map[string]int{}
	for c := range codes {
		count[c]++
	}
	if count[""] != 1 || count[topology.ECONFLICT] != racers-1 {
		t.Errorf("creates: outcomes %v; want 1 success and %d conflicts", count, racers-1)
	}

	// Renames, each a model write of its own workspace.
	var slugs []string
	for i := range racers {
		slugs = append(slugs, mustCreateWorkspace(t, db, fmt.Sprintf("w%d", i)).Slug)
	}
	codes = make(chan string, racers)
	for i, slug := range slugs {
		wg.Go(func() {
			_, err := db.UpdateWorkspace(ctx, slug, names[i%len(names)]+" 2", "", 0)
			codes <- topology.ErrorCode(err)
		})
	}
	wg.Wait()
	close(codes)
	count = map[string]int{}
	for c := range codes {
		count[c]++
	}
	if count[""] != 1 || count[topology.ECONFLICT] != racers-1 {
		t.Errorf("renames: outcomes %v; want 1 success and %d conflicts", count, racers-1)
	}
}

// The same slug wanted by many creates at once: each gets its own (shop,
// shop-2, …), none fails on the UNIQUE slug.
func TestConcurrentCreatesGetDistinctSlugs(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	const racers = 10
	var wg sync.WaitGroup
	slugs := make(chan string, racers)
	for i := range racers {
		wg.Go(func() {
			ws, err := db.CreateWorkspace(ctx, fmt.Sprintf("Shop %c", 'a'+i), "")
			if err != nil {
				t.Error(err)
				return
			}
			slugs <- ws.Slug
		})
	}
	wg.Wait()
	close(slugs)
	seen := map[string]bool{}
	for s := range slugs {
		if seen[s] {
			t.Errorf("slug %s given twice", s)
		}
		seen[s] = true
	}
	if len(seen) != racers {
		t.Errorf("%d slugs for %d workspaces", len(seen), racers)
	}
}

func TestPostgresErrorsMapLikeSQLites(t *testing.T) {
	for _, code := range []string{pgSerializationFailure, pgDeadlockDetected, pgLockNotAvailable, pgAdminShutdown, "08006"} {
		err := fail("create service", fmt.Errorf("wrapped: %w", &pgconn.PgError{Code: code, Message: "could not serialize"}))
		if topology.ErrorCode(err) != topology.EUNAVAILABLE {
			t.Errorf("%s: code = %q, want %q", code, topology.ErrorCode(err), topology.EUNAVAILABLE)
		}
	}
	if !isUnique(&pgconn.PgError{Code: pgUniqueViolation}) || isUnique(&pgconn.PgError{Code: "23503"}) {
		t.Error("isUnique does not tell 23505 from a foreign key violation")
	}
	other := fail("create service", &pgconn.PgError{Code: "XX000", Message: "internal"})
	if !strings.HasPrefix(other.Error(), "store: unable to create service: ") {
		t.Errorf("other errors are wrapped as %q", other)
	}
}

func TestRebind(t *testing.T) {
	for in, want := range map[string]string{
		"SELECT 1":        "SELECT 1",
		"a = ? AND b = ?": "a = $1 AND b = $2",
		"(SELECT COUNT(*) FROM s WHERE w = ?1), ?1": "(SELECT COUNT(*) FROM s WHERE w = $1), $1",
		"x = '?' AND y = ? -- what?\n AND z = ?":    "x = '?' AND y = $1 -- what?\n AND z = $2",
		`"odd?col" = ? /* ? */ AND 'it''s?' = ?`:    `"odd?col" = $1 /* ? */ AND 'it''s?' = $2`,
		"VALUES (?, ?, ?)":                          "VALUES ($1, $2, $3)",
		"unterminated 'string ?":                    "unterminated 'string ?",
		"SELECT pg_advisory_xact_lock_shared(?)":    "SELECT pg_advisory_xact_lock_shared($1)",
	} {
		if got := rebind(in); got != want {
			t.Errorf("rebind(%q) = %q, want %q", in, got, want)
		}
	}
	args := []any{true, 1, false, "x"}
	got := pgArgs(args)
	if got[0] != int64(1) || got[2] != int64(0) || args[0] != true {
		t.Errorf("pgArgs = %v (and %v): want 1/0 in a copy", got, args)
	}
}

// A write transaction that is not a model write waits for the one before
// it, and then sees what it committed: the first account made by another
// writer (another node) in the meantime makes CreateFirstUser refuse. On
// PostgreSQL this is the writers' advisory lock; without it the second
// would count no users and make a second admin.
func TestAWriteWaitsForTheWriterBeforeIt(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	tx, err := db.beginWrite(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, "INSERT INTO users (email, email_key, password_hash, admin, created_at) VALUES ('a@example.org', 'a@example.org', ?, 1, ?)",
		[]byte("h"), formatTime(tx.now)); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := db.CreateFirstUser(ctx, "b@example.org", []byte("h"))
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("CreateFirstUser returned (%v) while another writer was inside its transaction", err)
	case <-time.After(300 * time.Millisecond):
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	wantCode(t, <-done, topology.ECONFLICT)
}

// A model write waits for the one before it on the same workspace and then
// checks the revision that one committed: an edit made against the old
// revision is refused (EPRECONDITION), not applied on top (a lost update).
// On PostgreSQL this is the workspace row's FOR UPDATE.
func TestAModelWriteChecksTheRevisionCommittedBeforeIt(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	ws := mustCreateWorkspace(t, db, "w")
	tx, err := db.beginModelWrite(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := findWorkspaceForWrite(ctx, tx, ws.Slug, ws.Revision); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, _, err := db.Services().Create(ctx, ws.Slug, topology.Service{Name: "late"}, ws.Revision)
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("CreateService returned (%v) while another writer of the workspace was inside its transaction", err)
	case <-time.After(300 * time.Millisecond):
	}
	if _, err := changeModel(ctx, tx, ws, func(tx *Tx, ws *Workspace) error {
		_, err := tx.ExecContext(ctx, "UPDATE workspaces SET description = 'first' WHERE id = ?", ws.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	wantCode(t, <-done, topology.EPRECONDITION)
	got, err := db.GetWorkspace(ctx, ws.Slug)
	if err != nil || got.Revision != ws.Revision+1 || got.Description != "first" {
		t.Errorf("workspace %+v, %v: want only the first write, at revision %d", got, err, ws.Revision+1)
	}
}

// Writers of different workspaces do not wait for each other on
// PostgreSQL (SQLite has one writer, so this is about PostgreSQL only).
func TestModelWritesOfOtherWorkspacesRunBeside(t *testing.T) {
	postgresOnly(t)
	ctx := context.Background()
	db := mustOpenDB(t)
	a, b := mustCreateWorkspace(t, db, "a"), mustCreateWorkspace(t, db, "b")
	tx, err := db.beginModelWrite(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := findWorkspaceForWrite(ctx, tx, a.Slug, 0); err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if _, _, err := db.Services().Create(wctx, b.Slug, topology.Service{Name: "s"}, b.Revision); err != nil {
		t.Errorf("a write to b while a's writer is open: %v", err)
	}
}

// OpenURL picks the engine by the URL's scheme; a PostgreSQL URL that does
// not parse is refused without repeating it (it may hold a password).
func TestOpenURLPicksTheEngine(t *testing.T) {
	sqliteOnly(t)
	ctx := context.Background()
	p := filepath.Join(t.TempDir(), "a.db")
	for _, u := range []string{"sqlite:" + p, p} {
		db, err := OpenURL(ctx, u)
		if err != nil {
			t.Fatalf("OpenURL(%q): %v", u, err)
		}
		if db.Path() != p || db.Postgres() {
			t.Errorf("OpenURL(%q): path %q, postgres %v", u, db.Path(), db.Postgres())
		}
		db.Close()
	}
	_, err := OpenURL(ctx, "postgres://archmap:s3cret@db:notaport/archmap")
	if err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("a bad PostgreSQL URL: %v", err)
	}
}

// The safety valves reach the session, and a URL's own value wins.
func TestPostgresSessionTimeouts(t *testing.T) {
	postgresOnly(t)
	ctx := context.Background()
	db := mustOpenDB(t)
	var idle, lock string
	if err := db.write.QueryRowContext(ctx, "SELECT current_setting('idle_in_transaction_session_timeout'), current_setting('lock_timeout')").Scan(&idle, &lock); err != nil {
		t.Fatal(err)
	}
	if idle != "1min" || lock != "30s" {
		t.Errorf("idle_in_transaction_session_timeout %q, lock_timeout %q; want 1min and 30s", idle, lock)
	}
	own, err := OpenURL(ctx, db.url+"&lock_timeout=2s")
	if err != nil {
		t.Fatal(err)
	}
	defer own.Close()
	if err := own.write.QueryRowContext(ctx, "SELECT current_setting('lock_timeout')").Scan(&lock); err != nil || lock != "2s" {
		t.Errorf("lock_timeout %q (%v) with the URL's 2s", lock, err)
	}
}

// A model write does not run beside a write that is not one (which may
// read across workspaces, as a share link's pinned copy reads the model):
// it waits for it. On PostgreSQL this is the writers' lock taken shared.
func TestAModelWriteWaitsForAnOtherWrite(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	ws := mustCreateWorkspace(t, db, "w")
	tx, err := db.beginWrite(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	done := make(chan error, 1)
	go func() {
		_, _, err := db.Services().Create(ctx, ws.Slug, topology.Service{Name: "s"}, ws.Revision)
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("a model write returned (%v) while another writer was inside its transaction", err)
	case <-time.After(300 * time.Millisecond):
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
