package wasm

// This file is not in upstream go-graphviz v0.2.10: it is the patch that
// makes the WebAssembly start lazy (see ../../PATCHES.md). Upstream
// instantiates Graphviz in this package's init, so every program that links
// go-graphviz pays for it at start, whether it draws or not.

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

var (
	startOnce sync.Once
	startErr  error
	// onStart are the init functions of the packages above this one
	// (cgraph, gvc, graphviz), run in init order after instantiate.
	onStart []func() error

	started   bool  // guarded by fsMu
	pendingFS fs.FS // SetWasmFileSystem before Start; guarded by fsMu

	cacheDirMu   sync.Mutex
	cacheDirSet  bool
	cacheDirPath string
	cacheProblem error // why Start ran without a compilation cache
)

// OnStart registers f to run once Graphviz is instantiated. Only package
// init functions call it, so it needs no lock.
func OnStart(f func() error) { onStart = append(onStart, f) }

// Start instantiates Graphviz once: compiles the WebAssembly (or loads it
// from the compilation cache) and runs the OnStart functions. Every entry
// point that needs Graphviz calls it; its error is sticky.
func Start() error {
	startOnce.Do(func() {
		defer func() {
			if r := recover(); r != nil {
				startErr = fmt.Errorf("graphviz: start: %v", r)
			}
		}()
		instantiate()
		fsMu.Lock()
		started = true
		if pendingFS != nil {
			mod.fs.subFS = pendingFS
		}
		fsMu.Unlock()
		for _, f := range onStart {
			if err := f(); err != nil {
				startErr = err
				return
			}
		}
	})
	return startErr
}

// SetCompilationCacheDir chooses where the compiled code is kept between
// processes; "" means none. Without a call, $TMPDIR/go-graphviz as upstream.
// It must be called before Start.
func SetCompilationCacheDir(dir string) {
	cacheDirMu.Lock()
	defer cacheDirMu.Unlock()
	cacheDirSet, cacheDirPath = true, dir
}

// CompilationCacheProblem says why Start ran without a compilation cache
// (so compiled the WebAssembly, about 0.8 s), or nil when it had one.
func CompilationCacheProblem() error { return cacheProblem }

func cacheDir() (string, error) {
	cacheDirMu.Lock()
	set, dir := cacheDirSet, cacheDirPath
	cacheDirMu.Unlock()
	if !set {
		tmp := os.TempDir()
		if tmp == "" {
			return "", errors.New("no temporary directory")
		}
		dir = filepath.Join(tmp, "go-graphviz")
	}
	if dir == "" {
		return "", errors.New("no compilation cache directory was chosen")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	// wazero only finds out that it cannot write when it stores the
	// compiled code, and then silently keeps nothing: try it now.
	f, err := os.CreateTemp(dir, ".probe-*")
	if err != nil {
		return "", err
	}
	f.Close()
	os.Remove(f.Name())
	return dir, nil
}
