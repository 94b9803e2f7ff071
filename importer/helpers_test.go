package importer

import (
	"path/filepath"
	"sort"
	"strings"
	"testing"

	rdata "github.com/archmap/archmap/internal/realdata"
	"github.com/archmap/archmap/topology"
)

// realdata returns testdata/realdata at the module root, where the
// real-world deployment files live.
func realdata(tb testing.TB) string {
	tb.Helper()
	return rdata.Dir(tb)
}

// readReal reads paths relative to the realdata directory with ReadPaths.
func readReal(tb testing.TB, rel ...string) []File {
	tb.Helper()
	rd := realdata(tb)
	paths := make([]string, len(rel))
	for i, r := range rel {
		paths[i] = filepath.Join(rd, r)
	}
	files, err := ReadPaths(paths)
	if err != nil {
		tb.Fatalf("ReadPaths(%v): %v", rel, err)
	}
	return files
}

func mustCompose(tb testing.TB, files []File, opts ComposeOptions) (*topology.Model, *Report) {
	tb.Helper()
	m, rep, err := Compose(files, opts)
	if err != nil {
		tb.Fatalf("Compose: %v", err)
	}
	checkModel(tb, m, rep, files)
	return m, rep
}

func mustKube(tb testing.TB, files []File, opts KubeOptions) (*topology.Model, *Report) {
	tb.Helper()
	m, rep, err := Kubernetes(files, opts)
	if err != nil {
		tb.Fatalf("Kubernetes: %v", err)
	}
	checkModel(tb, m, rep, files)
	return m, rep
}

// checkModel asserts what holds for every import: the model validates, one
// report entry per dependency, no self-dependency, and every cited line of
// every cited file mentions the callee or the variable that named it.
func checkModel(tb testing.TB, m *topology.Model, rep *Report, files []File) {
	tb.Helper()
	if err := m.Validate(); err != nil {
		tb.Fatalf("model does not validate: %v", err)
	}
	if len(rep.Dependencies) != len(m.Dependencies) {
		tb.Fatalf("report has %d dependencies, model %d", len(rep.Dependencies), len(m.Dependencies))
	}
	byName := map[string][]string{}
	for _, f := range files {
		// Lines end as YAML ends them: \r\n, \r or \n.
		text := strings.ReplaceAll(strings.ReplaceAll(string(f.Data), "\r\n", "\n"), "\r", "\n")
		byName[f.Name] = strings.Split(text, "\n")
	}
	for i, d := range rep.Dependencies {
		md := m.Dependencies[i]
		if d.From != md.From || d.To != md.To || d.Protocol != md.Protocol || d.Mode != md.Mode {
			tb.Errorf("report dependency %d %+v differs from the model's %+v", i, d, md)
		}
		if d.From == d.To {
			tb.Errorf("self-dependency %s", d.From)
		}
		lines, ok := byName[d.File]
		if !ok {
			tb.Errorf("%s -> %s cites %q, not an input file", d.From, d.To, d.File)
			continue
		}
		if d.Line < 1 || d.Line > len(lines) {
			tb.Errorf("%s -> %s cites line %d of %s (%d lines)", d.From, d.To, d.Line, d.File, len(lines))
			continue
		}
		// A Kubernetes env entry is "- name: KEY" with "value: ..." below it.
		text := strings.ToLower(strings.Join(lines[max(0, d.Line-2):d.Line], "\n"))
		key := citedKey(d.Reason)
		if !strings.Contains(text, strings.ToLower(d.To)) && (key == "" || !strings.Contains(text, strings.ToLower(key))) {
			tb.Errorf("%s -> %s cites %s:%d = %q, which names neither %s nor %q", d.From, d.To, d.File, d.Line, lines[d.Line-1], d.To, key)
		}
	}
}

// citedKey extracts the variable from "environment KEY names ..." or
// "env KEY of container ...".
func citedKey(reason string) string {
	for _, p := range []string{"environment ", "env "} {
		if rest, ok := strings.CutPrefix(reason, p); ok {
			k, _, _ := strings.Cut(rest, " ")
			return k
		}
	}
	return ""
}

func service(tb testing.TB, m *topology.Model, name string) topology.Service {
	tb.Helper()
	for _, s := range m.Services {
		if s.Name == name {
			return s
		}
	}
	tb.Fatalf("no service %q in %v", name, serviceNames(m))
	return topology.Service{}
}

func serviceNames(m *topology.Model) []string {
	names := make([]string, len(m.Services))
	for i, s := range m.Services {
		names[i] = s.Name
	}
	return names
}

func instances(m *topology.Model, name string) int {
	n := 0
	for _, p := range m.Placements {
		if p.Service == name {
			n += p.Instances
		}
	}
	return n
}

// edges lists the model's dependencies as "from->to", sorted.
func edges(m *topology.Model) []string {
	out := make([]string, len(m.Dependencies))
	for i, d := range m.Dependencies {
		out[i] = d.From + "->" + d.To
	}
	sort.Strings(out)
	return out
}

func dep(tb testing.TB, m *topology.Model, from, to string) topology.Dependency {
	tb.Helper()
	for _, d := range m.Dependencies {
		if d.From == from && d.To == to {
			return d
		}
	}
	tb.Fatalf("no dependency %s -> %s; have %v", from, to, edges(m))
	return topology.Dependency{}
}

func hasDep(m *topology.Model, from, to string) bool {
	for _, d := range m.Dependencies {
		if d.From == from && d.To == to {
			return true
		}
	}
	return false
}

func reportDep(tb testing.TB, rep *Report, from, to string) InferredDependency {
	tb.Helper()
	for _, d := range rep.Dependencies {
		if d.From == from && d.To == to {
			return d
		}
	}
	tb.Fatalf("no reported dependency %s -> %s", from, to)
	return InferredDependency{}
}

// sameSet fails unless got and want hold the same strings.
func sameSet(tb testing.TB, what string, got, want []string) {
	tb.Helper()
	g := map[string]bool{}
	for _, s := range got {
		g[s] = true
	}
	w := map[string]bool{}
	for _, s := range want {
		w[s] = true
	}
	var missing, extra []string
	for s := range w {
		if !g[s] {
			missing = append(missing, s)
		}
	}
	for s := range g {
		if !w[s] {
			extra = append(extra, s)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 || len(extra) > 0 || len(got) != len(want) {
		tb.Errorf("%s: missing %v, unexpected %v (got %d, want %d)", what, missing, extra, len(got), len(want))
	}
}

// kinds maps every service to its kind, for comparing with expectations.
func kinds(m *topology.Model) map[string]topology.ServiceKind {
	out := map[string]topology.ServiceKind{}
	for _, s := range m.Services {
		out[s.Name] = s.Kind
	}
	return out
}

// checkKinds asserts the listed kinds and that every other service is a
// plain service.
func checkKinds(tb testing.TB, m *topology.Model, want map[string]topology.ServiceKind) {
	tb.Helper()
	for name, k := range want {
		if got := service(tb, m, name).Kind; got != k {
			tb.Errorf("kind of %s = %s, want %s", name, got, k)
		}
	}
	for name, k := range kinds(m) {
		if _, listed := want[name]; !listed && k != topology.KindService {
			tb.Errorf("kind of %s = %s, want service", name, k)
		}
	}
}

func inFiles(dir string, names ...string) []File {
	files := make([]File, 0, len(names)/2)
	for i := 0; i+1 < len(names); i += 2 {
		files = append(files, File{Name: filepath.Join(dir, names[i]), Data: []byte(names[i+1])})
	}
	return files
}

func anyContains(list []string, sub string) bool {
	for _, s := range list {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
