package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// env is what a subcommand may touch of the outside world; tests pass their own.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	// getenv looks up ARCHMAP_* twins of flags; os.Getenv outside tests.
	getenv func(string) string
}

// command is one subcommand. Each lives in its own cmd_*.go file and registers
// itself in init, so the dispatcher never needs editing.
type command struct {
	name    string
	summary string // one line for `archmap help`
	hidden  bool   // internal commands (render workers) are not listed
	run     func(ctx context.Context, e *env, args []string) error
}

var commands = map[string]*command{}

func register(c *command) {
	if _, dup := commands[c.name]; dup {
		panic("archmap: command registered twice: " + c.name)
	}
	commands[c.name] = c
}

// exitError carries an exit status. err may be nil when the command already
// said what it had to (check exits 1 after printing its findings).
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// usageError reports bad flags or arguments: exit status 2.
func usageError(format string, args ...any) error {
	return &exitError{code: 2, err: fmt.Errorf(format, args...)}
}

// run is the whole program: main only adds the process around it, so tests
// can run the real program in-process.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, getenv: os.Getenv}
	return runEnv(ctx, e, args)
}

func runEnv(ctx context.Context, e *env, args []string) error {
	name := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	switch name {
	case "help", "-h", "--help":
		printHelp(e.stdout)
		return nil
	}
	c, ok := commands[name]
	if !ok {
		printHelp(e.stderr)
		return usageError("unknown command %q", name)
	}
	return c.run(ctx, e, args)
}

func printHelp(w io.Writer) {
	fmt.Fprint(w, `archmap models how your software really runs — services, servers, where each
service runs and who calls whom — draws it, and flags the risks an SRE would.

Usage: archmap [command] [flags]

Commands:
`)
	names := make([]string, 0, len(commands))
	for n, c := range commands {
		if !c.hidden {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprint(w, `
Without a command, archmap serves the web app (archmap serve).
Run "archmap COMMAND -h" for a command's flags. Every flag has an environment
twin: --db is ARCHMAP_DB, --fail-on is ARCHMAP_FAIL_ON.
`)
}

// newFlagSet returns a FlagSet that reports errors instead of exiting and
// prints usage headed by the given synopsis.
func newFlagSet(e *env, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: archmap %s\n\nFlags (each also read from its ARCHMAP_ environment twin):\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args, then fills every flag not given on the command line
// from its environment twin (--fail-on ← ARCHMAP_FAIL_ON). Flags win over the
// environment. -h prints usage and returns flag.ErrHelp wrapped as exit 0.
func parseFlags(e *env, fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return &exitError{code: 0}
		}
		return &exitError{code: 2}
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if set[f.Name] || err != nil {
			return
		}
		key := envName(f.Name)
		if v := e.getenv(key); v != "" {
			if serr := fs.Set(f.Name, v); serr != nil {
				err = usageError("%s=%q: %v", key, v, serr)
			}
		}
	})
	return err
}

// envName maps a flag name to its environment twin: fail-on → ARCHMAP_FAIL_ON.
func envName(flagName string) string {
	return "ARCHMAP_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// openInput opens a MODEL argument: a path, or "-" for standard input.
func openInput(e *env, path string) (io.ReadCloser, error) {
	if path == "-" {
		return io.NopCloser(e.stdin), nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, &exitError{code: 2, err: err}
	}
	return f, nil
}

// openOutput opens -o FILE, or standard output for "" and "-".
func openOutput(e *env, path string) (io.WriteCloser, error) {
	if path == "" || path == "-" {
		return nopWriteCloser{e.stdout}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, &exitError{code: 2, err: err}
	}
	return f, nil
}

type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }
