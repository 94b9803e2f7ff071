package diagram

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/archmap/archmap/risk"
	"github.com/archmap/archmap/topology/topologytest"
)

// Benchmarks of laying out topologytest models. Each iteration lays the same
// DOT out with a warm worker of the pool (cache off) and with native `dot
// -Tsvg` when it is installed, one after the other, so that the ratio holds
// even on a busy machine; the metrics are milliseconds per layout.
//
//	go test ./diagram -run '^$' -bench Render -benchtime 3x
func BenchmarkRender(b *testing.B) {
	for _, n := range []int{50, 200, 300, 500, 1000} {
		m := topologytest.Generate(n)
		findings := risk.Analyze(m).Findings
		for _, view := range []string{ViewServices, ViewDeployment} {
			d, err := Build(m, findings, Options{View: view})
			if err != nil {
				b.Fatal(err)
			}
			name := fmt.Sprintf("%s-%d", view, n)
			switch {
			case d.ServersOnly:
				name += "-servers"
			case d.Grouped:
				name += "-grouped"
			}
			b.Run(name+"/worker", func(b *testing.B) { benchWorker(b, d.DOT) })
			b.Run(name+"/cached", func(b *testing.B) { benchCached(b, d.DOT) })
		}
	}
}

func benchWorker(b *testing.B, dot []byte) {
	cfg := testRendererConfig()
	cfg.Workers = 1
	cfg.CacheBytes = -1
	cfg.Timeout = 5 * time.Minute
	r := newTestRenderer(b, cfg)
	if _, err := r.Render(context.Background(), smallDOT(0), OutputSVG); err != nil {
		b.Fatal(err) // waits for the worker to be up
	}
	native, hasDot := exec.LookPath("dot")
	path := filepath.Join(b.TempDir(), "g.dot")
	if err := os.WriteFile(path, dot, 0o644); err != nil {
		b.Fatal(err)
	}
	var worker, nat time.Duration
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		if _, err := r.Render(context.Background(), dot, OutputSVG); err != nil {
			b.Fatal(err)
		}
		worker += time.Since(t0)
		if hasDot == nil {
			t0 = time.Now()
			if out, err := exec.Command(native, "-Tsvg", "-o", os.DevNull, path).CombinedOutput(); err != nil {
				b.Fatalf("dot: %v\n%s", err, out)
			}
			nat += time.Since(t0)
		}
	}
	b.ReportMetric(float64(worker.Milliseconds())/float64(b.N), "worker-ms/op")
	if hasDot == nil {
		b.ReportMetric(float64(nat.Milliseconds())/float64(b.N), "native-ms/op")
		b.ReportMetric(float64(worker)/float64(nat), "worker/native")
	}
}

func benchCached(b *testing.B, dot []byte) {
	cfg := testRendererConfig()
	cfg.Workers = 1
	cfg.Timeout = 5 * time.Minute
	r := newTestRenderer(b, cfg)
	if _, err := r.Render(context.Background(), dot, OutputSVG); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := r.Render(context.Background(), dot, OutputSVG); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDOT measures generating the DOT alone.
func BenchmarkDOT(b *testing.B) {
	for _, n := range []int{100, 1000, 10000} {
		m := topologytest.Generate(n)
		findings := risk.Analyze(m).Findings
		for _, view := range []string{ViewServices, ViewDeployment} {
			b.Run(fmt.Sprintf("%s-%d", view, n), func(b *testing.B) {
				for b.Loop() {
					if _, err := Build(m, findings, Options{View: view}); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkLayoutSizes lays out every view of the middle sizes, where the
// budget is chosen (issue 14: every view ≤ 500 ms of warm layout): "worker"
// by a warm worker process of the pool (wall time), "cpu" by this
// process's Graphviz, started and warmed first, reporting the CPU time of
// a layout next to its wall time: on a shared machine the wall time
// measures the neighbours as much as the layout.
//
//	go test ./diagram -run '^$' -bench LayoutSizes -benchtime 3x
func BenchmarkLayoutSizes(b *testing.B) {
	if _, err := RenderLocal(context.Background(), smallDOT(0), OutputSVG); err != nil {
		b.Fatal(err)
	}
	for _, n := range []int{150, 200, 250, 300} {
		m := topologytest.Generate(n)
		findings := risk.Analyze(m).Findings
		for _, o := range []Options{{View: ViewServices}, {View: ViewServices, Group: GroupTeam}, {View: ViewDeployment}, {View: ViewDeployment, Group: GroupTeam}} {
			d, err := Build(m, findings, o)
			if err != nil {
				b.Fatal(err)
			}
			name := fmt.Sprintf("%s-%d", o.View, n)
			if o.Group != "" {
				name += "-team"
			}
			switch {
			case d.ServersOnly:
				name += "-servers"
			case d.Grouped && o.Group == "":
				name += "-grouped"
			}
			b.Run(name+"/worker", func(b *testing.B) { benchWorker(b, d.DOT) })
			b.Run(name+"/cpu", func(b *testing.B) {
				var cpu, wall time.Duration
				for b.Loop() {
					c0, w0 := cpuTime(), time.Now()
					if _, err := RenderLocal(context.Background(), d.DOT, OutputSVG); err != nil {
						b.Fatal(err)
					}
					cpu += cpuTime() - c0
					wall += time.Since(w0)
				}
				b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "cpu-ms/op")
				b.ReportMetric(float64(wall.Milliseconds())/float64(b.N), "wall-ms/op")
			})
		}
	}
}

// cpuTime is the CPU time this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
