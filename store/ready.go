package store

import (
	"context"
	"fmt"
)

// Ready reports whether the database answers and holds every migration
// this archmap knows (for /readyz): a node whose schema is behind — another
// process is still migrating, or the file was swapped — must not get
// traffic.
func (db *DB) Ready(ctx context.Context) error {
	ms, err := loadMigrations(db.migrationsFS())
	if err != nil {
		return err
	}
	var current int
	if err := db.read.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&current); err != nil {
		return fail("read the schema version", err)
	}
	if len(ms) > 0 && current < ms[len(ms)-1].version {
		return fmt.Errorf("store: the schema is at version %d, this archmap needs %d", current, ms[len(ms)-1].version)
	}
	return nil
}
