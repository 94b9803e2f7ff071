// Package realdata locates the deployment files of real systems kept in
// testdata/realdata at the module root, for the tests of every package.
//
// The files are part of the repository, so a test that cannot find them
// fails rather than skips: a skipped test would pass on a checkout that
// lost them.
package realdata

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// Dir returns the absolute path of testdata/realdata.
func Dir(tb testing.TB) string {
	tb.Helper()
	return Path(tb, "")
}

// Path returns the absolute path of rel (slash-separated) under
// testdata/realdata, failing the test when it does not exist.
func Path(tb testing.TB, rel string) string {
	tb.Helper()
	wd, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	p, err := locate(wd, rel)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// locate walks up from start to the directory holding go.mod (go test runs
// each package's tests in its own directory) and returns rel under its
// testdata/realdata.
func locate(start, rel string) (string, error) {
	dir, err := filepath.Abs(start)
	if err != nil {
		return "", fmt.Errorf("realdata: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("realdata: no go.mod in %s or above it", start)
		}
		dir = parent
	}
	p := filepath.Join(dir, "testdata", "realdata", filepath.FromSlash(rel))
	if _, err := os.Stat(p); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("realdata: %s is not in testdata/realdata of the module at %s", rel, dir)
		}
		return "", fmt.Errorf("realdata: %w", err)
	}
	return p, nil
}
