package topology_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/archmap/archmap/topology"
	"github.com/archmap/archmap/topology/topologytest"
)

// The CLI's check of a 10 000-service model should take well under 1.5 s in
// all; parsing is the first part of it. Run with:
//
//	go test -run '^$' -bench . -benchmem ./topology
func BenchmarkParse(b *testing.B) {
	for _, n := range []int{100, 1000, 10000} {
		for _, format := range []string{"yaml", "json"} {
			data := mustEncode(b, topologytest.Generate(n), format)
			b.Run(fmt.Sprintf("%s/services=%d", format, n), func(b *testing.B) {
				b.SetBytes(int64(len(data)))
				b.ReportAllocs()
				for b.Loop() {
					if _, err := topology.Parse(data); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func BenchmarkEncode(b *testing.B) {
	for _, n := range []int{100, 1000, 10000} {
		m := topologytest.Generate(n)
		for _, format := range []string{"yaml", "json"} {
			b.Run(fmt.Sprintf("%s/services=%d", format, n), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					mustEncode(b, m, format)
				}
			})
		}
	}
}

func mustEncode(tb testing.TB, m *topology.Model, format string) []byte {
	tb.Helper()
	encode := topology.EncodeYAML
	if format == "json" {
		encode = topology.EncodeJSON
	}
	data, err := encode(m)
	if err != nil {
		tb.Fatalf("encode %s: %v", format, err)
	}
	return data
}

// BenchmarkParseHostile: how long a refusal of each hostile input takes
// (TestParseAliasBomb and TestParseDeepNesting check that they are refused).
func BenchmarkParseHostile(b *testing.B) {
	const deep = 100_000
	inputs := []struct {
		name string
		data []byte
	}{
		{"billion-laughs", billionLaughs("services: *a8")},
		{"alias-fan-out", fanOut()},
		{"yaml-100000-deep", []byte("name: Shop\nservices: " + strings.Repeat("[", deep) + strings.Repeat("]", deep) + "\n")},
		{"json-100000-deep", []byte(`{"name": "Shop", "services": ` + strings.Repeat("[", deep) + strings.Repeat("]", deep) + "}")},
		{"5MiB-of-problems", problemsEverywhere()},
	}
	for _, in := range inputs {
		b.Run(in.name, func(b *testing.B) {
			b.SetBytes(int64(len(in.data)))
			for b.Loop() {
				if _, err := topology.Parse(in.data); err == nil {
					b.Fatal("Parse accepted a hostile input")
				}
			}
		})
	}
}

// problemsEverywhere is just under 5 MiB of services that each break two rules.
func problemsEverywhere() []byte {
	var b strings.Builder
	b.WriteString("name: Shop\nservices:\n")
	for b.Len() < topology.MaxInputSize-20 {
		b.WriteString("  - {colour: red}\n")
	}
	return []byte(b.String())
}
