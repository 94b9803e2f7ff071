package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// The dialect seam. The store's SQL is written once, for SQLite, with `?`
// placeholders; on PostgreSQL every query passes through rebind on its way
// to the driver (pool and Tx below shadow database/sql's methods), and the
// few statements that cannot be said alike in both ask the DB or Tx which
// engine they run on. On SQLite nothing is rewritten: the text reaches
// mattn/go-sqlite3 exactly as written.

// pool is a database/sql pool that rewrites placeholders on PostgreSQL.
type pool struct {
	*sql.DB
	pg bool
}

func (p *pool) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if p.pg {
		query, args = rebind(query), pgArgs(args)
	}
	return p.DB.ExecContext(ctx, query, args...)
}

func (p *pool) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if p.pg {
		query, args = rebind(query), pgArgs(args)
	}
	return p.DB.QueryContext(ctx, query, args...)
}

func (p *pool) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if p.pg {
		query, args = rebind(query), pgArgs(args)
	}
	return p.DB.QueryRowContext(ctx, query, args...)
}

func (p *pool) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	if p.pg {
		query = rebind(query)
	}
	return p.DB.PrepareContext(ctx, query)
}

// The forms without a context, for completeness: code written against
// *sql.DB that reaches the pool must not skip the rewriting.

func (p *pool) Exec(query string, args ...any) (sql.Result, error) {
	return p.ExecContext(context.Background(), query, args...)
}

func (p *pool) Query(query string, args ...any) (*sql.Rows, error) {
	return p.QueryContext(context.Background(), query, args...)
}

func (p *pool) QueryRow(query string, args ...any) *sql.Row {
	return p.QueryRowContext(context.Background(), query, args...)
}

// Tx methods that shadow *sql.Tx's, for the same rewriting inside a
// transaction. A prepared statement is rewritten once, when prepared; the
// store passes no booleans to one.

func (tx *Tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if tx.pg {
		query, args = rebind(query), pgArgs(args)
	}
	return tx.Tx.ExecContext(ctx, query, args...)
}

func (tx *Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if tx.pg {
		query, args = rebind(query), pgArgs(args)
	}
	return tx.Tx.QueryContext(ctx, query, args...)
}

func (tx *Tx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if tx.pg {
		query, args = rebind(query), pgArgs(args)
	}
	return tx.Tx.QueryRowContext(ctx, query, args...)
}

func (tx *Tx) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	if tx.pg {
		query = rebind(query)
	}
	return tx.Tx.PrepareContext(ctx, query)
}

func (tx *Tx) Exec(query string, args ...any) (sql.Result, error) {
	return tx.ExecContext(context.Background(), query, args...)
}

func (tx *Tx) Query(query string, args ...any) (*sql.Rows, error) {
	return tx.QueryContext(context.Background(), query, args...)
}

func (tx *Tx) QueryRow(query string, args ...any) *sql.Row {
	return tx.QueryRowContext(context.Background(), query, args...)
}

// rebind turns `?` and `?NNN` placeholders into PostgreSQL's `$n`, leaving
// string literals, quoted identifiers and comments alone.
func rebind(q string) string {
	if !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'' || c == '"':
			j := i + 1
			for j < len(q) {
				if q[j] == c {
					if j+1 < len(q) && q[j+1] == c { // doubled quote inside
						j += 2
						continue
					}
					break
				}
				j++
			}
			end := min(j+1, len(q))
			b.WriteString(q[i:end])
			i = end - 1
		case c == '-' && i+1 < len(q) && q[i+1] == '-':
			j := strings.IndexByte(q[i:], '\n')
			if j < 0 {
				j = len(q) - i
			}
			b.WriteString(q[i : i+j])
			i += j - 1
		case c == '/' && i+1 < len(q) && q[i+1] == '*':
			j := strings.Index(q[i+2:], "*/")
			end := len(q)
			if j >= 0 {
				end = i + 2 + j + 2
			}
			b.WriteString(q[i:end])
			i = end - 1
		case c == '?':
			j := i + 1
			for j < len(q) && q[j] >= '0' && q[j] <= '9' {
				j++
			}
			b.WriteByte('$')
			if j > i+1 {
				b.WriteString(q[i+1 : j]) // ?NNN names its argument
			} else {
				n++
				b.WriteString(strconv.Itoa(n))
			}
			i = j - 1
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// pgArgs converts what SQLite takes and PostgreSQL's INTEGER columns do
// not: booleans, stored as 0/1 in both (PLAN: INTEGER 0/1 booleans).
func pgArgs(args []any) []any {
	var out []any
	for i, a := range args {
		if v, ok := a.(bool); ok {
			if out == nil {
				out = append([]any(nil), args...)
			}
			out[i] = pgBool(v)
		}
	}
	if out == nil {
		return args
	}
	return out
}

func pgBool(v bool) int64 {
	if v {
		return 1
	}
	return 0
}

// PostgreSQL error codes (Appendix A of its manual) the store tells apart.
const (
	pgUniqueViolation      = "23505"
	pgSerializationFailure = "40001"
	pgDeadlockDetected     = "40P01"
	pgLockNotAvailable     = "55P03"
	pgQueryCanceled        = "57014"
	pgTooManyConnections   = "53300"
	pgCannotConnectNow     = "57P03"
	pgAdminShutdown        = "57P01"
	pgCrashShutdown        = "57P02"
)

func pgCode(err error) (string, *pgconn.PgError) {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code, pe
	}
	return "", nil
}

// pgBusy is PostgreSQL's "database is locked": the engine could not do it
// now, and the same request a moment later may well succeed.
func pgBusy(err error) bool {
	// The server going away (a restart, a fail-over) is not a bug of
	// ours either: 503, and the load balancer or the user tries again.
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return true
	}
	code, _ := pgCode(err)
	if strings.HasPrefix(code, "08") { // connection exception
		return true
	}
	switch code {
	case pgAdminShutdown, pgCrashShutdown:
		return true
	case pgSerializationFailure, pgDeadlockDetected, pgLockNotAvailable, pgTooManyConnections, pgCannotConnectNow:
		return true
	case pgQueryCanceled:
		// statement_timeout or lock_timeout set by an operator; a
		// cancelled context is reported as itself, not as this code.
		return true
	}
	return false
}

// pgLocks are the advisory lock keys (pg_advisory_xact_lock) of one
// database: hashes of their purpose and the schema, so that archmaps in
// other schemas of the same database (the tests make one per test) do not
// wait for each other. Computed once, at open.
type pgLocks struct {
	writers int64 // the writers' lock, see beginWritePG
	names   int64 // workspace names and slugs, see lockNames
}

const pgLocksQuery = `SELECT hashtextextended('archmap writers ' || current_schema(), 0),
	hashtextextended('archmap workspace names ' || current_schema(), 0)`

// lockNames serialises, on PostgreSQL, the transactions that choose or
// check a workspace's name or slug: two of them at once could each find a
// name free by Unicode case folding (checkNameFree), which the database's
// index does not fully cover. SQLite's single writer does this already.
func lockNames(ctx context.Context, tx *Tx) error {
	if !tx.pg {
		return nil
	}
	_, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(?)", tx.locks.names)
	return err
}

// forUpdate is the row lock a model write takes on its workspace row, so
// that writers of one workspace queue there (see beginWrite); SQLite has no
// such clause and needs none.
func (tx *Tx) forUpdate() string {
	if tx.pg {
		return " FOR UPDATE"
	}
	return ""
}
