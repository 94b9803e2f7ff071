package diagram

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sync"

	"github.com/goccy/go-graphviz"

	"github.com/archmap/archmap/topology"
)

// Graphviz's outputs a Renderer (and RenderLocal) produce from DOT.
const (
	OutputSVG = "svg"
	// OutputLaidOutDOT is Graphviz's "dot" output: the DOT with the
	// layout's positions added. (The DOT export, ExportDOT, is the source,
	// not this.)
	OutputLaidOutDOT = "dot"
)

func checkOutput(output string) error {
	switch output {
	case OutputSVG, OutputLaidOutDOT:
		return nil
	}
	return topology.Errorf(topology.EINVALID, "unknown Graphviz output %q: want svg or dot", output)
}

// noFiles is an empty file system: Graphviz reads files named in a graph
// (image=, shapefile=, fontpath…), and by default go-graphviz lets it read
// the host's; the DOT we render never names one, so it gets none.
var noFiles embed.FS

// The go-graphviz module is one WebAssembly instance per process: not safe
// for concurrent use, and it cannot be interrupted. local serialises this
// process's use of it. Servers render in worker processes (Renderer); the
// CLI, rendering once, uses it directly (RenderLocal).
var local struct {
	sync.Mutex
	gv  *graphviz.Graphviz
	err error
}

// RenderLocal lays out DOT with the Graphviz of this process. It cannot be
// stopped once started, so a server must not call it: use a Renderer.
func RenderLocal(ctx context.Context, dot []byte, format string) ([]byte, error) {
	if err := checkOutput(format); err != nil {
		return nil, err
	}
	local.Lock()
	defer local.Unlock()
	if err := startLocal(ctx); err != nil {
		return nil, err
	}
	return renderWith(ctx, local.gv, dot, format)
}

// WarmLocal starts the Graphviz of this process and lays out a two-node
// graph, which a first RenderLocal would otherwise do: about 10 ms that a
// command can spend on another core while it reads its model (the first
// layout of a 300-service diagram then takes 32 ms instead of 43).
func WarmLocal(ctx context.Context) {
	local.Lock()
	defer local.Unlock()
	if startLocal(ctx) == nil {
		_, _ = renderWith(ctx, local.gv, []byte("digraph warmup { a -> b }"), OutputSVG)
	}
}

// startLocal starts the Graphviz of this process once; local is locked.
func startLocal(ctx context.Context) error {
	if local.gv == nil && local.err == nil {
		local.gv, local.err = startGraphviz(ctx)
	}
	if local.err != nil {
		return fmt.Errorf("diagram: start graphviz: %w", local.err)
	}
	return nil
}

// startGraphviz starts this process's Graphviz. The go-graphviz copy under
// third_party starts its WebAssembly here, not in a package init, so the
// commands that do not draw never pay for it (README, "Graphviz").
// Compiling Graphviz's WebAssembly takes about 0.8 s and 60 MB; wazero keeps
// the compiled code in a directory that the next process loads in a tenth
// of that. The directory is the user's cache (~/.cache/archmap/graphviz),
// else $TMPDIR/go-graphviz; when neither can be written every start
// compiles, and stderr says why.
func startGraphviz(ctx context.Context) (*graphviz.Graphviz, error) {
	graphviz.SetCompilationCacheDir(compilationCacheDir())
	graphviz.SetFileSystem(noFiles)
	gv, err := graphviz.New(ctx)
	if err != nil {
		return nil, err
	}
	if p := graphviz.CompilationCacheProblem(); p != nil {
		fmt.Fprintf(os.Stderr, "archmap: Graphviz has nowhere to keep its compiled code (%v), so every start compiles it (about 0.8 s): make $XDG_CACHE_HOME, $HOME/.cache or $TMPDIR writable\n", p)
	}
	return gv, nil
}

// compilationCacheDir picks where Graphviz's compiled code is kept: the
// user's cache directory when it can be written, else the temporary one.
func compilationCacheDir() string {
	if dir, err := os.UserCacheDir(); err == nil {
		dir = filepath.Join(dir, "archmap", "graphviz")
		if os.MkdirAll(dir, 0o700) == nil && writable(dir) {
			return dir
		}
	}
	return filepath.Join(os.TempDir(), "go-graphviz")
}

func writable(dir string) bool {
	f, err := os.CreateTemp(dir, ".probe-*")
	if err != nil {
		return false
	}
	f.Close()
	os.Remove(f.Name())
	return true
}

// renderWith lays out one graph. Graphviz reports bad DOT as an error, and
// the WebAssembly runtime turns a crash inside Graphviz into a panic, which
// is returned as an error too; after a panic the instance must not be used
// again (the worker exits).
func renderWith(ctx context.Context, gv *graphviz.Graphviz, dot []byte, format string) (out []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &crashError{fmt.Sprint(r)}
		}
	}()
	defer pauseGC()()
	g, err := graphviz.ParseBytes(dot)
	if err != nil {
		return nil, topology.Errorf(topology.EINVALID, "graphviz cannot read the diagram: %v", err)
	}
	defer g.Close()
	var buf bytes.Buffer
	if err := gv.Render(ctx, g, graphviz.Format(format), &buf); err != nil {
		return nil, fmt.Errorf("diagram: graphviz: %w", err)
	}
	return buf.Bytes(), nil
}

// pauseGC stops Go's garbage collector until the returned func is called,
// unless the heap grows by more than layoutHeapBound meanwhile. A collection
// that starts while Graphviz's WebAssembly code runs makes that layout two to
// three times slower (the 300-service services view: 13 ms warm, 38 ms when a
// collection ran during it), and a layout allocates little on the Go heap
// beyond Graphviz's own memory when it grows. The bound keeps a huge layout,
// whose memory is mostly that, from growing the heap without limit.
func pauseGC() (resume func()) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	limit := debug.SetMemoryLimit(-1)
	percent := debug.SetGCPercent(-1)
	debug.SetMemoryLimit(min(limit, int64(ms.HeapSys+ms.StackSys)+layoutHeapBound))
	return func() {
		debug.SetGCPercent(percent)
		debug.SetMemoryLimit(limit)
	}
}

// layoutHeapBound is how much the heap may grow during a layout before the
// collector runs again: a few times the memory of a 300-service layout.
const layoutHeapBound = 256 << 20

// crashError is a panic inside Graphviz: the instance is now unusable.
type crashError struct{ msg string }

func (e *crashError) Error() string { return "diagram: graphviz crashed: " + e.msg }
