package main

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/archmap/archmap/topology"
	"github.com/archmap/archmap/topology/topologytest"
)

func TestRenderCommand(t *testing.T) {
	model, err := os.ReadFile(filepath.Join("..", "diagram", "testdata", "shop.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	path := writeModel(t, "shop.yaml", string(model))
	out := filepath.Join(t.TempDir(), "shop.svg")
	tests := []struct {
		name  string
		stdin string
		args  []string
		code  int
		want  []string // in stdout (or the -o file)
	}{
		{"services svg", "", []string{"render", path}, 0, []string{"<svg", "<title>Golden shop — services</title>", ">cart<"}},
		{"deployment svg", "", []string{"render", "--view", "deployment", path}, 0, []string{">app-1 · kubernetes-node<", ">orders ×3<"}},
		{"dot from stdin", string(model), []string{"render", "--format", "dot", "-"}, 0, []string{"digraph archmap {", `label="cart\nservice · Go"`}},
		{"focus and group", "", []string{"render", "--format", "dot", "--focus", "cart", "--depth", "2", "--group", "team", path}, 0, []string{"digraph archmap {"}},
		{"to a file", "", []string{"render", "-o", out, path}, 0, nil},
		{"unknown view", "", []string{"render", "--view", "matrix", path}, 2, nil},
		{"unknown format", "", []string{"render", "--format", "jpeg", path}, 2, nil},
		{"png", "", []string{"render", "--format", "png", path}, 0, []string{"\x89PNG\r\n\x1a\n"}},
		{"unknown grouping", "", []string{"render", "--group", "zone", path}, 2, nil},
		{"unknown focus", "", []string{"render", "--focus", "nope", path}, 2, nil},
		{"no model", "", []string{"render"}, 2, nil},
		{"invalid model", "version: 1\nname: x\nservices: [{name: a}, {name: a}]\n", []string{"render", "-"}, 2, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runRiskCLI(t, tt.stdin, nil, tt.args...)
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d; stderr:\n%s", r.code, tt.code, r.stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("output lacks %q", w)
				}
			}
			if strings.HasPrefix(r.stdout, "<?xml") {
				checkXML(t, []byte(r.stdout))
			}
		})
	}
	svg, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	checkXML(t, svg)
}

func checkXML(tb testing.TB, b []byte) {
	tb.Helper()
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = true
	for {
		_, err := d.Token()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			tb.Fatalf("not well-formed XML: %v", err)
		}
	}
}

// BenchmarkRenderProcess is issue 4's whole-process comparison: the built
// archmap binary running `archmap render` on a YAML file of
// topologytest.Generate(300), against native `dot -Tsvg` on the DOT that
// archmap generates for it, one after the other in every iteration (in
// alternating order) so that both meet the same machine. Both are timed as
// processes, start to exit; the metrics are milliseconds of wall time and of
// CPU (user + system) per run, and the ratio of the wall times.
//
//	go test -run '^$' -bench RenderProcess -benchtime 10x ./web
func BenchmarkRenderProcess(b *testing.B) {
	native, err := exec.LookPath("dot")
	if err != nil {
		b.Skip("native Graphviz (dot) is not installed")
	}
	bin := buildArchmap(b)
	dir := b.TempDir()
	data, err := topology.EncodeYAML(topologytest.Generate(300))
	if err != nil {
		b.Fatal(err)
	}
	model := filepath.Join(dir, "model.yaml")
	if err := os.WriteFile(model, data, 0o644); err != nil {
		b.Fatal(err)
	}
	for _, view := range []string{"services", "deployment"} {
		dot, err := exec.Command(bin, "render", "--view", view, "--format", "dot", model).Output()
		if err != nil {
			b.Fatalf("archmap render --format dot: %v", err)
		}
		dotPath := filepath.Join(dir, view+".dot")
		if err := os.WriteFile(dotPath, dot, 0o644); err != nil {
			b.Fatal(err)
		}
		archmap := []string{bin, "render", "--view", view, "-o", os.DevNull, model}
		dotCmd := []string{native, "-Tsvg", "-o", os.DevNull, dotPath}
		b.Run(view+"-300", func(b *testing.B) {
			var wall, cpu [2]time.Duration
			i := 0
			for b.Loop() {
				for k := range 2 {
					which := (i + k) % 2
					argv := archmap
					if which == 1 {
						argv = dotCmd
					}
					w, c := runTimed(b, argv)
					wall[which] += w
					cpu[which] += c
				}
				i++
			}
			n := float64(b.N)
			b.ReportMetric(float64(wall[0].Milliseconds())/n, "archmap-ms/op")
			b.ReportMetric(float64(wall[1].Milliseconds())/n, "native-ms/op")
			b.ReportMetric(float64(cpu[0].Milliseconds())/n, "archmap-cpu-ms/op")
			b.ReportMetric(float64(cpu[1].Milliseconds())/n, "native-cpu-ms/op")
			b.ReportMetric(float64(wall[0])/float64(wall[1]), "archmap/native")
		})
	}
}

// runTimed runs argv to its end and returns its wall and CPU time.
func runTimed(tb testing.TB, argv []string) (wall, cpu time.Duration) {
	tb.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = childEnv()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	t0 := time.Now()
	err := cmd.Run()
	wall = time.Since(t0)
	if err != nil {
		tb.Fatalf("%s: %v\n%s", strings.Join(argv, " "), err, stderr.String())
	}
	return wall, cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
}
