package main

import (
	"context"
	"fmt"

	"github.com/archmap/archmap/store"
	"github.com/archmap/archmap/topology"
)

func init() {
	register(&command{name: "backup", summary: "write a consistent copy of the database while the server runs", run: runBackup})
}

// runBackup copies the SQLite database to OUT online (VACUUM INTO): the
// server may keep serving and writing meanwhile. docs/production.md shows
// continuous backup with Litestream as well.
func runBackup(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "backup", "backup --db PATH OUT")
	dbf := addDBFlags(fs, "path of the SQLite database file to copy")
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return usageError("backup takes OUT: the file to write the copy to (it must not exist)")
	}
	path, err := dbf.sqlitePath()
	if err != nil {
		return err
	}
	out := fs.Arg(0)
	if err := store.Backup(ctx, path, out); err != nil {
		if topology.ErrorCode(err) != "" {
			return &exitError{code: 2, err: fmt.Errorf("%s", topology.ErrorMessage(err))}
		}
		return &exitError{code: 1, err: err}
	}
	fmt.Fprintf(e.stdout, "Backed up %s to %s.\n", path, out)
	return nil
}
