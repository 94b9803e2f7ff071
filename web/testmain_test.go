package main

import (
	"context"
	"os"
	"testing"
)

// TestMain lets this test binary stand in for the archmap binary when the
// server under test starts its render workers (os.Executable() with the
// argument "render-worker"), so end-to-end tests run real worker processes.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "render-worker" {
		if err := run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}
