package main

import (
	"context"
	"fmt"

	"github.com/archmap/archmap/store"
)

func init() {
	register(&command{name: "import", summary: "create a workspace from a model file, or replace its model", run: runImport})
}

func runImport(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "import", "import --db PATH --workspace SLUG [--from compose|kubernetes] MODEL...")
	dbf := addDBFlags(fs, "path of the SQLite database file")
	slug := fs.String("workspace", "", "slug of the workspace to create or replace (lowercase letters, digits, dashes)")
	from := addImportFlags(fs)
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if *slug == "" {
		return usageError("import needs --workspace SLUG")
	}
	if !store.ValidSlug(*slug) {
		return usageError("--workspace %q is not a valid slug: use lowercase letters, digits and dashes", *slug)
	}
	if fs.NArg() < 1 {
		return usageError("import takes a MODEL: a model file, or - for standard input (or compose files or Kubernetes manifests with --from)")
	}
	m, _, err := from.load(e, fs.Args())
	if err != nil {
		return err
	}
	db, err := dbf.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	ws, created, err := db.ImportModel(store.WithChange(ctx, store.Change{Author: "archmap import"}), *slug, m)
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
