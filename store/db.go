// Package store keeps archmap's workspaces, their models, accounts and share
// links in one SQLite file, through github.com/mattn/go-sqlite3, or in a
// PostgreSQL database, through github.com/jackc/pgx/v5 (OpenURL; postgres.go
// says how its writes keep the guarantees below).
//
// Durability: the database runs in WAL mode with synchronous=FULL, so every
// commit is fsynced to the write-ahead log before the call returns; a change
// the user was told is saved survives a crash of the process and a loss of
// power. (NORMAL would only survive a crash of the process.) The cost is one
// fsync per write transaction, which an editing tool does not notice.
//
// Every write is one transaction on a single writer connection, taken with
// BEGIN IMMEDIATE, so writers queue in Go instead of failing with "database
// is locked"; reads use a separate pool of read-only connections that WAL
// lets run beside the writer.
//
// Nothing invalid is ever stored, whichever path a change comes by: a whole
// model is validated (topology.Model.Validate) inside the transaction that
// replaces it; an entity is validated on its own, and the rules between
// entities — unique names, placements and dependencies, references that
// exist — are the schema's UNIQUE and FOREIGN KEY constraints, so an edit
// costs the same in a model of ten services or ten thousand.
//
// Conventions: workspaces are named by slug. Every write to a workspace or
// its model takes an expectedRevision (0: do not check;
// else a mismatch is EPRECONDITION) and returns the workspace after the
// change, whose Revision is the new one; all of them go through one
// skeleton, writeModel in txn.go, and entities through entityTable.
// Errors meant for users are *topology.Error or *topology.ValidationError
// (ENOTFOUND, ECONFLICT, EPRECONDITION, EINVALID, EUNAVAILABLE); anything
// else is an internal "store: unable to …" error for the log.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mattn/go-sqlite3"

	"github.com/archmap/archmap/migrations"
	"github.com/archmap/archmap/topology"
)

// The pragmas go in the DSN, not in Exec calls: database/sql is a pool, and
// a pragma sent with Exec reaches only the one connection that ran it.
const (
	writerParams = "_journal_mode=WAL&_busy_timeout=5000&_foreign_keys=on&_txlock=immediate&_synchronous=FULL"
	readerParams = "_busy_timeout=5000&_foreign_keys=on&_txlock=deferred&_query_only=true"
)

// DB is an open archmap database.
type DB struct {
	path string // the SQLite file; "" on PostgreSQL
	pg   bool   // PostgreSQL (postgres.go), not SQLite
	url  string // the PostgreSQL URL, password and all: never in a message
	// created: this Open applied the first PostgreSQL migration (Created).
	created bool
	locks   pgLocks
	write   *pool // SQLite: exactly one connection, writers queue here
	read    *pool
	stmts   sync.Map // query text → *sql.Stmt on read, see queryRow
	// touched: "table:id" → when this process last recorded a use, see touch.
	touched sync.Map
	tokens  tokenCache

	// now is the clock; tests move it to expire sessions and shares.
	now func() time.Time
}

// Open opens (creating when missing) the database at path, checks that WAL
// mode took, and brings its schema up to date. A database written by a newer
// archmap is refused.
func Open(ctx context.Context, path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("store: no database path given")
	}
	if strings.HasPrefix(path, "file:") || path == ":memory:" {
		return nil, fmt.Errorf("store: %q: give a file path, not a URI", path)
	}
	db := &DB{path: path, now: time.Now}
	if err := createPrivate(path); err != nil {
		return nil, err
	}

	w, err := sql.Open("sqlite3", dsn(path, writerParams))
	if err != nil {
		return nil, fmt.Errorf("store: unable to open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	db.write = &pool{DB: w}

	var mode string
	if err := w.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		w.Close()
		return nil, fmt.Errorf("store: unable to open %s: %w", path, err)
	}
	// SQLite silently keeps its old journal mode where WAL is impossible
	// (some network file systems); concurrent readers would then block.
	if !strings.EqualFold(mode, "wal") {
		w.Close()
		return nil, fmt.Errorf("store: %s: journal mode is %q, not WAL; put the database on a local file system", path, mode)
	}
	var fk int
	if err := w.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil || fk != 1 {
		w.Close()
		return nil, fmt.Errorf("store: %s: foreign keys could not be enabled (%v)", path, err)
	}

	if err := db.migrate(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("store: %s: %w", path, err)
	}
	if err := db.fillNameKeys(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("store: %s: %w", path, err)
	}

	r, err := sql.Open("sqlite3", dsn(path, readerParams))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("store: unable to open %s: %w", path, err)
	}
	// Readers are many and short (a lookup of 10 µs), but a reader that
	// loses its CPU while holding a connection makes the others queue: with
	// 4 connections and 200 requests in flight the load suite's requests
	// waited 1.6 ms each on average for one (block profile), with 16 1.1 ms.
	n := max(16, runtime.NumCPU())
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	db.read = &pool{DB: r}
	if err := r.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: unable to open %s: %w", path, err)
	}
	return db, nil
}

