package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/archmap/archmap/diagram"
	"github.com/archmap/archmap/risk"
	"github.com/archmap/archmap/topology"
)

func init() {
	register(&command{name: "render", summary: "draw a model: the services or deployment view as SVG or DOT", run: runRender})
}

const renderSynopsis = "render [--view services|deployment] [--focus NAME --depth N] [--group team] [--format svg|dot] [-o FILE] [--from compose|kubernetes] MODEL..."

// runRender is docs/cli.md's render. The SVG is standalone (styles inside,
// no external references). Graphviz runs in this process: for one layout a
// worker process would only add its start-up.
func runRender(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "render", renderSynopsis)
	view := fs.String("view", diagram.ViewServices, "what to draw: services (who calls whom) or deployment (what runs where)")
	focus := fs.String("focus", "", "draw only this service and its neighbours")
	depth := fs.Int("depth", 1, "with --focus: how many calls away neighbours may be, both directions")
	group := fs.String("group", "", "collapse services into their teams: team")
	format := fs.String("format", "svg", "output: svg or dot (the Graphviz source)")
	out := fs.String("o", "", "write to this file instead of standard output")
	m, err := loadRenderModel(e, fs, args, func() {
		if *format == "svg" {
			// Graphviz starts on the other core while this one reads the model.
			go diagram.WarmLocal(ctx)
		}
	})
	if err != nil {
		return err
	}
	switch *view {
	case diagram.ViewServices, diagram.ViewDeployment:
	default:
		return usageError("--view %q: want services or deployment", *view)
	}
	if *group != "" && *group != diagram.GroupTeam {
		return usageError("--group %q: services can be grouped by team", *group)
	}
	if *format != "svg" && *format != "dot" {
		return usageError("--format %q: want svg or dot", *format)
	}
	if *depth < 1 {
		return usageError("--depth %d: want 1 or more", *depth)
	}
	d, err := diagram.Build(m, risk.Analyze(m).Findings, diagram.Options{View: *view, Focus: *focus, Depth: *depth, Group: *group})
	if err != nil {
		return &exitError{code: 2, err: fmt.Errorf("--focus: %s", topology.ErrorMessage(err))}
	}
	if d.Note != "" {
		fmt.Fprintln(e.stderr, "archmap:", d.Note)
	}
	data := d.DOT
	if *format == "svg" {
		svg, err := renderInProcess(ctx, d.DOT)
		if err != nil {
			return err
		}
		if data, err = diagram.Standalone(svg, m.Name+" — "+*view); err != nil {
			return err
		}
	}
	w, err := openOutput(e, *out)
	if err != nil {
		return err
	}
	if _, err := w.Write(data); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}

// renderInProcess lays the diagram out in this process. Graphviz cannot be
// interrupted, so on ^C or SIGTERM the command returns at once and the
// process exits with the layout unfinished.
func renderInProcess(ctx context.Context, dot []byte) ([]byte, error) {
	type result struct {
		svg []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		svg, err := diagram.RenderLocal(ctx, dot, diagram.FormatSVG)
		done <- result{svg, err}
	}()
	select {
	case r := <-done:
		return r.svg, r.err
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
