package diagram

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/archmap/archmap/topology"
)

// RendererConfig configures a Renderer; zero fields take their defaults.
type RendererConfig struct {
	// Command is the worker's argv. Default: this executable with the
	// argument "render-worker" (archmap's hidden subcommand).
	Command []string
	// Env is added to this process's environment for the workers.
	Env []string
	// Workers is the number of worker processes. Default: the number of
	// CPUs, at most 4.
	Workers int
	// Timeout bounds one layout. Past it the worker is killed and replaced,
	// and the caller gets an ETIMEOUT error. Default 10s.
	Timeout time.Duration
	// MaxRendersPerWorker retires a worker after that many layouts (Graphviz
	// in WebAssembly never gives memory back). Default 200.
	MaxRendersPerWorker int
	// MaxWorkerRSS retires a worker whose resident memory passed that many
	// bytes after a layout. Default 1 GiB.
	MaxWorkerRSS int64
	// QueueSize is how many renders may wait for a worker; more get an
	// EUNAVAILABLE error. Default 4 per worker.
	QueueSize int
	// CacheBytes bounds the cache of rendered output. Default 64 MiB;
	// negative disables the cache.
	CacheBytes int64
	// LowPriorityWorkers is how many workers renders of low priority (see
	// WithLowPriority) may hold at once, the worker's replacement after a
	// timeout included. Default Workers-1 (at least 1), so that with two
	// or more workers one is always left for the others.
	LowPriorityWorkers int
	// Stderr receives the workers' standard error. Default os.Stderr.
	Stderr io.Writer
}

// Default limits.
const (
	DefaultTimeout             = 10 * time.Second
	DefaultMaxRendersPerWorker = 200
	DefaultMaxWorkerRSS        = 1 << 30
	DefaultCacheBytes          = 64 << 20
	// workerStartTimeout bounds a worker's start: process, Graphviz
	// (WebAssembly compiled or loaded from wazero's cache) and warm-up.
	workerStartTimeout = 30 * time.Second
)

// Renderer lays out DOT in a pool of worker processes and caches the
// output. It is safe for concurrent use.
//
// Graphviz runs out of process because go-graphviz's WebAssembly module is
// one per process, not safe for concurrent use and impossible to interrupt:
// a worker that runs past the time limit is killed, which is the only way to
// stop it, and the memory a huge layout took goes away with its worker.
type Renderer struct {
	cfg   RendererConfig
	idle  chan *worker  // ready workers, and tokens of workers that failed to start
	slots chan struct{} // renders running or waiting: Workers + QueueSize
	// Low-priority renders first take one of lowSlots (running or
	// waiting: LowPriorityWorkers + QueueSize), then one of lowRun
	// (LowPriorityWorkers), which goes back only when their worker, or
	// its replacement, is back in the pool.
	lowSlots chan struct{}
	lowRun   chan struct{}
	cache    *lruCache
	flight   singleflight.Group
	closed   chan struct{}
	once     sync.Once
	procs    sync.WaitGroup // worker processes not yet reaped
	// mu orders every procs.Add before Close's procs.Wait: once stopping
	// is set no process starts, so Close cannot return with one running.
	mu       sync.Mutex
	stopping bool

	renders, hits, timeouts, starts, rejected, recycled atomic.Int64
}

// RendererStats are counters since the renderer started.
type RendererStats struct {
	Renders   int64 // layouts done by workers (cache misses that succeeded)
	CacheHits int64
	Timeouts  int64 // layouts stopped at the time limit
	Restarts  int64 // workers started to replace one that was retired, killed or died
	Rejected  int64 // renders refused because the queue was full
	Recycled  int64 // workers retired after MaxRendersPerWorker layouts or past MaxWorkerRSS
}

