package store

import (
	"context"
	"database/sql"
	"fmt"
)

// pgCopyDialect is Copy's view of a PostgreSQL database: the tables of the
// current schema (the one the URL's search_path names; tests use one per
// test).
type pgCopyDialect struct{}

var _ copyDialect = pgCopyDialect{}

func (pgCopyDialect) tables(ctx context.Context, tx *Tx) ([]string, error) {
	return queryStrings(ctx, tx, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`)
}

func (pgCopyDialect) columns(ctx context.Context, tx *Tx, table string) ([]string, error) {
	return queryStrings(ctx, tx, `SELECT column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position`, table)
}

func (pgCopyDialect) fkOrder(ctx context.Context, tx *Tx, tables []string) ([]string, error) {
	parents := map[string][]string{}
	for _, t := range tables {
		ps, err := queryStrings(ctx, tx, `SELECT DISTINCT parent.relname FROM pg_constraint c
			JOIN pg_class child ON child.oid = c.conrelid
			JOIN pg_class parent ON parent.oid = c.confrelid
			JOIN pg_namespace n ON n.oid = child.relnamespace
			WHERE c.contype = 'f' AND child.relname = ? AND n.nspname = current_schema()`, t)
		if err != nil {
			return nil, err
		}
		parents[t] = ps
	}
	return topoSort(tables, parents)
}

func (pgCopyDialect) triggersOff(ctx context.Context, tx *Tx, tables []string) (func() error, error) {
	// USER: the history's and the auth generation's triggers; the foreign
	// keys' own triggers stay on, so every reference is still checked.
	// ALTER TABLE is transactional and locks the tables until commit.
	for _, t := range tables {
		if _, err := tx.ExecContext(ctx, "ALTER TABLE "+t+" DISABLE TRIGGER USER"); err != nil {
			return nil, err
		}
	}
	return func() error {
		for _, t := range tables {
			if _, err := tx.ExecContext(ctx, "ALTER TABLE "+t+" ENABLE TRIGGER USER"); err != nil {
				return err
			}
		}
		return nil
	}, nil
}

// idColumns maps each table with a generated id (identity or serial) to
// that column and its sequence.
func (pgCopyDialect) idColumns(ctx context.Context, tx *Tx, tables []string) (map[string][2]string, error) {
	out := map[string][2]string{}
	for _, t := range tables {
		cols, err := queryStrings(ctx, tx, `SELECT column_name FROM information_schema.columns
			WHERE table_schema = current_schema() AND table_name = ?
			AND (is_identity = 'YES' OR column_default LIKE 'nextval(%')`, t)
		if err != nil {
			return nil, err
		}
		if len(cols) != 1 {
			continue
		}
		var seq sql.NullString
		if err := tx.QueryRowContext(ctx, "SELECT pg_get_serial_sequence(?, ?)", t, cols[0]).Scan(&seq); err != nil {
			return nil, err
		}
		if seq.Valid {
			out[t] = [2]string{cols[0], seq.String}
		}
	}
	return out, nil
}

func (d pgCopyDialect) idMarks(ctx context.Context, tx *Tx, tables []string) (map[string]int64, error) {
	ids, err := d.idColumns(ctx, tx, tables)
	if err != nil {
		return nil, err
	}
	marks := map[string]int64{}
	for t, c := range ids {
		var last int64
		var called bool
		if err := tx.QueryRowContext(ctx, "SELECT last_value, is_called FROM "+c[1]).Scan(&last, &called); err != nil {
			return nil, err
		}
		if !called {
			last-- // setval(…, false) or never used: last_value is the next one
		}
		var hi sql.NullInt64
		if err := tx.QueryRowContext(ctx, "SELECT MAX("+c[0]+") FROM "+t).Scan(&hi); err != nil {
			return nil, err
		}
		marks[t] = max(last, hi.Int64)
	}
	return marks, nil
}

func (d pgCopyDialect) setIDMarks(ctx context.Context, tx *Tx, marks map[string]int64) error {
	tables := make([]string, 0, len(marks))
	for t := range marks {
		tables = append(tables, t)
	}
	ids, err := d.idColumns(ctx, tx, tables)
	if err != nil {
		return err
	}
	// Rows were inserted with their ids, which a sequence does not see:
	// without this the next insert would be handed id 1 and collide.
	for t, c := range ids {
		var hi sql.NullInt64
		if err := tx.QueryRowContext(ctx, "SELECT MAX("+c[0]+") FROM "+t).Scan(&hi); err != nil {
			return err
		}
		m := max(marks[t], hi.Int64)
		q := "SELECT setval(?, ?, true)"
		if m < 1 {
			m, q = 1, "SELECT setval(?, ?, false)"
		}
		if _, err := tx.ExecContext(ctx, q, c[1], m); err != nil {
			return fmt.Errorf("sequence of %s: %w", t, err)
		}
	}
	return nil
}

// coerce makes SQLite's loosely typed values fit PostgreSQL's columns: text
// that SQLite kept as a blob, or the reverse.
func (pgCopyDialect) coerce(ctx context.Context, tx *Tx, table string, cols []string) (func([]any), error) {
	types := map[string]string{}
	rows, err := tx.QueryContext(ctx, `SELECT column_name, data_type FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = ?`, table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var c, t string
		if err := rows.Scan(&c, &t); err != nil {
			return nil, err
		}
		types[c] = t
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	kinds := make([]string, len(cols))
	for i, c := range cols {
		kinds[i] = types[c]
	}
	return func(row []any) {
		for i, v := range row {
			switch x := v.(type) {
			case []byte:
				if kinds[i] == "text" {
					row[i] = string(x)
				}
			case string:
				if kinds[i] == "bytea" {
					row[i] = []byte(x)
				}
			}
		}
	}, nil
}
