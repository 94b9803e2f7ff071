package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/archmap/archmap/diagram"
	"github.com/archmap/archmap/risk"
	"github.com/archmap/archmap/topology"
)

func init() {
	register(&command{name: "render", summary: "draw a model: the services or deployment view as SVG or DOT", run: runRender})
}

const renderSynopsis = "render [--view services|deployment] [--focus NAME --depth N] [--group team] [--format svg|dot] [-o FILE] [--from compose|kubernetes] MODEL..."

// runRender is docs/cli.md's render. It writes what the server's diagram
// downloads serve for the same model and options (diagram.Exporter), the
// SVG standalone (styles inside, no external references). Graphviz runs in
// this process: for one layout a worker process would only add its
// start-up.
func runRender(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "render", renderSynopsis)
	var opts diagram.Options
	opts.AddFlags(fs)
	formatName := fs.String("format", diagram.Formats()[0].Name, "output: "+formatNames()+" (dot is the Graphviz source)")
	out := fs.String("o", "", "write to this file instead of standard output")
	var format diagram.Format
	var ferr error
	m, err := loadRenderModel(e, fs, args, func() {
		format, ferr = diagram.ParseFormat(*formatName)
		if ferr == nil && format.LaysOut() {
			// Graphviz starts on the other core while this one reads the model.
			go diagram.WarmLocal(ctx)
		}
	})
	if err != nil {
		return err
	}
	if ferr != nil {
		return usageError("--format: %s", topology.ErrorMessage(ferr))
	}
	if opts, err = opts.Normalize(); err != nil {
		return usageError("%s", topology.ErrorMessage(err))
	}
	if err := opts.CheckModel(m); err != nil {
		return usageError("--focus: %s", topology.ErrorMessage(err))
	}
	file, err := exportInProcess(ctx, m, opts, format)
	if err != nil {
		return err
	}
	if file.Diagram.Note != "" {
		fmt.Fprintln(e.stderr, "archmap:", file.Diagram.Note)
	}
	w, err := openOutput(e, *out)
	if err != nil {
		return err
	}
	if _, err := w.Write(file.Bytes); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}

func formatNames() string {
	var names []string
	for _, f := range diagram.Formats() {
		names = append(names, f.Name)
	}
	return strings.Join(names, " or ")
}

// exportInProcess draws the diagram with this process's Graphviz. Graphviz
// cannot be interrupted, so on ^C or SIGTERM the command returns at once
// and the process exits with the layout unfinished.
func exportInProcess(ctx context.Context, m *topology.Model, opts diagram.Options, f diagram.Format) (*diagram.File, error) {
	type result struct {
		file *diagram.File
		err  error
	}
	done := make(chan result, 1)
	go func() {
		file, err := diagram.Exporter{Layout: diagram.Local{}}.Export(ctx, m, risk.Analyze(m).Findings, opts, f)
		done <- result{file, err}
	}()
	select {
	case r := <-done:
		return r.file, r.err
	case <-ctx.Done():
		return nil, &exitError{code: 130, err: fmt.Errorf("stopped before the layout finished")}
	}
}

// loadRenderModel parses the flags (render's own and the import flags),
// calls parsed, and reads the MODEL arguments: a model file, - for standard
// input, or with --from compose files or Kubernetes manifests.
func loadRenderModel(e *env, fs *flag.FlagSet, args []string, parsed func()) (*topology.Model, error) {
	imp := addImportFlags(fs)
	if err := parseFlags(e, fs, args); err != nil {
		return nil, err
	}
	parsed()
	if fs.NArg() < 1 {
		fs.Usage()
		return nil, usageError("render takes a MODEL: a model file, or - for standard input (or compose files or Kubernetes manifests with --from)")
	}
	m, _, err := imp.load(e, fs.Args())
	return m, err
}
