package main

import (
	"context"

	"github.com/archmap/archmap/diagram"
)

func init() {
	register(&command{
		name:    "render-worker",
		summary: "internal: lay out diagrams for the server's worker pool over stdin/stdout",
		hidden:  true,
		run: func(ctx context.Context, e *env, args []string) error {
			if len(args) > 0 {
				return usageError("render-worker takes no arguments; the server starts it")
			}
			return diagram.ServeWorker(ctx, e.stdin, e.stdout)
		},
	})
}
