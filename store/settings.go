package store

import (
	"context"
	"database/sql"
	"errors"
)

// InstanceBaseURL is the key of the public address share links are built
// from, chosen at setup.
const InstanceBaseURL = "base_url"

// InstanceSetting returns a setting of the installation, "" when unset.
func (db *DB) InstanceSetting(ctx context.Context, key string) (string, error) {
	var v string
	err := db.read.QueryRowContext(ctx, "SELECT value FROM instance_settings WHERE key = ?", key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fail("read a setting", err)
	}
	return v, nil
}

// SetInstanceSetting stores a setting of the installation.
func (db *DB) SetInstanceSetting(ctx context.Context, key, value string) error {
	_, err := db.write.ExecContext(ctx, `INSERT INTO instance_settings (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	if err != nil {
		return fail("store a setting", err)
	}
	return nil
}
