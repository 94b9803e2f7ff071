package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/archmap/archmap/topology"
)

// checkLookalike refuses a service or server name that looks the same as
// another of its kind in the workspace (topology.NameKey: case and
// invisible characters aside). A whole model is checked by Model.Validate;
// an entity write checks here, inside its write transaction, so no order of
// single edits can put `payments` and `pay\u200bments` side by side. An exact
// duplicate is left to the table's UNIQUE constraint and its own message.
//
// The key is the tables' name_key column (migration 0006), written with
// every name and indexed with the workspace, so the check is one index
// lookup whatever the model's size. (A scan of the names cost 30 ms per edit
// at 10 000 services.) It is a plain column rather than one SQLite computes
// through a function of ours, so that the sqlite3 shell can still VACUUM
// and check the file.
func checkLookalike(ctx context.Context, tx *Tx, table string, wsID, id int64, name string) error {
	var other string
	err := tx.QueryRowContext(ctx, "SELECT name FROM "+table+" WHERE workspace_id = ? AND name_key = ? AND id <> ? AND name <> ? LIMIT 1",
		wsID, topology.NameKey(name), id, name).Scan(&other)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return err
	}
	return topology.Errorf(topology.ECONFLICT, "name: %s", topology.LooksTheSame(other))
}

// fillNameKeys writes the name_key of rows that have none: those stored
// before migration 0006.
func (db *DB) fillNameKeys(ctx context.Context) error {
	for _, table := range []string{"services", "servers"} {
		if err := db.fillNameKeysOf(ctx, table); err != nil {
			return fmt.Errorf("unable to fill %s.name_key: %w", table, err)
		}
	}
	return nil
}

func (db *DB) fillNameKeysOf(ctx context.Context, table string) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	todo, err := namesWithoutKey(ctx, tx, table)
	if err != nil {
		return err
	}
	if len(todo) == 0 {
		return nil
	}
	for _, r := range todo {
		if _, err := tx.ExecContext(ctx, "UPDATE "+table+" SET name_key = ? WHERE id = ?", topology.NameKey(r.name), r.id); err != nil {
			return err
		}
	}
	return tx.Commit()
}

type idName struct {
	id   int64
	name string
}

// namesWithoutKey reads the rows of table that have no name_key yet.
func namesWithoutKey(ctx context.Context, tx *Tx, table string) ([]idName, error) {
	rows, err := tx.QueryContext(ctx, "SELECT id, name FROM "+table+" WHERE name_key IS NULL")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []idName
	for rows.Next() {
		var r idName
		if err := rows.Scan(&r.id, &r.name); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
