package main

import (
	"context"
	"fmt"
	"path/filepath"
	"text/tabwriter"

	"github.com/archmap/archmap/store"
)

func init() {
	register(&command{name: "db", summary: "db copy --from URL --to URL: move everything to another database", run: runDB})
}

const dbCopySynopsis = "db copy --from URL --to URL"

// runDB is archmap db copy: everything in one database (users with their
// password hashes, sessions, tokens, shares, workspaces with their history)
// into a new one, ids kept, then the rows of every table in both. URLs are
// sqlite:PATH, a plain path, or postgres://…; the target must hold no data
// (a new file, or a new PostgreSQL database), and is written in one
// transaction, so a refused or failed copy leaves it as it was.
func runDB(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] != "copy" {
		return usageError("usage: archmap %s", dbCopySynopsis)
	}
	fs := newFlagSet(e, "db copy", dbCopySynopsis)
	from := fs.String("from", "", "the database to copy: sqlite:PATH, PATH or postgres://… (it may be in use)")
	to := fs.String("to", "", "the database to copy into, which must hold no data: sqlite:PATH, PATH or postgres://…")
	if err := parseFlags(e, fs, args[1:]); err != nil {
		return err
	}
	if *from == "" || *to == "" || fs.NArg() != 0 {
		fs.Usage()
		return usageError("db copy needs --from and --to")
	}
	if sameDatabase(*from, *to) {
		return usageError("db copy: --from and --to are the same database")
	}
	src, err := openDatabaseURL(ctx, *from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := openDatabaseURL(ctx, *to)
	if err != nil {
		return err
	}
	defer dst.Close()
	counts, err := store.Copy(ctx, src, dst)
	if err != nil {
		return &exitError{code: 1, err: err}
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "table\tsource\ttarget\t")
	for _, c := range counts {
		fmt.Fprintf(tw, "%s\t%d\t%d\t\n", c.Table, c.Source, c.Target)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Copied %d tables from %s to %s; every count agrees.\n", len(counts), redactURL(*from), redactURL(*to))
	return nil
}

// openDatabaseURL opens a URL of db copy: postgres://…, sqlite:PATH or a
// plain path.
func openDatabaseURL(ctx context.Context, u string) (*store.DB, error) {
	f := dbFlags{url: u}
	if !store.IsPostgresURL(u) {
		p, err := databasePath(u)
		if err != nil {
			return nil, err
		}
		f = dbFlags{path: p}
	}
	db, err := f.open(ctx)
	if err != nil {
		return nil, &exitError{code: 1, err: err}
	}
	return db, nil
}

// sameDatabase reports whether two URLs of db copy surely name one
// database (the same file, or the same PostgreSQL URL).
func sameDatabase(a, b string) bool {
	if store.IsPostgresURL(a) || store.IsPostgresURL(b) {
		return a == b
	}
	pa, errA := databasePath(a)
	pb, errB := databasePath(b)
	if errA != nil || errB != nil {
		return false
	}
	aa, errA := filepath.Abs(pa)
	ab, errB := filepath.Abs(pb)
	return errA == nil && errB == nil && aa == ab
}

// databasePath is the SQLite file a URL of db copy names.
func databasePath(u string) (string, error) {
	f := dbFlags{url: u}
	if !hasScheme(u) {
		return u, nil // a plain path
	}
	return f.sqlitePath()
}

func hasScheme(u string) bool {
	for i, r := range u {
		switch {
		case r == ':':
			return i > 1 // "C:" is a drive, not a scheme
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', i > 0 && (r >= '0' && r <= '9' || r == '+' || r == '-' || r == '.'):
		default:
			return false
		}
	}
	return false
}
