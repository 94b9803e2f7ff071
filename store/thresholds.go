package store

import (
	"context"

	"github.com/archmap/archmap/topology"
)

// GetSettings returns the workspace with the thresholds of its risk rules
// (the model's settings; settings.go holds the installation's).
func (db *DB) GetSettings(ctx context.Context, slug string) (*Workspace, topology.Settings, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, topology.Settings{}, fail("get settings", err)
	}
	defer tx.Rollback()
	ws, set, err := findWorkspace(ctx, tx, slug)
	if err != nil {
		return nil, topology.Settings{}, fail("get settings", err)
	}
	return ws, set, nil
}

// UpdateSettings sets the thresholds of the workspace's risk rules, as a
// new revision (so every finding is computed again). Invalid thresholds
// are EINVALID with paths like "settings.blast_radius".
func (db *DB) UpdateSettings(ctx context.Context, slug string, set topology.Settings, expectedRevision int64) (*Workspace, error) {
	return writeModel(ctx, db, "update settings", slug, expectedRevision, func(tx *Tx, ws *Workspace) error {
		if err := set.Validate(); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE workspaces SET chatty_calls_per_request = ?, max_sync_chain = ?, blast_radius = ? WHERE id = ?`,
			set.ChattyCallsPerRequest, set.MaxSyncChain, set.BlastRadius, ws.ID)
		return err
	})
}
