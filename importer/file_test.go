package importer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/archmap/archmap/topology"
)

func writeTree(tb testing.TB, files map[string]string) string {
	tb.Helper()
	dir := tb.TempDir()
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return dir
}

func relNames(dir string, files []File) []string {
	out := make([]string, len(files))
	for i, f := range files {
		r, _ := filepath.Rel(dir, f.Name)
		out[i] = filepath.ToSlash(r)
	}
	return out
}

func TestReadPaths(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"a.yaml": "a", "b.YML": "b", "c.json": "c", "notes.txt": "x", ".env": "E=1",
		"sub/d.yaml": "d", ".git/config.yaml": "hidden", "other/.env": "O=1", "other/x.yaml": "x",
	})
	tests := []struct {
		name  string
		paths []string
		want  []string
	}{
		{"directory, recursively, in order, hidden skipped", []string{dir},
			[]string{".env", "a.yaml", "b.YML", "c.json", "other/.env", "other/x.yaml", "sub/d.yaml"}},
		{"a file brings the .env beside it", []string{filepath.Join(dir, "a.yaml"), filepath.Join(dir, "sub", "d.yaml")},
			[]string{"a.yaml", ".env", "sub/d.yaml"}},
		{"only the first file's .env", []string{filepath.Join(dir, "sub", "d.yaml"), filepath.Join(dir, "a.yaml")},
			[]string{"sub/d.yaml", "a.yaml"}},
		{"a file named explicitly is read whatever its extension", []string{filepath.Join(dir, "notes.txt")},
			[]string{"notes.txt", ".env"}},
		{"the same file twice is read once", []string{filepath.Join(dir, "c.json"), filepath.Join(dir, "c.json")},
			[]string{"c.json", ".env"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files, err := ReadPaths(tt.paths)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(relNames(dir, files), " "); got != strings.Join(tt.want, " ") {
				t.Errorf("read %s, want %s", got, strings.Join(tt.want, " "))
			}
		})
	}
}

func TestReadPathsErrors(t *testing.T) {
	dir := writeTree(t, map[string]string{"empty/readme.md": "x"})
	// Two files of just over half the bound each: too large together.
	big, big2 := filepath.Join(dir, "big.yaml"), filepath.Join(dir, "big2.yaml")
	for _, p := range []string{big, big2} {
		if err := os.WriteFile(p, make([]byte, MaxInputSize/2+1), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name  string
		paths []string
		code  string
		want  string
	}{
		{"missing", []string{filepath.Join(dir, "nope.yaml")}, topology.EINVALID, "nope.yaml: no such file or directory"},
		{"nothing", nil, topology.EINVALID, "no input files"},
		{"no wanted files", []string{filepath.Join(dir, "empty")}, topology.EINVALID, "no YAML, JSON or .env files"},
		{"too large in all", []string{big, big2}, topology.ETOOLARGE, "larger than 5 MiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files, err := ReadPaths(tt.paths)
			if err == nil {
				t.Fatalf("no error; read %d files", len(files))
			}
			if topology.ErrorCode(err) != tt.code || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q (%s), want %s saying %q", err, topology.ErrorCode(err), tt.code, tt.want)
			}
		})
	}
}

func TestReadComposePaths(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"docker-compose.yml": "services: {}", "docker-compose.override.yml": "services: {}", ".env": "A=1",
		"envoy/envoy.yaml": "static_resources: {}", "k8s/deploy.yaml": "kind: Deployment",
		"bare/compose.yaml": "services: {}", "none/x.yaml": "x",
	})
	files, err := ReadComposePaths([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(relNames(dir, files), " "); got != "docker-compose.yml .env docker-compose.override.yml" {
		t.Errorf("read %s, want the compose file, its override and .env", got)
	}
	files, err = ReadComposePaths([]string{filepath.Join(dir, "bare")})
	if err != nil || len(files) != 1 {
		t.Errorf("bare directory: %v, %v", relNames(dir, files), err)
	}
	if _, err := ReadComposePaths([]string{filepath.Join(dir, "none")}); err == nil || !strings.Contains(err.Error(), "no compose.yaml") {
		t.Errorf("a directory without a compose file: %v", err)
	}
}

// eShop's directory reads as docker compose reads it: the compose file,
// its override and .env, not the Envoy configs beside them.
func TestReadComposePathsEShop(t *testing.T) {
	rd := realdata(t)
	files, err := ReadComposePaths([]string{filepath.Join(rd, "eshoponcontainers")})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(relNames(filepath.Join(rd, "eshoponcontainers"), files), " "); got != "docker-compose.yml .env docker-compose.override.yml" {
		t.Fatalf("read %s", got)
	}
	m, _ := mustCompose(t, files, ComposeOptions{})
	explicit, _ := mustCompose(t, readReal(t, "eshoponcontainers/docker-compose.yml", "eshoponcontainers/docker-compose.override.yml"), ComposeOptions{})
	sameSet(t, "dependencies", edges(m), edges(explicit))
}
