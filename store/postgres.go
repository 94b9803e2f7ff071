package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// PostgreSQL, for when one machine is not enough: several archmap nodes
// share one database. The store's API and SQL are the same as on SQLite
// (dialect.go rewrites placeholders); what differs is how writers are kept
// from each other.
//
// SQLite has one writer at a time, and the store's guarantees lean on it:
// a write transaction reads (the revision, whether a name is free, how many
// share links are live) and writes on what it read. PostgreSQL runs
// transactions side by side, READ COMMITTED by default, so the store
// chooses, per kind of write, what makes it take turns again:
//
//   - A model write (writeModel: every entity edit, model replace, restore,
//     workspace rename) runs READ COMMITTED and first locks its workspace's
//     row with SELECT … FOR UPDATE. The next writer of that workspace waits
//     on the lock, then — READ COMMITTED takes a new snapshot per statement
//     — reads the revision its predecessor committed, so an If-Match or
//     expected revision that is stale is refused (EPRECONDITION) and no
//     update is lost; the history's change rows of one workspace are made
//     in commit order. Writers of different workspaces do not wait for
//     each other.
//   - Every other write transaction (accounts, sessions, tokens, share
//     links, creating, importing and deleting workspaces, and whatever is
//     added later through inWrite) takes pg_advisory_xact_lock on one key:
//     it is the only writer, as on SQLite, across every node. Model writes
//     take the same key shared, so they never run beside such a writer.
//   - Choosing or checking a workspace name also takes a lock of its own
//     (lockNames), since a rename is a model write of one workspace yet
//     must see every other name.
//
// Single statements outside a transaction (recording a token's last use,
// deleting a session) take no lock: one statement is atomic by itself.
//
// SERIALIZABLE would give the same guarantees without naming locks, but
// every writer of a busy workspace would fail and retry instead of
// queueing, and every transaction would have to be safe to run twice.
// The store's whole suite, its concurrency tests included, runs on both
// engines (engine_test.go); postgres_test.go has a test per lock above
// that fails without it.
//
// Reads take one snapshot per transaction (REPEATABLE READ READ ONLY), as
// SQLite's read transactions do.

// OpenURL opens the database a URL names: postgres:// or postgresql://
// for PostgreSQL, sqlite:PATH (or a plain path) for SQLite. Both bring the
// schema up to date and give the same API.
func OpenURL(ctx context.Context, url string) (*DB, error) {
	switch {
	case IsPostgresURL(url):
		return openPostgres(ctx, url)
	case strings.HasPrefix(url, "sqlite:"):
		return Open(ctx, strings.TrimPrefix(strings.TrimPrefix(url, "sqlite:"), "//"))
	}
	return Open(ctx, url)
}

// IsPostgresURL reports whether url names a PostgreSQL database.
func IsPostgresURL(url string) bool {
	return strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://")
}

// Pool sizes on PostgreSQL. Writers hold a connection while they wait for
// a lock, so their pool bounds how many queue in the database rather than
// in Go; readers are many and short, as on SQLite.
const (
	pgWriteConns = 8
	pgReadConns  = 16
)

func openPostgres(ctx context.Context, url string) (*DB, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		// pgx's message may quote the URL, password and all.
		return nil, errors.New("store: the PostgreSQL URL is not valid (postgres://USER:PASSWORD@HOST:PORT/DATABASE?sslmode=…)")
	}
	where := fmt.Sprintf("postgres %s@%s:%d/%s", cfg.User, cfg.Host, cfg.Port, cfg.Database)
	// Safety valves, unless the URL sets its own: a node that hangs (not
	// dies: then the server ends its session) inside a write would hold
	// the writers' lock, or a workspace's row, for as long as it hangs;
	// PostgreSQL ends such a session after a minute. A write that waits
	// for a lock longer than 30 s gives up (503) rather than pile up.
	for k, v := range map[string]string{"idle_in_transaction_session_timeout": "60s", "lock_timeout": "30s"} {
		if _, set := cfg.RuntimeParams[k]; !set {
			cfg.RuntimeParams[k] = v
		}
	}
	connector := stdlib.GetConnector(*cfg)
	db := &DB{pg: true, url: url, now: time.Now}
	w := sql.OpenDB(connector)
	w.SetMaxOpenConns(pgWriteConns)
	w.SetMaxIdleConns(pgWriteConns)
	w.SetConnMaxIdleTime(5 * time.Minute)
	db.write = &pool{DB: w, pg: true}
	r := sql.OpenDB(connector)
	r.SetMaxOpenConns(pgReadConns)
	r.SetMaxIdleConns(pgReadConns)
	r.SetConnMaxIdleTime(5 * time.Minute)
	db.read = &pool{DB: r, pg: true}
	if err := w.QueryRowContext(ctx, pgLocksQuery).Scan(&db.locks.writers, &db.locks.names); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: unable to open %s: %w", where, err)
	}
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: %s: %w", where, err)
	}
	if err := db.fillNameKeys(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: %s: %w", where, err)
	}
	return db, nil
}

