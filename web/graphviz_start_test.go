package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestOnlyDrawingStartsGraphviz runs the real binary with empty cache and
// temporary directories: a command that does not draw must leave them
// empty, since starting Graphviz is what fills them (its compiled code,
// 0.8 s and 60 MB to make); render must fill one. Without a writable one,
// render says why it is slow.
func TestOnlyDrawingStartsGraphviz(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildArchmap(t)
	model, err := os.ReadFile(filepath.Join("..", "diagram", "testdata", "shop.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := writeFile(t, dir, "shop.yaml", model)
	db := filepath.Join(dir, "archmap.db")

	// runIn runs the binary with HOME, XDG_CACHE_HOME and TMPDIR under
	// home, and returns its standard error.
	runIn := func(t *testing.T, home string, args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Env = append(childEnv(), "HOME="+home, "XDG_CACHE_HOME="+filepath.Join(home, "cache"), "TMPDIR="+filepath.Join(home, "tmp"))
		var stderr strings.Builder
		cmd.Stderr = &stderr
		err := cmd.Run()
		if ee, ok := err.(*exec.ExitError); err != nil && (!ok || ee.ExitCode() > 1) {
			t.Fatalf("archmap %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
		}
		return stderr.String()
	}
	fresh := func(t *testing.T) string {
		home := t.TempDir()
		for _, d := range []string{"cache", "tmp"} {
			if err := os.Mkdir(filepath.Join(home, d), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		return home
	}
	empty := func(t *testing.T, home string) bool {
		t.Helper()
		for _, d := range []string{"cache", "tmp"} {
			entries, err := os.ReadDir(filepath.Join(home, d))
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) > 0 {
				return false
			}
		}
		return true
	}

	for _, args := range [][]string{
		{"--help"},
		{"check", path},
		{"check", "--format", "json", path},
		{"simulate", "--fail", "service:cart", path},
		{"import", "--db", db, "--workspace", "shop", path},
		{"export", "--db", db, "--workspace", "shop"},
		{"diff", path, path},
		{"render", "--format", "dot", path},
	} {
		name := strings.NewReplacer(path, "MODEL", db, "DB").Replace(strings.Join(args, " "))
		t.Run(name, func(t *testing.T) {
			home := fresh(t)
			runIn(t, home, args...)
			if !empty(t, home) {
				t.Errorf("archmap %s started Graphviz", strings.Join(args, " "))
			}
		})
	}
	t.Run("render svg", func(t *testing.T) {
		home := fresh(t)
		if stderr := runIn(t, home, "render", "-o", filepath.Join(t.TempDir(), "x.svg"), path); stderr != "" {
			t.Errorf("render with a usable cache said: %s", stderr)
		}
		if empty(t, home) {
			t.Error("render kept no compiled code: the next one will compile again")
		}
	})
	t.Run("render svg without a cache", func(t *testing.T) {
		// Paths under a regular file cannot be made, even by root.
		home := filepath.Join(dir, "shop.yaml", "home")
		stderr := runIn(t, home, "render", "-o", filepath.Join(t.TempDir(), "x.svg"), path)
		if !strings.Contains(stderr, "nowhere to keep its compiled code") {
			t.Errorf("render without a cache did not say why it is slow: %q", stderr)
		}
	})
}
