package main

import (
	"context"
	"fmt"

	"github.com/archmap/archmap/topology"
)

func init() {
	register(&command{name: "export", summary: "print a workspace's model as YAML or JSON", run: runExport})
}

func runExport(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "export", "export --db PATH --workspace SLUG [--format yaml|json]")
	dbf := addDBFlags(fs, "path of the SQLite database file")
	slug := fs.String("workspace", "", "slug of the workspace to export")
	format := fs.String("format", "yaml", "yaml or json")
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if *slug == "" {
		return usageError("export needs --workspace SLUG")
	}
	if *format != "yaml" && *format != "json" {
		return usageError("--format must be yaml or json, got %q", *format)
	}
	if fs.NArg() > 0 {
		return usageError("export takes no arguments, got %q", fs.Args())
	}
	db, err := dbf.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	m, _, err := db.LoadModel(ctx, *slug)
	if err != nil {
		return &exitError{code: 1, err: err}
	}
	var out []byte
	if *format == "json" {
		out, err = topology.EncodeJSON(m)
	} else {
		out, err = topology.EncodeYAML(m)
	}
	if err != nil {
		return fmt.Errorf("encode: %w", err)
	}
	_, err = e.stdout.Write(out)
	return err
}
