package diagram

import (
	"bytes"
	"context"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/archmap/archmap/topology"
)

func TestRendererRendersSVG(t *testing.T) {
	r := newTestRenderer(t, testRendererConfig())
	out, err := r.Render(context.Background(), smallDOT(1), OutputSVG)
	if err != nil {
		t.Fatal(err)
	}
	texts := parseSVG(t, out)
	for _, want := range []string{"a1", "b", "c", "x1"} {
		if !slices.Contains(texts, want) {
			t.Errorf("SVG texts %q lack %q", texts, want)
		}
	}
	laid, err := r.Render(context.Background(), smallDOT(1), OutputLaidOutDOT)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(laid, []byte("pos=")) {
		t.Errorf("laid-out DOT has no positions:\n%s", laid)
	}
}

func TestRendererErrors(t *testing.T) {
	r := newTestRenderer(t, RendererConfig{Command: testRendererConfig().Command, Env: testRendererConfig().Env, Workers: 1, Stderr: testRendererConfig().Stderr})
	tests := []struct {
		name   string
		dot    []byte
		format string
		code   string
	}{
		{"unknown format", smallDOT(1), "png", topology.EINVALID},
		{"not DOT", []byte("this is not a graph {"), OutputSVG, topology.EINVALID},
		{"too large", bytes.Repeat([]byte(" "), MaxDOTSize+1), OutputSVG, topology.ETOOLARGE},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := r.Render(context.Background(), tt.dot, tt.format)
			if got := topology.ErrorCode(err); got != tt.code {
				t.Fatalf("error %v has code %q, want %q", err, got, tt.code)
			}
		})
	}
	// The worker that read bad DOT is still in service.
	if _, err := r.Render(context.Background(), smallDOT(2), OutputSVG); err != nil {
		t.Fatalf("render after errors: %v", err)
	}
	if s := r.Stats(); s.Restarts != 0 {
		t.Errorf("bad input restarted a worker: %+v", s)
	}
}

func TestRendererTimeoutKillsWorker(t *testing.T) {
	if testing.Short() {
		t.Skip("starts worker processes")
	}
	cfg := testRendererConfig()
	cfg.Workers = 1
	cfg.Timeout = time.Second
	r := newTestRenderer(t, cfg)
	// Wait for the worker, so that the timer measures the layout only.
	if _, err := r.Render(context.Background(), smallDOT(0), OutputSVG); err != nil {
		t.Fatal(err)
	}
	before := childPIDs(t)
	if len(before) != 1 {
		t.Fatalf("want 1 worker process, have %v", before)
	}

	start := time.Now()
	_, err := r.Render(context.Background(), slowDOT(1), OutputSVG)
	if topology.ErrorCode(err) != topology.ETIMEOUT {
		t.Fatalf("slow layout: got %v, want an ETIMEOUT error", err)
	}
	if !strings.Contains(topology.ErrorMessage(err), "longer than 1s") {
		t.Errorf("message %q does not say the limit", topology.ErrorMessage(err))
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("the timeout took %s to act", took)
	}
	if _, err := os.Stat("/proc/" + strconv.Itoa(before[0])); err == nil {
		t.Errorf("worker %d still exists after its time limit", before[0])
	}

	// A fresh worker takes over.
	out, err := r.Render(context.Background(), smallDOT(3), OutputSVG)
	if err != nil {
		t.Fatalf("render after a timeout: %v", err)
	}
	parseSVG(t, out)
	after := childPIDs(t)
	if len(after) != 1 || after[0] == before[0] {
		t.Errorf("worker processes before %v, after %v: want one new one", before, after)
	}
	if s := r.Stats(); s.Timeouts != 1 || s.Restarts != 1 {
		t.Errorf("stats %+v: want 1 timeout and 1 restart", s)
	}
}

func TestRendererConcurrent(t *testing.T) {
	cfg := testRendererConfig()
	cfg.Workers = 2
	cfg.QueueSize = 16
	r := newTestRenderer(t, cfg)
	var wg sync.WaitGroup
	errs := make([]error, 16)
	outs := make([][]byte, 16)
	for i := range 16 {
		wg.Go(func() {
			outs[i], errs[i] = r.Render(context.Background(), smallDOT(100+i), OutputSVG)
		})
	}
	wg.Wait()
	for i := range 16 {
		if errs[i] != nil {
			t.Errorf("render %d: %v", i, errs[i])
			continue
		}
		if texts := parseSVG(t, outs[i]); !slices.Contains(texts, "a"+strconv.Itoa(100+i)) {
			t.Errorf("render %d drew %q: another request's answer?", i, texts)
		}
	}
	if s := r.Stats(); s.Renders != 16 {
		t.Errorf("stats %+v: want 16 renders", s)
	}
}

