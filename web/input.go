package main

import (
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/archmap/archmap/importer"
	"github.com/archmap/archmap/topology"
)

// importOptions shape an import of compose files or Kubernetes manifests.
type importOptions struct {
	nodes    int      // kubernetes: nodes the cluster is modelled with (0: the default, 3)
	zones    []string // kubernetes: zones given to the nodes round-robin
	profiles []string // compose: profiles to enable ("*" for all)
}

// importFlags are the flags every command that reads a MODEL shares:
// --from, --nodes, --zones and --profile.
type importFlags struct {
	from     string
	nodes    int
	zones    string
	profiles importListFlag
}

// addImportFlags registers the shared MODEL flags on fs. After parseFlags,
// call load with the MODEL arguments.
func addImportFlags(fs *flag.FlagSet) *importFlags {
	f := &importFlags{}
	fs.StringVar(&f.from, "from", "", "read MODEL as compose files or Kubernetes manifests, files or directories: compose or kubernetes")
	fs.IntVar(&f.nodes, "nodes", 3, "with --from kubernetes: the number of nodes the cluster is modelled with")
	fs.StringVar(&f.zones, "zones", "", "with --from kubernetes: zones given to the nodes round-robin, comma-separated (a,b,c)")
	fs.Var(&f.profiles, "profile", "with --from compose: enable a compose profile; repeat or separate with commas, '*' for all")
	return f
}

func (f *importFlags) options() importOptions {
	return importOptions{nodes: f.nodes, zones: splitCommaList(f.zones), profiles: f.profiles}
}

// load reads the MODEL arguments as the flags say.
func (f *importFlags) load(e *env, paths []string) (*topology.Model, *topology.Source, error) {
	return loadModelArgs(e, f.from, paths, f.options())
}

// modelInput is where a model was read from, for tools that point at
// lines: a model file with its Source, or the files of an import with the
// importer's report of where each service was defined.
type modelInput struct {
	paths  []string
	src    *topology.Source // a model file; nil for an import
	report *importer.Report // an import; nil for a model file
}

// name is the first MODEL argument, "<stdin>" for "-".
func (in *modelInput) name() string {
	if len(in.paths) == 0 || in.paths[0] == "-" {
		return "<stdin>"
	}
	return in.paths[0]
}

// loadInput is load that also says where the model came from.
func (f *importFlags) loadInput(e *env, paths []string) (*topology.Model, *modelInput, error) {
	m, src, rep, err := loadModel(e, f.from, paths, f.options())
	return m, &modelInput{paths: paths, src: src, report: rep}, err
}

// loadModelArgs reads what a command's MODEL arguments name: one archmap
// model file (or - for standard input) when from is empty, else compose
// files or Kubernetes manifests, files or directories, through the
// importer, whose report goes to standard error. The Source locates the
// parts of a model file; it is nil for an import. Bad input is exit status 2.
func loadModelArgs(e *env, from string, paths []string, opts importOptions) (*topology.Model, *topology.Source, error) {
	m, src, _, err := loadModel(e, from, paths, opts)
	return m, src, err
}

// loadModel is loadModelArgs that also returns the importer's report.
func loadModel(e *env, from string, paths []string, opts importOptions) (*topology.Model, *topology.Source, *importer.Report, error) {
	switch from {
	case "":
		if len(paths) != 1 {
			return nil, nil, nil, usageError("give one MODEL: an archmap model file, or - for standard input (compose files and Kubernetes manifests need --from compose or --from kubernetes)")
		}
		m, src, err := readModelFile(e, paths[0])
		return m, src, nil, err
	case "compose", "kubernetes":
	default:
		return nil, nil, nil, usageError("--from %q: want compose or kubernetes", from)
	}
	if len(paths) == 0 {
		return nil, nil, nil, usageError("--from %s needs one or more files or directories (or - for standard input)", from)
	}
	files, err := readImportFiles(e, from, paths)
	if err != nil {
		return nil, nil, nil, err
	}
	var (
		m   *topology.Model
		rep *importer.Report
	)
	if from == "compose" {
		m, rep, err = importer.Compose(files, importer.ComposeOptions{Profiles: opts.profiles})
	} else {
		m, rep, err = importer.Kubernetes(files, importer.KubeOptions{Nodes: opts.nodes, Zones: opts.zones})
	}
	if err != nil {
		// What the importer skipped or assumed before it failed (an include
		// it could not follow, a file it left out) often explains the error.
		if rep != nil && !rep.Empty() {
			fmt.Fprintln(e.stderr, "The import failed. What it had found before it failed:")
			if werr := rep.WriteText(e.stderr); werr != nil {
				return nil, nil, nil, werr
			}
		}
		return nil, nil, nil, &exitError{code: 2, err: fmt.Errorf("%s", topology.ErrorMessage(err))}
	}
	fmt.Fprintf(e.stderr, "Imported %s from %d %s file(s) as model %q.\n", countNoun(len(m.Services), "service"), len(files), from, m.Name)
	if err := rep.WriteText(e.stderr); err != nil {
		return nil, nil, nil, err
	}
	return m, nil, rep, nil
}

