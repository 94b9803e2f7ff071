package main

import (
	"context"
	"flag"
	"strings"

	"github.com/archmap/archmap/store"
)

// dbFlags are --db PATH and --database-url URL (sqlite:PATH, or a
// postgres:// URL), which every command that opens the database takes.
type dbFlags struct {
	path string
	url  string
}

func addDBFlags(fs *flag.FlagSet, pathHelp string) *dbFlags {
	f := &dbFlags{}
	fs.StringVar(&f.path, "db", "archmap.db", pathHelp)
	fs.StringVar(&f.url, "database-url", "", "the database as a URL instead of --db: sqlite:PATH or postgres://USER:PASSWORD@HOST:PORT/DB?sslmode=…")
	return f
}

// postgres reports whether the flags name a PostgreSQL database.
func (f *dbFlags) postgres() bool { return store.IsPostgresURL(f.url) }

// sqlitePath is the SQLite file the flags name. A postgres:// URL is
// refused with a clear message, for the commands that work on a file
// (backup); open takes either.
func (f *dbFlags) sqlitePath() (string, error) {
	if f.url == "" {
		return f.path, nil
	}
	switch {
	case strings.HasPrefix(f.url, "sqlite:"):
		p := strings.TrimPrefix(strings.TrimPrefix(f.url, "sqlite:"), "//")
		if p == "" {
			return "", usageError("--database-url %q: give the file after sqlite:, e.g. sqlite:/data/archmap.db", f.url)
		}
		return p, nil
	case strings.HasPrefix(f.url, "postgres://"), strings.HasPrefix(f.url, "postgresql://"):
		return "", usageError("--database-url: this command works on a SQLite file; back up PostgreSQL with its own tools (pg_dump, docs/production.md)")
	}
	return "", usageError("--database-url %q: want sqlite:PATH or postgres://…", redactURL(f.url))
}

// open opens the database the flags name.
func (f *dbFlags) open(ctx context.Context) (*store.DB, error) {
	if f.postgres() {
		return store.OpenURL(ctx, f.url)
	}
	p, err := f.sqlitePath()
	if err != nil {
		return nil, err
	}
	return store.Open(ctx, p)
}

// redactURL keeps a password out of messages and logs.
func redactURL(u string) string {
	scheme, rest, ok := strings.Cut(u, "://")
	if !ok {
		return u
	}
	if at := strings.LastIndex(rest, "@"); at >= 0 {
		if user, _, hasPass := strings.Cut(rest[:at], ":"); hasPass {
			return scheme + "://" + user + ":***@" + rest[at+1:]
		}
	}
	return u
}
