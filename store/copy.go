package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
)

// Copy moves a whole archmap database into another (archmap db copy): from
// SQLite to PostgreSQL when one machine is no longer enough, and back.
// Everything is copied with its ids — users with their password hashes,
// sessions, tokens, shares and their pinned models, workspaces with every
// entity, revision and history row, settings, accepted risks — so that
// the same passwords, tokens and share links work on the target and every
// workspace exports the same.
//
// The tables are the schema's: every table of the source is copied, in the
// order of its foreign keys, or the copy fails, naming a table it does not
// know (copyTables), rather than leave one behind. The source is read in one
// snapshot, so a server may keep running on it; the target is written in one
// transaction, with its triggers off (the history's rows are copied, not made
// again by the inserts), and its id sequences moved past the copied ids.

// copyRule says what Copy does with a table.
type copyRule int

const (
	// copyRows: the target must have none; the source's are copied.
	copyRows copyRule = iota
	// copySeeded: a migration fills the table; the target's rows are
	// replaced by the source's.
	copySeeded
	// copySchema: the migration record. Not copied: both databases are at
	// this archmap's schema version, which Copy checks.
	copySchema
)

// copyTables is every table archmap's migrations make, with its rule. A
// migration that adds a table adds it here (TestCopyKnowsEveryTable fails
// until it does): whoever adds it decides how it moves.
var copyTables = map[string]copyRule{
	"schema_migrations": copySchema,
	"workspaces":        copyRows,
	"services":          copyRows,
	"servers":           copyRows,
	"placements":        copyRows,
	"dependencies":      copyRows,
	"users":             copyRows,
	"sessions":          copyRows,
	"api_tokens":        copyRows,
	"shares":            copyRows,
	"pinned_models":     copyRows,
	"model_changes":     copyRows,
	"revisions":         copyRows,
	"instance_settings": copyRows,
	"accepted_risks":    copyRows,
	"auth_generation":   copySeeded,
	"leases":            copyRows,
	"audit_events":      copyRows,
	"workspace_members": copyRows,
	"password_links":    copyRows,
	"sign_in_failures":  copyRows,
	"sign_in_known":     copyRows,
	"oidc_identities":   copyRows,
}

// TableCount is one table's rows in the source and, after the copy, in the
// target.
type TableCount struct {
	Table  string
	Source int64
	Target int64
}

// copyBatchParams bounds the values of one multi-row INSERT, under SQLite's
// (32 766) and PostgreSQL's (65 535) limits on parameters.
const copyBatchParams = 30000

// Copy copies everything in from into to, which must hold no data (a new
// database, migrated). It returns the rows of each table in both, in the
// order copied, after checking they agree.
func Copy(ctx context.Context, from, to *DB) ([]TableCount, error) {
	counts, err := copyAll(ctx, from, to)
	if err != nil {
		return nil, fmt.Errorf("store: copy: %w", err)
	}
	return counts, nil
}

func copyAll(ctx context.Context, from, to *DB) ([]TableCount, error) {
	src, err := from.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer src.Rollback()
	dst, err := to.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer dst.Rollback()

	srcTables, err := from.copyDialect().tables(ctx, src)
	if err != nil {
		return nil, err
	}
	dstTables, err := to.copyDialect().tables(ctx, dst)
	if err != nil {
		return nil, err
	}
	for _, t := range srcTables {
		if _, ok := copyTables[t]; !ok {
			return nil, fmt.Errorf("the source has a table %q this archmap does not know; refusing to copy without it", t)
		}
	}
	if err := sameSchema(ctx, src, dst, srcTables, dstTables); err != nil {
		return nil, err
	}
	order, err := to.copyDialect().fkOrder(ctx, dst, dstTables)
	if err != nil {
		return nil, err
	}
	for _, t := range order {
		if copyTables[t] != copyRows {
			continue
		}
		var n int64
		if err := dst.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+t).Scan(&n); err != nil {
			return nil, err
		}
		if n > 0 {
			return nil, fmt.Errorf("the target is not empty (%s has %d rows); copy into a new database", t, n)
		}
	}

	restore, err := to.copyDialect().triggersOff(ctx, dst, order)
	if err != nil {
		return nil, err
	}
	var counts []TableCount
	for _, t := range order {
		if copyTables[t] == copySchema {
			continue
		}
		if copyTables[t] == copySeeded {
			if _, err := dst.ExecContext(ctx, "DELETE FROM "+t); err != nil {
				return nil, err
			}
		}
		n, err := copyTable(ctx, from, to, src, dst, t)
		if err != nil {
			return nil, fmt.Errorf("table %s: %w", t, err)
		}
		counts = append(counts, TableCount{Table: t, Source: n})
	}
	if err := restore(); err != nil {
		return nil, err
	}
	marks, err := from.copyDialect().idMarks(ctx, src, order)
	if err != nil {
		return nil, err
	}
	if err := to.copyDialect().setIDMarks(ctx, dst, marks); err != nil {
		return nil, err
	}
	for i, c := range counts {
		var s, d int64
		if err := src.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+c.Table).Scan(&s); err != nil {
			return nil, err
		}
		if err := dst.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+c.Table).Scan(&d); err != nil {
			return nil, err
		}
		if s != c.Source || d != s {
			return nil, fmt.Errorf("table %s: %d rows read, %d in the source, %d in the target", c.Table, c.Source, s, d)
		}
		counts[i].Target = d
	}
	if err := dst.Commit(); err != nil {
		return nil, err
	}
	// Counted again outside the transaction: what a server on the target
	// will see.
	for i, c := range counts {
		var d int64
		if err := to.read.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+c.Table).Scan(&d); err != nil {
			return nil, err
		}
		if d != c.Source {
			return nil, fmt.Errorf("table %s: %d rows copied, %d in the target after commit", c.Table, c.Source, d)
		}
		counts[i].Target = d
	}
	return counts, nil
}