// createPrivate creates the database file, when missing, readable by its
// owner only: it holds password hashes and every model. SQLite gives the
// -wal and -shm files it creates beside it the same mode. An existing file
// keeps the mode its owner chose.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	switch {
	case errors.Is(err, fs.ErrExist):
		return nil
	case err != nil:
		return fmt.Errorf("store: unable to create %s: %w", path, err)
	}
	return f.Close()
}

// dsn builds a file: URI so that a path holding '?' or '#' stays one path.
func dsn(path, params string) string {
	r := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23")
	return "file:" + r.Replace(path) + "?" + params
}

// Path returns the file the database lives in ("" on PostgreSQL).
func (db *DB) Path() string { return db.path }

// Postgres reports whether the database is PostgreSQL rather than SQLite.
func (db *DB) Postgres() bool { return db.pg }

// Close closes both pools.
func (db *DB) Close() error {
	var errs []error
	db.stmts.Range(func(_, st any) bool {
		errs = append(errs, st.(*sql.Stmt).Close())
		return true
	})
	if db.read != nil {
		errs = append(errs, db.read.Close())
	}
	if db.write != nil {
		errs = append(errs, db.write.Close())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("store: unable to close %s: %w", db.name(), err)
	}
	return nil
}

// Ping reports whether the database answers a query (for /healthz). It uses
// the reader pool, so a long write does not make the server look dead.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	if err := db.read.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fail("reach the database", err)
	}
	return nil
}

// Tx is a transaction with the time it started, so that every row it writes
// carries the same timestamp.
type Tx struct {
	*sql.Tx
	now time.Time
	pg  bool // see dialect.go
	// locks are the PostgreSQL advisory lock keys (dialect.go).
	locks pgLocks
}

// beginWrite starts a write transaction on the writer connection. BEGIN
// IMMEDIATE (from the DSN) takes the write lock up front, so SQLite's busy
// timeout covers the wait for another process, and no transaction fails
// half-way with SQLITE_BUSY when it upgrades from reading to writing.
//
// On PostgreSQL it is the one writer at a time across every node, as on
// SQLite; model writes of one workspace use beginModelWrite instead.
func (db *DB) beginWrite(ctx context.Context) (*Tx, error) {
	return db.beginWriteAs(ctx, false)
}

// beginModelWrite starts a write transaction that changes one workspace's
// model and locks that workspace's row first thing (findWorkspaceForWrite).
// On SQLite it is beginWrite; on PostgreSQL such writers of different
// workspaces run side by side (postgres.go).
func (db *DB) beginModelWrite(ctx context.Context) (*Tx, error) {
	return db.beginWriteAs(ctx, true)
}

func (db *DB) beginWriteAs(ctx context.Context, model bool) (*Tx, error) {
	if db.pg {
		return db.beginWritePG(ctx, model)
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	return &Tx{Tx: tx, now: db.now().UTC()}, nil
}

// beginRead starts a read transaction on the reader pool: every query in it
// sees one snapshot.
func (db *DB) beginRead(ctx context.Context) (*Tx, error) {
	var opts *sql.TxOptions
	if db.pg {
		// READ COMMITTED, PostgreSQL's default, takes a snapshot per
		// statement; one snapshot for the whole read is REPEATABLE READ.
		opts = &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}
	}
	tx, err := db.read.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &Tx{Tx: tx, now: db.now().UTC(), pg: db.pg}, nil
}

// queryRow runs a one-row read with a statement prepared once per query
// text (database/sql prepares it again on each connection as needed). For
// the small lookups every request starts with — a workspace's revision, a
// token, a share link — preparing cost as much as running: 19 → 9.5 µs.
func (db *DB) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	st, ok := db.stmts.Load(query)
	if !ok {
		prepared, err := db.read.PrepareContext(ctx, query)
		if err != nil {
			// The query itself reports the error.
			return db.read.QueryRowContext(ctx, query, args...)
		}
		if st, ok = db.stmts.LoadOrStore(query, prepared); ok {
			prepared.Close() //nolint:sqlclosecheck // another request prepared it first; the stored one lives as long as the DB
		}
	}
	return st.(*sql.Stmt).QueryRowContext(ctx, args...)
}

// fail turns err into what callers see: domain errors (*topology.Error,
// *topology.ValidationError) pass unchanged, a busy database becomes
// EUNAVAILABLE (never "database is locked"), anything else is wrapped as
// "store: unable to OP: …" for the log.
func fail(op string, err error) error {
	var te *topology.Error
	var ve *topology.ValidationError
	if errors.As(err, &te) || errors.As(err, &ve) {
		return err
	}
	var se sqlite3.Error
	if errors.As(err, &se) && (se.Code == sqlite3.ErrBusy || se.Code == sqlite3.ErrLocked) || pgBusy(err) {
		return topology.Errorf(topology.EUNAVAILABLE, "the database is busy; try again in a moment")
	}
	return fmt.Errorf("store: unable to %s: %w", op, err)
}

// isUnique reports whether err is a violated UNIQUE or PRIMARY KEY constraint.
func isUnique(err error) bool {
	var se sqlite3.Error
	if errors.As(err, &se) {
		return se.ExtendedCode == sqlite3.ErrConstraintUnique || se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey
	}
	code, _ := pgCode(err)
	return code == pgUniqueViolation
}

