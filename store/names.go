package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/archmap/archmap/topology"
)

// checkLookalike refuses a service or server name that looks the same as
// another of its kind in the workspace (topology.NameKey: case and
// invisible characters aside). A whole model is checked by Model.Validate;
// an entity write checks here, inside its write transaction, so no order of
// single edits can put `payments` and `pay\u200bments` side by side. An exact
// duplicate is left to the table's UNIQUE constraint and its own message.
//
// The key is the tables' name_key column (migration 0005), computed by the
// SQL function archmap_name_key that every connection of ours registers
// (nameKeyDriver) and indexed with the workspace, so the check is one
// index lookup whatever the model's size. (A scan of the names cost 30 ms
// per edit at 10 000 services.)
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
