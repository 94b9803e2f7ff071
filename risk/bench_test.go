package risk

import (
	"fmt"
	"testing"

	"github.com/archmap/archmap/topology/topologytest"
)

// go test -run '^$' -bench . ./risk/
func BenchmarkAnalyze(b *testing.B) {
	for _, n := range []int{100, 1000, 10000} {
		m := topologytest.Generate(n)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			var r *Report
			for b.Loop() {
				r = Analyze(m)
			}
			b.ReportMetric(float64(len(r.Findings)), "findings")
		})
	}
}

func BenchmarkSimulateZone(b *testing.B) {
	for _, n := range []int{100, 1000, 10000} {
		m := topologytest.Generate(n)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			for b.Loop() {
				if _, err := Simulate(m, []string{"zone:" + m.Servers[0].Zone}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
