// Package migrations holds archmap's database schema as numbered SQL files
// (NNNN_name.sql). The store applies each one in its own transaction, in
// order, and records it in the schema_migrations table; a file, once
// released, is never edited — a change is a new file.
package migrations

import "embed"

// FS holds the migration files.
//
//go:embed *.sql
var FS embed.FS
