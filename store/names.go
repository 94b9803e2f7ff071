package store

import (
	"context"

	"github.com/archmap/archmap/topology"
)

// checkLookalike refuses a service or server name that looks the same as
// another of its kind in the workspace (topology.NameKey: case and
// invisible characters aside). A whole model is checked by Model.Validate;
// an entity write checks here, inside its write transaction, so no order of
// single edits can put `payments` and `pay\u200bments` side by side. An exact
// duplicate is left to the table's UNIQUE constraint and its own message.
//
// It reads the kind's names of the workspace: a key is not something SQLite
// can compute without a function registered on every connection that ever
// opens the file, and a scan of 10 000 names costs a few milliseconds, once
// per edit.
func checkLookalike(ctx context.Context, tx *Tx, table string, wsID, id int64, name string) error {
	key := topology.NameKey(name)
	rows, err := tx.QueryContext(ctx, "SELECT name FROM "+table+" WHERE workspace_id = ? AND id <> ?", wsID, id)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var other string
		if err := rows.Scan(&other); err != nil {
			return err
		}
		if other != name && topology.NameKey(other) == key {
			return topology.Errorf(topology.ECONFLICT, "name: %s", topology.LooksTheSame(other))
		}
	}
	return rows.Err()
}