func TestRendererSingleflightAndCache(t *testing.T) {
	cfg := testRendererConfig()
	cfg.Workers = 2
	r := newTestRenderer(t, cfg)
	dot := smallDOT(7)
	const n = 16
	var wg sync.WaitGroup
	gate := make(chan struct{})
	outs := make([][]byte, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			<-gate
			outs[i], errs[i] = r.Render(context.Background(), dot, OutputSVG)
		})
	}
	close(gate)
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("render %d: %v", i, errs[i])
		}
		if !bytes.Equal(outs[i], outs[0]) {
			t.Fatalf("render %d differs from render 0", i)
		}
	}
	if s := r.Stats(); s.Renders != 1 {
		t.Errorf("%d identical requests made %d layouts, want 1 (%+v)", n, s.Renders, s)
	}
	if _, err := r.Render(context.Background(), dot, OutputSVG); err != nil {
		t.Fatal(err)
	}
	if s := r.Stats(); s.Renders != 1 || s.CacheHits < 1 {
		t.Errorf("a repeated request was not served from the cache: %+v", s)
	}
	if _, err := r.Render(context.Background(), dot, OutputLaidOutDOT); err != nil {
		t.Fatal(err)
	}
	if s := r.Stats(); s.Renders != 2 {
		t.Errorf("another format must be another layout: %+v", s)
	}
}

func TestRendererQueueFull(t *testing.T) {
	if testing.Short() {
		t.Skip("starts worker processes")
	}
	cfg := testRendererConfig()
	cfg.Workers = 1
	cfg.QueueSize = 1
	cfg.Timeout = 2 * time.Second
	r := newTestRenderer(t, cfg)
	if _, err := r.Render(context.Background(), smallDOT(0), OutputSVG); err != nil {
		t.Fatal(err)
	}
	// One slow layout holds the worker, one waits in the queue; the third
	// distinct request finds no room.
	var wg sync.WaitGroup
	for i := range 2 {
		wg.Go(func() { _, _ = r.Render(context.Background(), slowDOT(uint64(10+i)), OutputSVG) })
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(r.slots) < 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	_, err := r.Render(context.Background(), smallDOT(9), OutputSVG)
	if topology.ErrorCode(err) != topology.EUNAVAILABLE {
		t.Errorf("third request: got %v, want EUNAVAILABLE", err)
	}
	wg.Wait()
	if s := r.Stats(); s.Rejected != 1 {
		t.Errorf("stats %+v: want 1 rejected", s)
	}
}

func TestRendererCallerGivesUp(t *testing.T) {
	cfg := testRendererConfig()
	cfg.Workers = 1
	r := newTestRenderer(t, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := r.Render(ctx, smallDOT(11), OutputSVG); err != context.Canceled {
		t.Fatalf("cancelled caller: got %v", err)
	}
	// The layout went on for the cache.
	deadline := time.Now().Add(20 * time.Second)
	for r.Stats().Renders < 1 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := r.Render(context.Background(), smallDOT(11), OutputSVG); err != nil {
		t.Fatal(err)
	}
	if s := r.Stats(); s.Renders != 1 {
		t.Errorf("stats %+v: the abandoned layout should have filled the cache", s)
	}
}

func TestRendererRecyclesWorkers(t *testing.T) {
	tests := []struct {
		name string
		cfg  func(*RendererConfig)
		want int64 // workers recycled by 4 renders
	}{
		{"after N renders", func(c *RendererConfig) { c.MaxRendersPerWorker = 2 }, 2},
		{"past the memory bound", func(c *RendererConfig) { c.MaxWorkerRSS = 1 }, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testRendererConfig()
			cfg.Workers = 1
			tt.cfg(&cfg)
			r := newTestRenderer(t, cfg)
			for i := range 4 {
				if _, err := r.Render(context.Background(), smallDOT(200+i), OutputSVG); err != nil {
					t.Fatalf("render %d: %v", i, err)
				}
			}
			if s := r.Stats(); s.Recycled != tt.want {
				t.Errorf("stats %+v: want %d recycled", s, tt.want)
			}
		})
	}
}

func TestRendererWorkerCannotStart(t *testing.T) {
	r := newTestRenderer(t, RendererConfig{Command: []string{"/nonexistent/archmap", "render-worker"}, Workers: 1})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := r.Render(ctx, smallDOT(1), OutputSVG)
	if err == nil || ctx.Err() != nil {
		t.Fatalf("got %v (ctx %v), want a prompt error", err, ctx.Err())
	}
	if topology.ErrorCode(err) != topology.EINTERNAL {
		t.Errorf("code %q, want internal", topology.ErrorCode(err))
	}
}

func TestRendererClose(t *testing.T) {
	cfg := testRendererConfig()
	cfg.Workers = 2
	r, err := NewRenderer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Render(context.Background(), smallDOT(1), OutputSVG); err != nil {
		t.Fatal(err)
	}
	r.Close()
	if pids := childPIDs(t); len(pids) != 0 {
		t.Errorf("worker processes %v left after Close", pids)
	}
	if _, err := r.Render(context.Background(), smallDOT(2), OutputSVG); err == nil {
		t.Error("Render after Close succeeded")
	}
}

// childPIDs lists this process's live child processes.
func childPIDs(tb testing.TB) []int {
	tb.Helper()
	ents, err := os.ReadDir("/proc")
	if err != nil {
		tb.Skip("no /proc to look for worker processes")
	}
	me := strconv.Itoa(os.Getpid())
	var pids []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/status")
		if err != nil {
			continue
		}
		var ppid, state string
		for line := range strings.SplitSeq(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "PPid:"); ok {
				ppid = strings.TrimSpace(v)
			}
			if v, ok := strings.CutPrefix(line, "State:"); ok {
				state = strings.TrimSpace(v)
			}
		}
		if ppid == me && !strings.HasPrefix(state, "Z") {
			pids = append(pids, pid)
		}
	}
	return pids
}