// sameSchema refuses databases at different schema versions or whose
// tables differ: the copy would not fit.
func sameSchema(ctx context.Context, src, dst *Tx, srcTables, dstTables []string) error {
	var sv, dv int
	if err := src.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&sv); err != nil {
		return err
	}
	if err := dst.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&dv); err != nil {
		return err
	}
	if sv != dv {
		return fmt.Errorf("the source is at schema version %d, the target at %d", sv, dv)
	}
	if strings.Join(srcTables, ",") != strings.Join(dstTables, ",") {
		return fmt.Errorf("the source's tables (%s) are not the target's (%s)", strings.Join(srcTables, ", "), strings.Join(dstTables, ", "))
	}
	return nil
}

// copyTable copies one table's rows, its columns named as the source has
// them (the target must have the same), in multi-row INSERTs.
func copyTable(ctx context.Context, from, to *DB, src, dst *Tx, table string) (int64, error) {
	cols, err := from.copyDialect().columns(ctx, src, table)
	if err != nil {
		return 0, err
	}
	dcols, err := to.copyDialect().columns(ctx, dst, table)
	if err != nil {
		return 0, err
	}
	if strings.Join(sortedCopy(cols), ",") != strings.Join(sortedCopy(dcols), ",") {
		return 0, fmt.Errorf("columns differ: source (%s), target (%s)", strings.Join(cols, ", "), strings.Join(dcols, ", "))
	}
	fit, err := to.copyDialect().coerce(ctx, dst, table, cols)
	if err != nil {
		return 0, err
	}
	rows, err := src.QueryContext(ctx, "SELECT "+strings.Join(cols, ", ")+" FROM "+table)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	per := max(1, min(500, copyBatchParams/len(cols)))
	batch := make([]any, 0, per*len(cols))
	var n int64
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		k := len(batch) / len(cols)
		one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
		q := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES " +
			strings.TrimSuffix(strings.Repeat(one+", ", k), ", ")
		if _, err := dst.ExecContext(ctx, q, batch...); err != nil {
			return err
		}
		batch = batch[:0]
		return nil
	}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return 0, err
		}
		if fit != nil {
			fit(vals)
		}
		batch = append(batch, vals...)
		n++
		if len(batch) >= per*len(cols) {
			if err := flush(); err != nil {
				return 0, err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	return n, flush()
}

func sortedCopy(s []string) []string {
	c := append([]string(nil), s...)
	sort.Strings(c)
	return c
}

// copyDialect is what Copy needs to know of an engine's catalogue.
type copyDialect interface {
	// tables lists the tables, sorted by name.
	tables(ctx context.Context, tx *Tx) ([]string, error)
	columns(ctx context.Context, tx *Tx, table string) ([]string, error)
	// fkOrder sorts tables so that every table comes after those its
	// foreign keys refer to.
	fkOrder(ctx context.Context, tx *Tx, tables []string) ([]string, error)
	// triggersOff disables the tables' triggers until restore, inside tx.
	triggersOff(ctx context.Context, tx *Tx, tables []string) (restore func() error, err error)
	// idMarks returns, per table with generated ids, the highest id ever
	// handed out (which may exceed the highest id left).
	idMarks(ctx context.Context, tx *Tx, tables []string) (map[string]int64, error)
	// setIDMarks makes the next generated ids come after the marks.
	setIDMarks(ctx context.Context, tx *Tx, marks map[string]int64) error
	// coerce returns what makes a row read from another engine fit the
	// table's columns here (nil: nothing to do).
	coerce(ctx context.Context, tx *Tx, table string, cols []string) (func(row []any), error)
}

func (db *DB) copyDialect() copyDialect {
	if db.pg {
		return pgCopyDialect{}
	}
	return sqliteDialect{}
}

type sqliteDialect struct{}

func (sqliteDialect) tables(ctx context.Context, tx *Tx) ([]string, error) {
	return queryStrings(ctx, tx, `SELECT name FROM sqlite_master WHERE type = 'table'
		AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY name`)
}

func (sqliteDialect) columns(ctx context.Context, tx *Tx, table string) ([]string, error) {
	return queryStrings(ctx, tx, "SELECT name FROM pragma_table_info(?) ORDER BY cid", table)
}

func (sqliteDialect) fkOrder(ctx context.Context, tx *Tx, tables []string) ([]string, error) {
	parents := map[string][]string{}
	for _, t := range tables {
		ps, err := queryStrings(ctx, tx, `SELECT DISTINCT "table" FROM pragma_foreign_key_list(?)`, t)
		if err != nil {
			return nil, err
		}
		parents[t] = ps
	}
	return topoSort(tables, parents)
}

func (sqliteDialect) triggersOff(ctx context.Context, tx *Tx, _ []string) (func() error, error) {
	// SQLite cannot switch a trigger off, but its DDL is transactional:
	// the triggers are dropped and made again from their own text in the
	// same transaction, so no other connection ever sees them missing.
	names, err := queryStrings(ctx, tx, "SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
	if err != nil {
		return nil, err
	}
	type trigger struct{ name, sql string }
	ts := make([]trigger, len(names))
	for i, n := range names {
		ts[i].name = n
		if err := tx.QueryRowContext(ctx, "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", n).Scan(&ts[i].sql); err != nil {
			return nil, err
		}
	}
	for _, t := range ts {
		if _, err := tx.ExecContext(ctx, `DROP TRIGGER "`+t.name+`"`); err != nil {
			return nil, err
		}
	}
	return func() error {
		for _, t := range ts {
			if _, err := tx.ExecContext(ctx, t.sql); err != nil {
				return fmt.Errorf("trigger %s: %w", t.name, err)
			}
		}
		return nil
	}, nil
}

func (sqliteDialect) idMarks(ctx context.Context, tx *Tx, tables []string) (map[string]int64, error) {
	marks := map[string]int64{}
	rows, err := tx.QueryContext(ctx, "SELECT name, seq FROM sqlite_sequence")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		var seq int64
		if err := rows.Scan(&name, &seq); err != nil {
			return nil, err
		}
		marks[name] = seq
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// Tables with a plain INTEGER PRIMARY KEY hand out max(id)+1; their
	// mark is their highest id, which matters to an engine that keeps a
	// sequence (PostgreSQL).
	for _, t := range tables {
		pk, err := queryStrings(ctx, tx, "SELECT name FROM pragma_table_info(?) WHERE pk = 1 AND lower(type) = 'integer' AND (SELECT COUNT(*) FROM pragma_table_info(?) WHERE pk > 0) = 1", t, t)
		if err != nil {
			return nil, err
		}
		if len(pk) != 1 {
			continue
		}
		var hi sql.NullInt64
		if err := tx.QueryRowContext(ctx, "SELECT MAX("+pk[0]+") FROM "+t).Scan(&hi); err != nil {
			return nil, err
		}
		marks[t] = max(marks[t], hi.Int64)
	}
	return marks, nil
}

func (sqliteDialect) setIDMarks(ctx context.Context, tx *Tx, marks map[string]int64) error {
	// Only AUTOINCREMENT tables keep a mark, in sqlite_sequence (the
	// inserts moved it to their highest id, not past ids deleted before);
	// the others hand out max(id)+1 and need none.
	auto, err := queryStrings(ctx, tx, "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE '%AUTOINCREMENT%'")
	if err != nil {
		return err
	}
	for _, t := range auto {
		m := marks[t]
		res, err := tx.ExecContext(ctx, "UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = ?", m, t)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n > 0 || m == 0 {
			if err != nil {
				return err
			}
			continue
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", t, m); err != nil {
			return err
		}
	}
	return nil
}

// SQLite takes every value as it comes: a column's affinity decides.
func (sqliteDialect) coerce(context.Context, *Tx, string, []string) (func([]any), error) {
	return nil, nil
}

func queryStrings(ctx context.Context, tx *Tx, q string, args ...any) ([]string, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// topoSort orders tables parents first, by name among equals; a cycle of
// foreign keys is an error (no insert order satisfies it).
func topoSort(tables []string, parents map[string][]string) ([]string, error) {
	done := map[string]bool{}
	var out []string
	for len(out) < len(tables) {
		progressed := false
		for _, t := range tables {
			if done[t] {
				continue
			}
			ready := true
			for _, p := range parents[t] {
				if p != t && !done[p] {
					ready = false
				}
			}
			if ready {
				done[t] = true
				out = append(out, t)
				progressed = true
			}
		}
		if !progressed {
			return nil, fmt.Errorf("the foreign keys between the tables form a cycle")
		}
	}
	return out, nil
}