// readImportFiles reads the named files and directories, or standard input
// when the only argument is "-". A directory of Kubernetes manifests is read
// whole; a compose directory as docker compose reads it (its compose file,
// override and .env).
func readImportFiles(e *env, from string, paths []string) ([]importer.File, error) {
	for _, p := range paths {
		if p == "-" && len(paths) > 1 {
			return nil, usageError("- (standard input) cannot be combined with other files")
		}
	}
	if len(paths) == 1 && paths[0] == "-" {
		data, err := topology.ReadAllBounded(e.stdin, importer.MaxInputSize)
		if err != nil {
			return nil, &exitError{code: 2, err: fmt.Errorf("<stdin>: %s", topology.ErrorMessage(err))}
		}
		return []importer.File{{Name: "stdin.yaml", Data: data}}, nil
	}
	read := importer.ReadPaths
	if from == "compose" {
		read = importer.ReadComposePaths
	}
	files, err := read(paths)
	if err != nil {
		return nil, &exitError{code: 2, err: fmt.Errorf("%s", topology.ErrorMessage(err))}
	}
	return files, nil
}

// importListFlag is a flag that may be repeated, each value also split at commas.
type importListFlag []string

func (l *importListFlag) String() string { return strings.Join(*l, ",") }

func (l *importListFlag) Set(v string) error {
	*l = append(*l, splitCommaList(v)...)
	return nil
}

func splitCommaList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func countNoun(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// readModelFile reads one model file (or standard input for "-") and
// returns it with where its parts are, for SARIF lines. Invalid input is
// exit status 2, with every problem printed on its own line.
func readModelFile(e *env, path string) (*topology.Model, *topology.Source, error) {
	name := path
	if path == "-" {
		name = "<stdin>"
	}
	in, err := openInput(e, path)
	if err != nil {
		return nil, nil, err
	}
	defer in.Close()
	data, err := topology.ReadAllBounded(in, topology.MaxInputSize)
	if err != nil {
		return nil, nil, &exitError{code: 2, err: fmt.Errorf("%s: %w", name, err)}
	}
	m, src, err := topology.ParseSource(data)
	if err != nil {
		// A compose file or Kubernetes manifest given as a model: say what
		// it is and how to import it, rather than what a model lacks.
		if d := importer.Detect([]importer.File{{Name: name, Data: data}}); d.Format == importer.FormatCompose || d.Format == importer.FormatKubernetes {
			return nil, nil, &exitError{code: 2, err: fmt.Errorf("%s is not an archmap model but %s (%s); add --from %s", name, d.Format.Label(), d.Evidence, d.Format)}
		}
	}
	var verr *topology.ValidationError
	switch {
	case errors.As(err, &verr):
		for _, p := range verr.Problems {
			where := name
			if p.Line > 0 {
				where = fmt.Sprintf("%s:%d", name, p.Line)
			}
			if p.Path != "" {
				where += ": " + p.Path
			}
			fmt.Fprintf(e.stderr, "%s: %s\n", where, p.Message)
		}
		return nil, nil, &exitError{code: 2, err: fmt.Errorf("%s: invalid model: %d problem(s)", name, len(verr.Problems))}
	case err != nil:
		return nil, nil, &exitError{code: 2, err: fmt.Errorf("%s: %s", name, topology.ErrorMessage(err))}
	}
	return m, src, nil
}