// Created reports whether this Open made the PostgreSQL schema (applied
// its first migration): of several nodes started on an empty database,
// one. Always false on SQLite, whose callers look for the file.
func (db *DB) Created() bool { return db.created }

// name says which database this is, for messages.
func (db *DB) name() string {
	if db.pg {
		return "the PostgreSQL database"
	}
	return db.path
}

// beginWritePG starts a write transaction on PostgreSQL and takes the
// writers' lock: shared for a model write (which then locks its workspace's
// row), exclusive for any other (see the top of this file).
func (db *DB) beginWritePG(ctx context.Context, model bool) (*Tx, error) {
	sqlTx, err := db.write.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelReadCommitted})
	if err != nil {
		return nil, err
	}
	tx := &Tx{Tx: sqlTx, now: db.now().UTC(), pg: true, locks: db.locks}
	lock := "SELECT pg_advisory_xact_lock(?)"
	if model {
		lock = "SELECT pg_advisory_xact_lock_shared(?)"
	}
	if _, err := tx.ExecContext(ctx, lock, db.locks.writers); err != nil {
		tx.Rollback()
		return nil, err
	}
	return tx, nil
}

// migratePG applies the PostgreSQL migrations the database lacks, each in
// its own transaction with its record in schema_migrations, holding a
// session advisory lock throughout: nodes started at once queue, and the
// first applies what the others then find done. The lock is keyed by the
// schema, so databases (or schemas, as the tests use) do not wait for each
// other.
func (db *DB) migratePG(ctx context.Context, fsys fs.FS) error {
	ms, err := loadMigrations(fsys)
	if err != nil {
		return err
	}
	known := 0
	if len(ms) > 0 {
		known = ms[len(ms)-1].version
	}
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	// Another node's migrations may take longer than lock_timeout: wait
	// for them as long as they take (ctx bounds it).
	if _, err := conn.ExecContext(ctx, "SET lock_timeout = 0"); err != nil {
		return err
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "RESET lock_timeout") //nolint:errcheck // a failure shows in the unlock below
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock(hashtext('archmap migrations ' || current_schema()))"); err != nil {
		return fmt.Errorf("unable to take the migrations lock: %w", err)
	}
	defer func() {
		if _, err := conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(hashtext('archmap migrations ' || current_schema()))"); err != nil {
			// A session lock outlives the transaction: never give back a
			// connection that may still hold it.
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
	}()
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("unable to create the migrations table: %w", err)
	}
	var current int
	if err := conn.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&current); err != nil {
		return fmt.Errorf("unable to read the schema version: %w", err)
	}
	if current > known {
		return fmt.Errorf("database schema version %d is newer than this archmap (%d); upgrade archmap", current, known)
	}
	for _, m := range ms {
		var done bool
		if err := conn.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = $1)", m.version).Scan(&done); err != nil {
			return err
		}
		if done {
			continue
		}
		if err := applyMigrationPG(ctx, conn, m, formatTime(db.now())); err != nil {
			return fmt.Errorf("migration postgres/%s: %w", m.name, err)
		}
		if current == 0 {
			db.created = true
		}
	}
	return nil
}

func applyMigrationPG(ctx context.Context, conn *sql.Conn, m migration, now string) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	// No arguments: pgx sends it by the simple protocol, which runs a file
	// of many statements.
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
		m.version, m.name, now); err != nil {
		return err
	}
	return tx.Commit()
}
