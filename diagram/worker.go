package diagram

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/goccy/go-graphviz"
)

// The worker protocol, over the worker's stdin and stdout. Every message is
// a frame: a 4-byte big-endian length, then that many bytes.
//
//	worker → parent, once, when Graphviz is up:  "R"
//	parent → worker, a request:                   format, "\n", DOT
//	worker → parent, its answer:                  "O" output | "E" message | "C" message
//
// "E" is an error in the request (the DOT does not parse); "C" is a crash
// inside Graphviz, after which the worker exits. The worker exits when its
// stdin closes. It handles one request at a time: concurrency comes from
// running several workers.

// Bounds of a frame: a DOT for a 10 000-service model is a few MiB, its SVG
// a few tens.
const (
	MaxDOTSize    = 32 << 20
	maxOutputSize = 512 << 20
)

const (
	statusReady = 'R'
	statusOK    = 'O'
	statusError = 'E'
	statusCrash = 'C'
)

// ServeWorker is the body of `archmap render-worker`: it answers render
// requests read from r on w until r ends or ctx is done. It returns nil at
// the end of r, an error when Graphviz crashed or the pipes failed.
func ServeWorker(ctx context.Context, r io.Reader, w io.Writer) error {
	gv, err := startGraphviz(ctx)
	if err != nil {
		return fmt.Errorf("diagram worker: start graphviz: %w", err)
	}
	defer gv.Close()
	warmUp(ctx, gv)
	in := bufio.NewReaderSize(r, 64<<10)
	out := bufio.NewWriterSize(w, 64<<10)
	if err := writeFrame(out, []byte{statusReady}); err != nil {
		return err
	}
	for ctx.Err() == nil {
		req, err := readFrame(in, MaxDOTSize+64)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("diagram worker: read request: %w", err)
		}
		format, dot, ok := cutFormat(req)
		var res []byte
		var crash error
		switch {
		case !ok:
			res = append([]byte{statusError}, "malformed request"...)
		default:
			svg, err := renderWith(ctx, gv, dot, format)
			var ce *crashError
			switch {
			case errors.As(err, &ce):
				crash = err
				res = append([]byte{statusCrash}, err.Error()...)
			case err != nil:
				res = append([]byte{statusError}, err.Error()...)
			default:
				res = append(make([]byte, 0, len(svg)+1), statusOK)
				res = append(res, svg...)
			}
		}
		if err := writeFrame(out, res); err != nil {
			return err
		}
		if crash != nil {
			return crash
		}
	}
	return ctx.Err()
}

// warmUp lays out a mid-sized graph once. Graphviz's WebAssembly memory
// starts small and grows page by page during the first big layout, each
// growth copying all of it; paying that before the first request lets a
// fresh worker answer at the speed of a warm one.
func warmUp(ctx context.Context, gv *graphviz.Graphviz) {
	_, _ = renderWith(ctx, gv, warmUpDOT, OutputSVG)
}

func cutFormat(req []byte) (format string, dot []byte, ok bool) {
	for i, c := range req {
		if c == '\n' {
			format = string(req[:i])
			return format, req[i+1:], checkOutput(format) == nil
		}
		if i > 16 {
			break
		}
	}
	return "", nil, false
}

func writeFrame(w *bufio.Writer, payload []byte) error {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(payload)))
	if _, err := w.Write(n[:]); err != nil {
		return err
	}
	if _, err := w.Write(payload); err != nil {
		return err
	}
	return w.Flush()
}

// readFrame reads one frame of at most limit bytes. A stream that ends
// cleanly between frames gives io.EOF; one that ends inside a frame,
// io.ErrUnexpectedEOF.
func readFrame(r io.Reader, limit int) ([]byte, error) {
	var n [4]byte
	if _, err := io.ReadFull(r, n[:]); err != nil {
		return nil, err
	}
	size := binary.BigEndian.Uint32(n[:])
	if int64(size) > int64(limit) {
		return nil, fmt.Errorf("frame of %d bytes is over the limit of %d", size, limit)
	}
	buf := make([]byte, size)
	if _, err := io.ReadFull(r, buf); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	return buf, nil
}

// warmUpDOT is a tree of 300 two-line boxes: about 60 ms of layout that
// grows the memory and warms the code paths a real diagram uses. It makes
// a fresh worker's first 150-service layout about 10% faster (0.78 s → 0.69 s
// CPU, mean of three); a 200-node, 400-edge warm-up saved a little more but
// cost a second.
var warmUpDOT = func() []byte {
	var b bytes.Buffer
	b.WriteString("digraph warmup {\n\trankdir=LR;\n\tnode [shape=box style=\"rounded,filled\" label=\"warm-up node\\nservice\"];\n")
	for i := 1; i < 300; i++ {
		fmt.Fprintf(&b, "\tn%d -> n%d;\n", i/3, i)
	}
	b.WriteString("}\n")
	return b.Bytes()
}()
