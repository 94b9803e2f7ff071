package diagram

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"testing"
)

// workerEnv makes the test binary a render worker: TestMain serves the
// worker protocol instead of running tests when it is set, so the pool is
// tested with real processes running the real ServeWorker.
const workerEnv = "ARCHMAP_TEST_RENDER_WORKER"

func TestMain(m *testing.M) {
	if os.Getenv(workerEnv) == "1" {
		if err := ServeWorker(context.Background(), os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "test render worker:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// testRendererConfig runs workers from the test binary.
func testRendererConfig() RendererConfig {
	return RendererConfig{
		Command: []string{os.Args[0]},
		Env:     []string{workerEnv + "=1"},
		Stderr:  io.Discard,
	}
}

func newTestRenderer(tb testing.TB, cfg RendererConfig) *Renderer {
	tb.Helper()
	r, err := NewRenderer(cfg)
	if err != nil {
		tb.Fatalf("NewRenderer: %v", err)
	}
	tb.Cleanup(func() { r.Close() })
	return r
}

// slowDOT is a graph dot needs minutes for, for real: a random digraph whose
// edges all carry labels. Random edges make long rank spans, labels turn
// each span into a chain of virtual nodes, and spline routing is then slow.
func slowDOT(seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, 1))
	var b bytes.Buffer
	b.WriteString("digraph slow {\n")
	const n = 300
	for range 2 * n {
		fmt.Fprintf(&b, "n%d -> n%d [label=\"call\"];\n", rng.IntN(n), rng.IntN(n))
	}
	b.WriteString("}\n")
	return b.Bytes()
}

// smallDOT is a quick graph; i makes each one different.
func smallDOT(i int) []byte {
	return fmt.Appendf(nil, "digraph g%d {\n a%d -> b -> c;\n a%d -> c [label=\"x%d\"];\n}\n", i, i, i, i)
}

// parseSVG checks that svg is well-formed XML with an <svg> root and returns
// every text content of <text> elements, in order.
func parseSVG(tb testing.TB, svg []byte) []string {
	tb.Helper()
	d := xml.NewDecoder(bytes.NewReader(svg))
	d.Strict = true
	var texts []string
	var inText bool
	var cur bytes.Buffer
	root := ""
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			tb.Fatalf("SVG is not well-formed XML: %v\n%s", err, head(svg))
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if root == "" {
				root = t.Name.Local
			}
			if t.Name.Local == "text" {
				inText = true
				cur.Reset()
			}
		case xml.CharData:
			if inText {
				cur.Write(t)
			}
		case xml.EndElement:
			if t.Name.Local == "text" {
				inText = false
				texts = append(texts, cur.String())
			}
		}
	}
	if root != "svg" {
		tb.Fatalf("root element is <%s>, want <svg>", root)
	}
	return texts
}

func head(b []byte) []byte {
	if len(b) > 600 {
		return b[:600]
	}
	return b
}