// NewRenderer starts the workers (without waiting for them) and returns the
// renderer. Close it to stop them.
func NewRenderer(cfg RendererConfig) (*Renderer, error) {
	if len(cfg.Command) == 0 {
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("diagram: find the render worker: %w", err)
		}
		cfg.Command = []string{exe, "render-worker"}
	}
	if cfg.Workers <= 0 {
		cfg.Workers = min(runtime.NumCPU(), 4)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxRendersPerWorker <= 0 {
		cfg.MaxRendersPerWorker = DefaultMaxRendersPerWorker
	}
	if cfg.MaxWorkerRSS <= 0 {
		cfg.MaxWorkerRSS = DefaultMaxWorkerRSS
	}
	if cfg.QueueSize <= 0 {
		cfg.QueueSize = 4 * cfg.Workers
	}
	if cfg.CacheBytes == 0 {
		cfg.CacheBytes = DefaultCacheBytes
	}
	if cfg.Stderr == nil {
		cfg.Stderr = os.Stderr
	}
	if cfg.LowPriorityWorkers <= 0 || cfg.LowPriorityWorkers > cfg.Workers {
		cfg.LowPriorityWorkers = max(1, cfg.Workers-1)
	}
	r := &Renderer{
		cfg:      cfg,
		idle:     make(chan *worker, cfg.Workers),
		slots:    make(chan struct{}, cfg.Workers+cfg.QueueSize),
		lowSlots: make(chan struct{}, cfg.LowPriorityWorkers+cfg.QueueSize),
		lowRun:   make(chan struct{}, cfg.LowPriorityWorkers),
		cache:    newLRUCache(cfg.CacheBytes),
		closed:   make(chan struct{}),
	}
	for range cfg.Workers {
		go r.replace(0, nil)
	}
	return r, nil
}

