package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// When an import fails, the CLI prints the report that explains it: the
// OpenTelemetry demo's compose.yaml without its .env leaves variables unset,
// which is why a volume comes out as ":/hostfs:ro".
func TestImportFailurePrintsTheReport(t *testing.T) {
	// Read from standard input, so that the .env beside the file is not.
	compose, err := os.ReadFile(realdataPath(t, "opentelemetry-demo/compose.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(t.TempDir(), "x.db")
	r := runCLI(t, string(compose), nil, "import", "--db", db, "--workspace", "otel", "--from", "compose", "-")
	if r.code != 2 {
		t.Fatalf("exit %d, want 2; stderr:\n%s", r.code, r.stderr)
	}
	for _, want := range []string{"The import failed", "HOST_FILESYSTEM", "/hostfs"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
}

// A Kubernetes manifest given as a model is named for what it is, with the
// flag that imports it.
func TestImportWithoutFromSaysWhatTheFileIs(t *testing.T) {
	manifest := realdataPath(t, "online-boutique/kubernetes-manifests.yaml")
	db := filepath.Join(t.TempDir(), "x.db")
	r := runCLI(t, "", nil, "import", "--db", db, "--workspace", "shop", manifest)
	if r.code != 2 || !strings.Contains(r.stderr, "Kubernetes manifests (kind ") || !strings.Contains(r.stderr, "--from kubernetes") {
		t.Errorf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
}
