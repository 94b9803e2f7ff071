package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// The load suite's readers can be wrk (https://github.com/wg/wrk, Debian
// package "wrk") instead of Go goroutines: ARCHMAP_LOADTEST_GENERATOR=wrk.
// Both are closed loops of the same number of connections without think
// time. The Go readers are the default: on these two shared cores wrk's
// event loops (one process per route, so that each route gets its own
// figures) lost the CPU for long stretches and reported p99s three times
// the Go readers' for the same server-side times (BENCHMARKS.md).

// loadGenerator returns "wrk" or "go".
func loadGenerator(tb testing.TB) string {
	tb.Helper()
	switch g := os.Getenv("ARCHMAP_LOADTEST_GENERATOR"); g {
	case "go", "":
		return "go"
	case "wrk":
		if _, err := exec.LookPath("wrk"); err != nil {
			tb.Fatal("ARCHMAP_LOADTEST_GENERATOR=wrk, but wrk is not installed (apt-get install wrk)")
		}
		return g
	default:
		tb.Fatalf("ARCHMAP_LOADTEST_GENERATOR=%q: want go or wrk", g)
		return ""
	}
}

// wrkReport makes wrk print its figures as one line the suite can read:
// requests, the error counts, and latency percentiles in microseconds.
const wrkReport = `
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("ARCHMAP-WRK %d %d %d %d %d %d %d %d %d\n",
    summary.requests, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
`

// wrkReaders runs one wrk per route, the connections shared out among
// them, for duration, and files each route's figures in st. Every request
// asks for gzip (as a browser does); wrk does not inflate bodies.
func wrkReaders(ctx context.Context, tb testing.TB, base, token string, routes []loadRoute, clients int, duration time.Duration, st *loadStats) {
	tb.Helper()
	script := filepath.Join(tb.TempDir(), "report.lua")
	if err := os.WriteFile(script, []byte(wrkReport), 0o644); err != nil {
		tb.Fatal(err)
	}
	secs := max(1, int(duration.Round(time.Second)/time.Second))
	var wg sync.WaitGroup
	for i, rt := range routes {
		conns := clients / len(routes)
		if i < clients%len(routes) {
			conns++
		}
		if conns == 0 {
			continue
		}
		args := []string{"-t1", fmt.Sprintf("-c%d", conns), fmt.Sprintf("-d%ds", secs), "--timeout", "30s",
			"-s", script, "-H", "Accept-Encoding: gzip"}
		if rt.auth {
			args = append(args, "-H", "Authorization: Bearer "+token)
		}
		args = append(args, base+rt.path)
		wg.Go(func() {
			var out bytes.Buffer
			cmd := exec.CommandContext(context.WithoutCancel(ctx), "wrk", args...)
			cmd.Stdout, cmd.Stderr = &out, &out
			if err := cmd.Run(); err != nil {
				st.fail(rt.name, fmt.Sprintf("wrk: %v: %.300s", err, out.String()))
				return
			}
			if err := st.fileWrk(rt.name, out.String()); err != nil {
				st.fail(rt.name, err.Error())
			}
		})
	}
	wg.Wait()
}

// routeSummary is one route's figures as another program measured them.
type routeSummary struct {
	n             int
	p50, p99, max time.Duration
	failed        int64
}

// fileWrk reads the report line of a wrk run and files it under route;
// wrk's errors (connect, read, write, non-2xx/3xx status, timeout) count as
// the suite's errors.
func (s *loadStats) fileWrk(route, out string) error {
	i := strings.Index(out, "ARCHMAP-WRK ")
	if i < 0 {
		return fmt.Errorf("wrk printed no report: %.300s", out)
	}
	var n, connect, read, write, status, timeout int64
	var p50, p99, mx int64
	if _, err := fmt.Sscanf(out[i:], "ARCHMAP-WRK %d %d %d %d %d %d %d %d %d",
		&n, &connect, &read, &write, &status, &timeout, &p50, &p99, &mx); err != nil {
		return fmt.Errorf("wrk report %q: %v", out[i:], err)
	}
	failed := connect + read + write + status + timeout
	s.mu.Lock()
	if s.summaries == nil {
		s.summaries = map[string]routeSummary{}
	}
	s.summaries[route] = routeSummary{n: int(n - status), p50: time.Duration(p50) * time.Microsecond,
		p99: time.Duration(p99) * time.Microsecond, max: time.Duration(mx) * time.Microsecond, failed: failed}
	s.mu.Unlock()
	if failed > 0 {
		s.errors.Add(failed)
		s.mu.Lock()
		s.errs = append(s.errs, fmt.Sprintf("%s: wrk counted %d connect, %d read, %d write, %d timeout errors and %d answers not 2xx/3xx",
			route, connect, read, write, timeout, status))
		s.mu.Unlock()
	}
	return nil
}