// Render returns the output of laying out dot in format (OutputSVG or
// OutputLaidOutDOT). Identical requests share one layout and its cached
// result; the returned slice is shared and must not be modified.
//
// ctx bounds the wait, not the layout: a caller that gives up leaves the
// layout running (up to the time limit) for the cache and for other callers
// of the same diagram. Errors are *topology.Error for ETIMEOUT (the layout
// was stopped at the time limit), EUNAVAILABLE (the queue is full; try again
// shortly), EINVALID (Graphviz cannot read the DOT) and ETOOLARGE; anything
// else is internal.
func (r *Renderer) Render(ctx context.Context, dot []byte, format string) ([]byte, error) {
	if err := checkOutput(format); err != nil {
		return nil, err
	}
	if len(dot) > MaxDOTSize {
		return nil, topology.Errorf(topology.ETOOLARGE, "the diagram is too large to lay out (%d MiB of DOT, at most %d)", len(dot)>>20, MaxDOTSize>>20)
	}
	key := cacheKey(dot, format)
	if out, ok := r.cache.get(key); ok {
		r.hits.Add(1)
		return out, nil
	}
	low := IsLowPriority(ctx)
	ch := r.flight.DoChan(key, func() (any, error) {
		// Another flight may have filled the cache between our look-up and
		// this flight's start.
		if out, ok := r.cache.get(key); ok {
			r.hits.Add(1)
			return out, nil
		}
		out, err := r.layout(dot, format, low)
		if err == nil {
			r.cache.add(key, out)
		}
		return out, err
	})
	select {
	case res := <-ch:
		if res.Err != nil {
			return nil, res.Err
		}
		return res.Val.([]byte), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Stats returns the renderer's counters.
func (r *Renderer) Stats() RendererStats {
	return RendererStats{
		Renders:   r.renders.Load(),
		CacheHits: r.hits.Load(),
		Timeouts:  r.timeouts.Load(),
		Restarts:  max(0, r.starts.Load()-int64(r.cfg.Workers)),
		Rejected:  r.rejected.Load(),
		Recycled:  r.recycled.Load(),
	}
}

// Close stops the workers: idle ones at once, busy ones when their layout
// ends or is killed. It waits for every worker process to exit.
func (r *Renderer) Close() error {
	r.once.Do(func() {
		r.mu.Lock()
		r.stopping = true
		r.mu.Unlock()
		close(r.closed)
		for {
			select {
			case w := <-r.idle:
				w.stop()
				continue
			default:
			}
			break
		}
	})
	r.procs.Wait()
	return nil
}

var errClosed = errors.New("diagram: renderer closed")

// layout runs one layout on a worker: it waits for a queue slot and a
// worker, sends the request, and kills the worker at the time limit. A
// low-priority layout first waits for one of the workers it may hold.
func (r *Renderer) layout(dot []byte, format string, low bool) ([]byte, error) {
	back := func() {} // called when the worker is back in the pool
	if low {
		select {
		case r.lowSlots <- struct{}{}:
			defer func() { <-r.lowSlots }()
		default:
			r.rejected.Add(1)
			return nil, topology.Errorf(topology.EUNAVAILABLE, "all diagram renderers are busy; try again in a few seconds")
		}
		select {
		case r.lowRun <- struct{}{}:
			back = func() { <-r.lowRun }
		case <-r.closed:
			return nil, errClosed
		}
	}
	select {
	case r.slots <- struct{}{}:
		defer func() { <-r.slots }()
	default:
		back()
		r.rejected.Add(1)
		return nil, topology.Errorf(topology.EUNAVAILABLE, "all diagram renderers are busy; try again in a few seconds")
	}
	var w *worker
	select {
	case w = <-r.idle:
	case <-r.closed:
		back()
		return nil, errClosed
	}
	if w.err != nil {
		// A token of a worker that failed to start: try again, slowly, and
		// tell this caller.
		go r.replace(time.Second, back)
		return nil, fmt.Errorf("diagram: start render worker: %w", w.err)
	}

	type result struct {
		status byte
		body   []byte
		err    error
	}
	done := make(chan result, 1)
	go func() {
		if err := writeFrame(w.in, append(append([]byte(format), '\n'), dot...)); err != nil {
			done <- result{err: err}
			return
		}
		res, err := readFrame(w.out, maxOutputSize)
		if err == nil && len(res) == 0 {
			err = errors.New("empty answer")
		}
		if err != nil {
			done <- result{err: err}
			return
		}
		done <- result{status: res[0], body: res[1:]}
	}()
	timer := time.NewTimer(r.cfg.Timeout)
	defer timer.Stop()
	select {
	case res := <-done:
		switch {
		case res.err != nil:
			w.kill()
			go r.replace(0, back)
			return nil, fmt.Errorf("diagram: render worker %d failed: %w", w.pid, res.err)
		case res.status == statusOK:
			r.renders.Add(1)
			r.release(w, back)
			return res.body, nil
		case res.status == statusError:
			r.release(w, back)
			return nil, topology.Errorf(topology.EINVALID, "%s", res.body)
		default: // statusCrash, or nonsense
			w.kill()
			go r.replace(0, back)
			return nil, fmt.Errorf("diagram: render worker %d: %s", w.pid, res.body)
		}
	case <-timer.C:
		r.timeouts.Add(1)
		w.kill()
		<-done // the pipes closed with the process
		// The worker's replacement takes a while to start; until it is
		// in the pool it counts as held by this caller's priority.
		go r.replace(0, back)
		return nil, topology.Errorf(topology.ETIMEOUT, "the diagram took longer than %s to lay out and was stopped; try a focus or grouped view", r.cfg.Timeout)
	}
}

// release returns a worker to the pool, or retires it when it has done its
// share of layouts or grown too big; then (if not nil) runs once the pool
// has a worker in its place.
func (r *Renderer) release(w *worker, then func()) {
	w.renders++
	select {
	case <-r.closed:
		w.stop()
		runThen(then)
		return
	default:
	}
	if w.renders >= r.cfg.MaxRendersPerWorker || w.rss() > r.cfg.MaxWorkerRSS {
		r.recycled.Add(1)
		w.stop()
		go r.replace(0, then)
		return
	}
	r.idle <- w
	runThen(then)
}

func runThen(then func()) {
	if then != nil {
		then()
	}
}

// replace starts a worker after delay and puts it (or the token of its
// failure) into the pool, then runs then (if not nil). Every worker that
// leaves the pool is replaced once, so the pool always holds Workers
// workers or tokens.
func (r *Renderer) replace(delay time.Duration, then func()) {
	defer runThen(then)
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.closed:
			return
		}
	}
	select {
	case <-r.closed:
		return
	default:
	}
	w := r.start()
	select {
	case <-r.closed:
		w.stop()
		return
	default:
	}
	r.idle <- w
}

