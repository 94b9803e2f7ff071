package importer

import (
	"fmt"
	"io"
	"strings"

	"github.com/archmap/archmap/topology"
)

// Report says what an import created, inferred, skipped and assumed, so that
// a user can check every guess against the file and line it came from.
type Report struct {
	Created      []string
	Dependencies []InferredDependency
	Skipped      []string
	Assumptions  []string
	Warnings     []string
	// Places says where in the input each service of the model was
	// defined, by the service's model name: a Kubernetes workload's
	// replicas: key (else its metadata.name), a compose service's scale or
	// deploy.replicas (else its key). Tools that point at a line, like
	// `archmap check --format sarif`, read it.
	Places map[string]Place
}

// Place is a line of an input file (Line 0 when unknown).
type Place struct {
	File string
	Line int
}

// place records where the service named name was defined.
func (r *Report) place(name, file string, line int) {
	if r.Places == nil {
		r.Places = map[string]Place{}
	}
	r.Places[name] = Place{File: file, Line: line}
}

// InferredDependency is one dependency of the model with the evidence for it:
// Reason says what in the files named the callee, File and Line where
// (Line is 0 when it could not be found).
type InferredDependency struct {
	From     string
	To       string
	Protocol topology.Protocol
	Mode     topology.Mode
	Reason   string
	File     string
	Line     int
}

// Empty reports whether the report says nothing at all.
func (r *Report) Empty() bool {
	return r == nil || len(r.Created)+len(r.Dependencies)+len(r.Skipped)+len(r.Assumptions)+len(r.Warnings) == 0
}

// Location is "file:line", or the file alone when the line is unknown.
func (d InferredDependency) Location() string {
	if d.Line > 0 {
		return fmt.Sprintf("%s:%d", d.File, d.Line)
	}
	return d.File
}

// WriteText writes the report for a terminal. Names come from user files, so
// control characters are escaped to keep them from driving the terminal.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	section := func(title string, lines []string) {
		if len(lines) == 0 {
			return
		}
		fmt.Fprintf(&b, "%s (%d):\n", title, len(lines))
		for _, l := range lines {
			fmt.Fprintf(&b, "  %s\n", printable(l))
		}
	}
	section("Created", r.Created)
	if len(r.Dependencies) > 0 {
		fmt.Fprintf(&b, "Dependencies inferred (%d):\n", len(r.Dependencies))
		for _, d := range r.Dependencies {
			fmt.Fprintf(&b, "  %s -> %s (%s, %s): %s [%s]\n", printable(d.From), printable(d.To),
				d.Protocol, d.Mode, printable(d.Reason), printable(d.Location()))
		}
	}
	section("Skipped", r.Skipped)
	section("Assumptions", r.Assumptions)
	section("Warnings", r.Warnings)
	_, err := io.WriteString(w, b.String())
	return err
}

// printable escapes control characters (and invalid UTF-8) the way Go quotes
// strings, leaving ordinary text, including non-ASCII letters, as it is.
func printable(s string) string {
	clean := true
	for _, r := range s {
		if r == '\uFFFD' || r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	q := fmt.Sprintf("%q", s)
	return q[1 : len(q)-1]
}

func (r *Report) skip(format string, args ...any) {
	r.Skipped = append(r.Skipped, fmt.Sprintf(format, args...))
}

func (r *Report) assume(format string, args ...any) {
	r.Assumptions = append(r.Assumptions, fmt.Sprintf(format, args...))
}

func (r *Report) warn(format string, args ...any) {
	r.Warnings = append(r.Warnings, fmt.Sprintf(format, args...))
}
