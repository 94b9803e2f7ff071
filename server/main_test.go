package server

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"
	"testing"

	"github.com/archmap/archmap/auth"
	"github.com/archmap/archmap/diagram"
)

// workerEnv makes the test binary a render worker: TestMain serves the
// worker protocol instead of running tests when it is set, so the tests
// render with real Graphviz in real worker processes, as the server does.
const workerEnv = "ARCHMAP_TEST_RENDER_WORKER"

func TestMain(m *testing.M) {
	if os.Getenv(workerEnv) == "1" {
		if err := diagram.ServeWorker(context.Background(), os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "test render worker:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	code := m.Run()
	if testRenderer != nil {
		testRenderer.Close()
	}
	os.Exit(code)
}

// testPasswords is the hasher of every test server: every test signs in,
// and at the production cost (64 MiB, seconds under the race detector)
// hashing would dominate the run. The code path is the same.
var testPasswords = auth.Hasher{Params: auth.TestParams()}

// testRenderer is shared by every test server of the package: starting
// Graphviz workers is the slow part, and the renderer is safe for
// concurrent use.
var (
	testRenderer     *diagram.Renderer
	testRendererOnce sync.Once
	testRendererErr  error
)

func sharedRenderer(tb testing.TB) *diagram.Renderer {
	tb.Helper()
	testRendererOnce.Do(func() {
		testRenderer, testRendererErr = diagram.NewRenderer(diagram.RendererConfig{
			Command: []string{os.Args[0]},
			Env:     []string{workerEnv + "=1"},
			Workers: 2,
			Stderr:  io.Discard,
		})
	})
	if testRendererErr != nil {
		tb.Fatalf("start the renderer: %v", testRendererErr)
	}
	return testRenderer
}