// start runs one worker process and waits until it is ready.
func (r *Renderer) start() *worker {
	r.starts.Add(1)
	// Plain pipes rather than cmd.StdinPipe/StdoutPipe: those are closed by
	// cmd.Wait as soon as the process exits, which could lose its last answer.
	inR, inW, err := os.Pipe()
	if err != nil {
		return &worker{err: err}
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		inR.Close()
		inW.Close()
		return &worker{err: err}
	}
	cmd := exec.Command(r.cfg.Command[0], r.cfg.Command[1:]...)
	cmd.Env = append(os.Environ(), r.cfg.Env...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = inR, outW, r.cfg.Stderr
	r.mu.Lock()
	if r.stopping {
		r.mu.Unlock()
		for _, f := range []*os.File{inR, inW, outR, outW} {
			f.Close()
		}
		return &worker{err: errClosed}
	}
	r.procs.Add(1)
	r.mu.Unlock()
	err = cmd.Start()
	inR.Close()
	outW.Close()
	if err != nil {
		r.procs.Done()
		inW.Close()
		outR.Close()
		return &worker{err: err}
	}
	w := &worker{
		cmd:    cmd,
		pid:    cmd.Process.Pid,
		in:     bufio.NewWriterSize(inW, 64<<10),
		stdin:  inW,
		stdout: outR,
		out:    bufio.NewReaderSize(outR, 256<<10),
		exited: make(chan struct{}),
	}
	go func() {
		_ = cmd.Wait()
		close(w.exited)
		r.procs.Done()
	}()
	ready := make(chan error, 1)
	go func() {
		f, err := readFrame(w.out, 16)
		if err == nil && (len(f) != 1 || f[0] != statusReady) {
			err = fmt.Errorf("unexpected first answer %q", f)
		}
		ready <- err
	}()
	select {
	case err = <-ready:
	case <-time.After(workerStartTimeout):
		err = fmt.Errorf("not ready after %s", workerStartTimeout)
	}
	if err != nil {
		w.kill()
		return &worker{err: fmt.Errorf("%s: %w", r.cfg.Command[0], err)}
	}
	return w
}

// worker is one worker process, or (err set) the failure to start one.
type worker struct {
	cmd     *exec.Cmd
	pid     int
	in      *bufio.Writer
	stdin   io.Closer
	stdout  io.Closer
	out     *bufio.Reader
	exited  chan struct{}
	renders int
	err     error
}

// stop ends a worker politely: its stdin closes and it exits; it is killed
// if it has not within a second.
func (w *worker) stop() {
	if w.cmd == nil {
		return
	}
	_ = w.stdin.Close()
	select {
	case <-w.exited:
		_ = w.stdout.Close()
	case <-time.After(time.Second):
		w.kill()
	}
}

// kill ends a worker at once and waits for it to be reaped.
func (w *worker) kill() {
	if w.cmd == nil {
		return
	}
	_ = w.cmd.Process.Kill()
	_ = w.stdin.Close()
	<-w.exited
	_ = w.stdout.Close()
}

// rss returns the worker's resident memory in bytes, or 0 where /proc does
// not tell.
func (w *worker) rss() int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(w.pid) + "/status")
	if err != nil {
		return 0
	}
	for line := range bytes.SplitSeq(b, []byte("\n")) {
		if v, ok := bytes.CutPrefix(line, []byte("VmRSS:")); ok {
			f := bytes.Fields(v)
			if len(f) >= 1 {
				kb, err := strconv.ParseInt(string(f[0]), 10, 64)
				if err == nil {
					return kb << 10
				}
			}
		}
	}
	return 0
}

// cacheKey hashes what decides an output: the format and the DOT.
func cacheKey(dot []byte, format string) string {
	h := sha256.New()
	h.Write([]byte(format))
	h.Write([]byte{0})
	h.Write(dot)
	return string(h.Sum(nil))
}

type lowPriorityKey struct{}

// WithLowPriority marks the renders of ctx as low priority: they hold at
// most RendererConfig.LowPriorityWorkers workers, so that traffic nobody
// signed in for (share links) cannot take every worker from the users of
// the app, however many slow layouts it asks for.
func WithLowPriority(ctx context.Context) context.Context {
	return context.WithValue(ctx, lowPriorityKey{}, true)
}

// IsLowPriority reports whether ctx was marked by WithLowPriority.
func IsLowPriority(ctx context.Context) bool {
	low, _ := ctx.Value(lowPriorityKey{}).(bool)
	return low
}
