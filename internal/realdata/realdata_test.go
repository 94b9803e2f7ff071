package realdata

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPathFindsFilesFromAnyDepth(t *testing.T) {
	want := Path(t, "online-boutique/kubernetes-manifests.yaml")
	// From the module root and from a folder deeper than this package, the
	// same file.
	root := filepath.Join(Dir(t), "..", "..")
	for _, start := range []string{root, filepath.Join(Dir(t), "online-boutique", "kubernetes-manifests")} {
		got, err := locate(start, "online-boutique/kubernetes-manifests.yaml")
		if err != nil || got != want {
			t.Errorf("locate from %s = %q, %v; want %q", start, got, err, want)
		}
	}
	if !filepath.IsAbs(want) {
		t.Errorf("Path returned a relative path %q", want)
	}
}

func TestLocateFailsWithoutTheFile(t *testing.T) {
	if _, err := locate(".", "no-such-system/compose.yaml"); err == nil || !strings.Contains(err.Error(), "no-such-system") {
		t.Errorf("a missing file gave %v, want an error naming it", err)
	}
	// Outside any module there is no root to find.
	if _, err := locate(t.TempDir(), ""); err == nil || !strings.Contains(err.Error(), "go.mod") {
		t.Errorf("a directory outside the module gave %v, want an error about go.mod", err)
	}
}

// Every system's files come with its licence and are named in SOURCES.md,
// so that a copy added later cannot arrive without its provenance.
func TestEverySystemHasLicenceAndSource(t *testing.T) {
	dir := Dir(t)
	sources, err := os.ReadFile(filepath.Join(dir, "SOURCES.md"))
	if err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	systems := 0
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		systems++
		licence, err := os.ReadFile(filepath.Join(dir, e.Name(), "LICENSE"))
		if err != nil {
			t.Errorf("%s: %v", e.Name(), err)
		} else if !strings.Contains(string(licence), "Apache License") && !strings.Contains(string(licence), "MIT License") {
			t.Errorf("%s/LICENSE is neither the Apache 2.0 nor the MIT licence", e.Name())
		}
		if !strings.Contains(string(sources), "`"+e.Name()+"/`") {
			t.Errorf("SOURCES.md has no section for %s/", e.Name())
		}
	}
	if systems != 7 {
		t.Errorf("%d systems in %s, want 7", systems, dir)
	}
}
