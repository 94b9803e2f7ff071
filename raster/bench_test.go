package raster_test

import (
	"context"
	"syscall"
	"testing"
	"time"

	"github.com/archmap/archmap/diagram"
	"github.com/archmap/archmap/raster"
)

// BenchmarkPNG draws and encodes the demo's views at 2×, reporting CPU
// time next to wall time (a shared machine inflates the latter):
//
//	go test ./raster -run '^$' -bench PNG -benchtime 5x
func BenchmarkPNG(b *testing.B) {
	for _, view := range []string{diagram.ViewServices, diagram.ViewDeployment} {
		svg := demoSVG(b, view)
		b.Run(view, func(b *testing.B) {
			var cpu time.Duration
			for b.Loop() {
				c0 := cpuTime()
				if _, _, err := raster.PNG(context.Background(), svg, raster.Options{}); err != nil {
					b.Fatal(err)
				}
				cpu += cpuTime() - c0
			}
			b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "cpu-ms/op")
		})
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