func TestLRUCache(t *testing.T) {
	c := newLRUCache(8 * (entryOverhead + 1 + 10))
	val := func(s string) []byte { return []byte(s + strings.Repeat(".", 10-len(s))) }
	for _, k := range []string{"a", "b", "c", "d", "e", "f", "g", "h"} {
		c.add(k, val(k))
	}
	if _, ok := c.get("a"); !ok {
		t.Fatal("a missing from a cache that has room for it")
	}
	c.add("i", val("i")) // evicts b, the least recently used now
	if _, ok := c.get("b"); ok {
		t.Error("b survived eviction")
	}
	for _, k := range []string{"a", "c", "i"} {
		if v, ok := c.get(k); !ok || !bytes.Equal(v, val(k)) {
			t.Errorf("get(%q) = %q, %v", k, v, ok)
		}
	}
	c.add("big", make([]byte, 1000)) // over an eighth of the cache: not kept
	if _, ok := c.get("big"); ok {
		t.Error("an oversized value was cached")
	}
	if c.size > c.limit {
		t.Errorf("size %d over limit %d", c.size, c.limit)
	}
	off := newLRUCache(-1)
	off.add("x", []byte("y"))
	if _, ok := off.get("x"); ok {
		t.Error("a disabled cache returned a value")
	}
}

// Renders of low priority (anonymous share traffic) never hold the last
// worker: a normal render stays fast while they ask for layouts that time
// out, one after another, replacements of killed workers included.
func TestRendererLowPriorityLeavesAWorker(t *testing.T) {
	if testing.Short() {
		t.Skip("starts worker processes")
	}
	cfg := testRendererConfig()
	cfg.Workers = 2
	cfg.Timeout = 3 * time.Second
	r := newTestRenderer(t, cfg)
	for i := range 2 { // both workers up
		if _, err := r.Render(context.Background(), smallDOT(100+i), OutputSVG); err != nil {
			t.Fatal(err)
		}
	}
	low := WithLowPriority(context.Background())
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var seed atomic.Uint64
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				_, err := r.Render(low, slowDOT(1000+seed.Add(1)), OutputSVG)
				if c := topology.ErrorCode(err); c != topology.ETIMEOUT && c != topology.EUNAVAILABLE {
					t.Errorf("slow low-priority layout: %v", err)
				}
				if topology.ErrorCode(err) == topology.EUNAVAILABLE {
					time.Sleep(50 * time.Millisecond)
				}
			}
		})
	}
	// Until they stop, the low renders keep one worker busy or restarting.
	deadline := time.Now().Add(2 * cfg.Timeout)
	var worst time.Duration
	for i := 0; time.Now().Before(deadline); i++ {
		start := time.Now()
		if _, err := r.Render(context.Background(), smallDOT(200+i), OutputSVG); err != nil {
			t.Fatalf("normal render beside low-priority traffic: %v", err)
		}
		worst = max(worst, time.Since(start))
		time.Sleep(100 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	if s := r.Stats(); s.Timeouts < 2 {
		t.Fatalf("stats %+v: the low-priority traffic timed out %d times, want it to keep a worker busy", s, s.Timeouts)
	}
	// Without the reservation a normal render waits for a layout to hit
	// its time limit and a new worker to start (3.4 s measured); with it,
	// under 0.1 s, 0.6 s under the race detector on a loaded machine.
	if worst >= 2*cfg.Timeout/3 {
		t.Errorf("a normal render took %s beside low-priority traffic, want well under the %s a layout may take", worst, cfg.Timeout)
	}
	t.Logf("slowest normal render beside low-priority timeouts: %s", worst)
}
