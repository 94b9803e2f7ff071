package server

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/archmap/archmap/topology"
	"github.com/archmap/archmap/topology/topologytest"
)

// Benchmarks of the API through real HTTP on a real database:
//
//	go test ./server -run '^$' -bench 'BenchmarkAPI' -benchtime 20x
func BenchmarkAPIModelGet(b *testing.B) {
	for _, n := range []int{100, 1000, 10000} {
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			f := newAPIFixture(b)
			slug := importModel(b, f.db, "bench", topologytest.Generate(n))
			req := f.benchRequest(b, "GET", "/workspaces/"+slug+"/model", "")
			b.ResetTimer()
			for b.Loop() {
				f.benchDo(b, req(), http.StatusOK)
			}
		})
	}
}

func BenchmarkAPIModelPut(b *testing.B) {
	for _, n := range []int{100, 1000, 10000} {
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			f := newAPIFixture(b)
			m := topologytest.Generate(n)
			slug := importModel(b, f.db, "bench", m)
			body, err := topology.EncodeJSON(m)
			if err != nil {
				b.Fatal(err)
			}
			req := f.benchRequest(b, "PUT", "/workspaces/"+slug+"/model", string(body))
			b.SetBytes(int64(len(body)))
			b.ResetTimer()
			for b.Loop() {
				f.benchDo(b, req(), http.StatusOK)
			}
		})
	}
}

func BenchmarkAPIServiceCreate(b *testing.B) {
	f := newAPIFixture(b)
	slug := importModel(b, f.db, "bench", topologytest.Generate(1000))
	i := 0
	b.ResetTimer()
	for b.Loop() {
		i++
		req := f.benchRequest(b, "POST", "/workspaces/"+slug+"/services", fmt.Sprintf(`{"name": "bench-%d"}`, i))
		f.benchDo(b, req(), http.StatusCreated)
	}
}

func BenchmarkAPIFindings(b *testing.B) {
	f := newAPIFixture(b)
	slug := importModel(b, f.db, "bench", topologytest.Generate(1000))
	req := f.benchRequest(b, "GET", "/workspaces/"+slug+"/findings", "")
	b.ResetTimer()
	for b.Loop() {
		f.benchDo(b, req(), http.StatusOK)
	}
}

// benchRequest returns a maker of the same authenticated request.
func (f *apiFixture) benchRequest(tb testing.TB, method, path, body string) func() *http.Request {
	return func() *http.Request {
		req, err := http.NewRequest(method, f.URL+"/api/v1"+path, strings.NewReader(body))
		if err != nil {
			tb.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+f.token)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		return req
	}
}

func (f *apiFixture) benchDo(tb testing.TB, req *http.Request, want int) {
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != want {
		tb.Fatalf("%s %s: %d, want %d", req.Method, req.URL.Path, resp.StatusCode, want)
	}
}
