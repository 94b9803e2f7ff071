package main

import (
	"context"
	"fmt"

	"github.com/archmap/archmap/store"
	"github.com/archmap/archmap/topology"
)

func init() {
	register(&command{name: "import", summary: "create a workspace from a model file, or replace its model", run: runImport})
}

func runImport(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "import", "import --db PATH --workspace SLUG MODEL")
	dbPath := fs.String("db", "archmap.db", "path of the SQLite database file")
	slug := fs.String("workspace", "", "slug of the workspace to create or replace (lowercase letters, digits, dashes)")
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if *slug == "" {
		return usageError("import needs --workspace SLUG")
	}
	if !store.ValidSlug(*slug) {
		return usageError("--workspace %q is not a valid slug: use lowercase letters, digits and dashes", *slug)
	}
	if fs.NArg() != 1 {
		return usageError("import takes one MODEL (a path, or - for standard input)")
	}
	m, err := readModelFile(e, fs.Arg(0))
	if err != nil {
		return err
	}
	db, err := store.Open(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	ws, created, err := db.ImportModel(ctx, *slug, m)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	verb := "replaced the model of"
	if created {
		verb = "created"
	}
	fmt.Fprintf(e.stdout, "%s workspace %s (%d services, %d servers, %d placements, %d dependencies), revision %d\n",
		verb, ws.Slug, len(m.Services), len(m.Servers), len(m.Placements), len(m.Dependencies), ws.Revision)
	return nil
}

// readModelFile reads and validates an archmap model file, or standard input
// for "-". Invalid input is exit status 2 with every problem on its own line.
func readModelFile(e *env, path string) (*topology.Model, error) {
	r, err := openInput(e, path)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	m, err := topology.Read(r)
	if err != nil {
		return nil, &exitError{code: 2, err: describeModelError(path, err)}
	}
	return m, nil
}

// describeModelError puts each validation problem on a line of its own,
// prefixed by the file, as compilers do.
func describeModelError(path string, err error) error {
	if ve, ok := err.(*topology.ValidationError); ok {
		msg := fmt.Sprintf("%s: %d problem(s):", displayPath(path), len(ve.Problems))
		for _, p := range ve.Problems {
			msg += "\n  " + p.String()
		}
		return fmt.Errorf("%s", msg)
	}
	return fmt.Errorf("%s: %w", displayPath(path), err)
}

func displayPath(path string) string {
	if path == "-" {
		return "<stdin>"
	}
	return path
}
