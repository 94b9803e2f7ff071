package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"

	"github.com/archmap/archmap/topology"
)

// Backup writes a consistent copy of the SQLite database at dbPath to out,
// while the database stays in use: SQLite's VACUUM INTO reads one snapshot
// of the database (writers go on beside it in WAL mode) and writes it as a
// new, compacted database file. The copy is readable by its owner only, like
// the database. out must not exist (or be an empty file), so a backup never
// overwrites anything.
func Backup(ctx context.Context, dbPath, out string) error {
	if _, err := os.Stat(dbPath); err != nil {
		return topology.Errorf(topology.ENOTFOUND, "backup: there is no database at %s", dbPath)
	}
	if fi, err := os.Stat(out); err == nil && fi.Size() > 0 {
		return topology.Errorf(topology.ECONFLICT, "backup: %s already exists; choose a new file name", out)
	}
	// The empty file is made first with the mode the copy must have:
	// VACUUM INTO would create it with the process's default mode.
	f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	// A connection of its own, read-only: the backup takes nothing from the
	// server's pools and cannot change the database it copies.
	conn, err := sql.Open("sqlite3", dsn(dbPath, "mode=ro&_busy_timeout=5000"))
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "VACUUM INTO ?", out); err != nil {
		return errors.Join(fmt.Errorf("backup of %s: %w", dbPath, err), os.Remove(out))
	}
	return nil
}
