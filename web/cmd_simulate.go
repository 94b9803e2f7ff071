package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/archmap/archmap/risk"
	"github.com/archmap/archmap/topology"
)

func init() {
	register(&command{name: "simulate", summary: "fail servers, zones or services and show what goes down", run: runSimulate})
}

const simulateSynopsis = "simulate --fail server:NAME,zone:NAME,service:NAME [--format text|json] [--from compose|kubernetes] MODEL..."

// runSimulate is docs/cli.md's simulate: the down and degraded services of
// §4, names sorted. Unknown names are invalid input: exit status 2.
func runSimulate(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "simulate", simulateSynopsis)
	fail := fs.String("fail", "", "what fails, comma-separated: server:NAME, zone:NAME (all its servers), service:NAME")
	format := fs.String("format", "text", "output: text or json")
	imp := addImportFlags(fs)
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if *format != "text" && *format != "json" {
		return usageError("--format %q: want text or json", *format)
	}
	if *fail == "" {
		fs.Usage()
		return usageError("simulate needs --fail: what fails, as server:NAME, zone:NAME or service:NAME, comma-separated")
	}
	if fs.NArg() < 1 {
		fs.Usage()
		return usageError("simulate takes a MODEL: a model file, or - for standard input (or compose files or Kubernetes manifests with --from)")
	}
	m, _, err := imp.load(e, fs.Args())
	if err != nil {
		return err
	}
	// Names are taken as typed, spaces included: a name may hold them.
	items := strings.Split(*fail, ",")
	sim, err := risk.Simulate(m, items)
	if err != nil {
		return &exitError{code: 2, err: fmt.Errorf("--fail: %s", topology.ErrorMessage(err))}
	}
	if *format == "json" {
		return writeJSON(e.stdout, sim)
	}
	writeSimulationText(e.stdout, items, sim)
	return nil
}

func writeSimulationText(w io.Writer, items []string, sim *risk.Simulation) {
	fmt.Fprintf(w, "Failing %s\n", strings.Join(items, ", "))
	section := func(title string, names []string) {
		if len(names) == 0 {
			fmt.Fprintf(w, "\n%s: none\n", title)
			return
		}
		fmt.Fprintf(w, "\n%s (%d):\n", title, len(names))
		for _, n := range names {
			fmt.Fprintf(w, "  %s\n", n)
		}
	}
	section("Down", sim.Down)
	section("Degraded", sim.Degraded)
}
