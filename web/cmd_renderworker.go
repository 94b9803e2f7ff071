package main

import (
	"context"

	"github.com/archmap/archmap/diagram"
)

func init() {
	register(&command{name: "render-worker", hidden: true, summary: "internal: lay out diagrams for a server, over stdin/stdout", run: runRenderWorker})
}

// runRenderWorker is the process diagram.Renderer starts: Graphviz runs
// here, one layout at a time, so that the server can kill a layout that runs
// too long and get back the memory a huge one took. It speaks the framed
// protocol of diagram.ServeWorker and exits when its stdin closes.
func runRenderWorker(ctx context.Context, e *env, args []string) error {
	if len(args) != 0 {
		return usageError("render-worker takes no arguments; it is started by archmap serve")
	}
	return diagram.ServeWorker(ctx, e.stdin, e.stdout)
}
