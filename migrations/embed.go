// Package migrations holds archmap's database schema as numbered SQL files
// (NNNN_name.sql). The store applies each one in its own transaction, in
// order, and records it in the schema_migrations table; a file, once
// released, is never edited — a change is a new file.
//
// The files here are SQLite's. Each has a PostgreSQL twin of the same name
// in postgres/, making the same tables, columns and history triggers in
// PostgreSQL's words (the store's tests check that none is missing).
package migrations

import (
	"embed"
	"io/fs"
)

// FS holds the SQLite migration files.
//
//go:embed *.sql
var FS embed.FS

//go:embed postgres/*.sql
var postgresFiles embed.FS

// PostgresFS holds the PostgreSQL migration files, named as in FS.
var PostgresFS = mustSub(postgresFiles, "postgres")

func mustSub(fsys fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		panic(err)
	}
	return sub
}