// Times are stored as fixed-width UTC text, so that they sort and compare
// correctly as strings inside SQL.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("bad time %q in database: %w", s, err)
	}
	return t, nil
}

// parseNullTime gives the zero time for NULL.
func parseNullTime(s sql.NullString) (time.Time, error) {
	if !s.Valid {
		return time.Time{}, nil
	}
	return parseTime(s.String)
}

func nullTime(t time.Time) sql.NullString {
	if t.IsZero() {
		return sql.NullString{}
	}
	return sql.NullString{String: formatTime(t), Valid: true}
}

// migration is one numbered file of package migrations.
type migration struct {
	version int
	name    string
	sql     string
}

var migrationName = regexp.MustCompile(`^([0-9]{4})_([a-z0-9_]+)\.sql$`)

// loadMigrations reads the migration files in version order, refusing
// misnamed files and duplicate numbers.
func loadMigrations(fsys fs.FS) ([]migration, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, err
	}
	var ms []migration
	seen := map[int]string{}
	for _, e := range entries {
		if e.IsDir() || path.Ext(e.Name()) != ".sql" {
			continue
		}
		m := migrationName.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("migration %s: name must be NNNN_name.sql", e.Name())
		}
		v, _ := strconv.Atoi(m[1])
		if v == 0 {
			return nil, fmt.Errorf("migration %s: numbers start at 0001", e.Name())
		}
		if other, dup := seen[v]; dup {
			return nil, fmt.Errorf("migrations %s and %s share the number %d", other, e.Name(), v)
		}
		seen[v] = e.Name()
		body, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: e.Name(), sql: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms, nil
}

// migrate applies the embedded migrations the database lacks, each in its
// own transaction together with its record in schema_migrations.
func (db *DB) migrate(ctx context.Context) error {
	if db.pg {
		return db.migratePG(ctx, migrations.PostgresFS)
	}
	return db.migrateFS(ctx, migrations.FS)
}

// migrationsFS is the engine's set of migrations.
func (db *DB) migrationsFS() fs.FS {
	if db.pg {
		return migrations.PostgresFS
	}
	return migrations.FS
}

func (db *DB) migrateFS(ctx context.Context, fsys fs.FS) error {
	ms, err := loadMigrations(fsys)
	if err != nil {
		return err
	}
	known := 0
	if len(ms) > 0 {
		known = ms[len(ms)-1].version
	}
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("unable to create the migrations table: %w", err)
	}
	var current int
	if err := db.write.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&current); err != nil {
		return fmt.Errorf("unable to read the schema version: %w", err)
	}
	if current > known {
		return fmt.Errorf("database schema version %d is newer than this archmap (%d); upgrade archmap", current, known)
	}
	for _, m := range ms {
		if err := db.applyMigration(ctx, m); err != nil {
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
	}
	return nil
}

// foreignKeysOff marks a migration that rebuilds a table other tables refer
// to: with foreign keys on, dropping the old table would delete every row
// that refers to it (ON DELETE CASCADE). Such a migration runs with them
// off, and its keys are checked before it commits.
const foreignKeysOff = "-- archmap:foreign-keys-off"

func (db *DB) applyMigration(ctx context.Context, m migration) error {
	// The pragma is a no-op inside a transaction, so it is set on the one
	// writer connection around it, held for the whole migration.
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	fkOff := strings.HasPrefix(m.sql, foreignKeysOff)
	if fkOff {
		if _, err := conn.ExecContext(ctx, "PRAGMA foreign_keys = OFF"); err != nil {
			return err
		}
		// Back on whatever happens: every later transaction relies on it,
		// so a connection where it fails is not given back to the pool.
		defer func() {
			if _, err := conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA foreign_keys = ON"); err != nil {
				_ = conn.Raw(func(any) error { return driver.ErrBadConn })
			}
		}()
	}
	sqlTx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	tx := &Tx{Tx: sqlTx, now: db.now().UTC()}
	defer tx.Rollback()
	// Checked inside the transaction: another process opening the same
	// file at the same moment may have applied it already.
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM schema_migrations WHERE version = ?", m.version).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return err
	}
	if fkOff {
		if err := checkForeignKeys(ctx, tx); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
		m.version, m.name, formatTime(tx.now)); err != nil {
		return err
	}
	return tx.Commit()
}

// checkForeignKeys fails when a row refers to one that does not exist.
func checkForeignKeys(ctx context.Context, tx *Tx) error {
	rows, err := tx.QueryContext(ctx, "PRAGMA foreign_key_check")
	if err != nil {
		return err
	}
	defer rows.Close()
	if rows.Next() {
		var table string
		var rowid sql.NullInt64
		var parent string
		var fkid int
		if err := rows.Scan(&table, &rowid, &parent, &fkid); err != nil {
			return err
		}
		return fmt.Errorf("row %d of %s refers to a missing row of %s", rowid.Int64, table, parent)
	}
	return rows.Err()
}

// Pools returns the read and write connection pools, for their metrics.
func (db *DB) Pools() (read, write *sql.DB) { return db.read.DB, db.write.DB }
