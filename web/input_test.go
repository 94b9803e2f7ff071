package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/archmap/archmap/internal/realdata"
	"github.com/archmap/archmap/risk"
)

// realdataPath returns the path of rel under testdata/realdata at the
// module root.
func realdataPath(tb testing.TB, rel string) string {
	tb.Helper()
	return realdata.Path(tb, rel)
}

func testEnv(stdin string) (*env, *bytes.Buffer, *bytes.Buffer) {
	var out, errOut bytes.Buffer
	return &env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }}, &out, &errOut
}

func exitCode(err error) int {
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	if err != nil {
		return -1
	}
	return 0
}

// The must-show of issue 7: Online Boutique's manifests, imported, have their
// single Redis (redis-cart) flagged as a high spof-instance.
func TestImportedOnlineBoutiqueFlagsRedisCart(t *testing.T) {
	manifest := realdataPath(t, "online-boutique/kubernetes-manifests.yaml")
	e, _, stderr := testEnv("")
	m, src, err := loadModelArgs(e, "kubernetes", []string{manifest}, importOptions{})
	if err != nil {
		t.Fatalf("loadModelArgs: %v", err)
	}
	if src != nil {
		t.Errorf("an import has no model-file Source")
	}
	found := false
	for _, f := range risk.Analyze(m).Findings {
		if f.Rule == "spof-instance" && len(f.Subjects) == 1 && f.Subjects[0] == "service:redis-cart" {
			found = true
			if f.Severity != risk.High {
				t.Errorf("redis-cart spof-instance is %s, want high", f.Severity)
			}
		}
	}
	if !found {
		t.Errorf("no spof-instance finding for redis-cart")
	}
	for _, want := range []string{"Imported 13 services from 1 kubernetes file(s)", "cartservice -> redis-cart (tcp, sync): env REDIS_ADDR",
		"kubernetes-manifests.yaml:334", "default scheduler"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("the import report on stderr lacks %q:\n%s", want, stderr.String())
		}
	}
}

func TestImportFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want importOptions
		from string
	}{
		{"defaults", nil, nil, importOptions{nodes: 3}, ""},
		{"kubernetes", []string{"--from", "kubernetes", "--nodes", "5", "--zones", "a, b,,c"}, nil,
			importOptions{nodes: 5, zones: []string{"a", "b", "c"}}, "kubernetes"},
		{"profiles repeat and split", []string{"--from=compose", "--profile", "debug,test", "--profile", "*"}, nil,
			importOptions{nodes: 3, profiles: []string{"debug", "test", "*"}}, "compose"},
		{"environment twins", nil, map[string]string{"ARCHMAP_FROM": "compose", "ARCHMAP_PROFILE": "a,b", "ARCHMAP_NODES": "2"},
			importOptions{nodes: 2, profiles: []string{"a", "b"}}, "compose"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, _, _ := testEnv("")
			e.getenv = func(k string) string { return tt.env[k] }
			fs := newFlagSet(e, "x", "x")
			f := addImportFlags(fs)
			if err := parseFlags(e, fs, tt.args); err != nil {
				t.Fatal(err)
			}
			got := f.options()
			if f.from != tt.from || got.nodes != tt.want.nodes || strings.Join(got.zones, "|") != strings.Join(tt.want.zones, "|") ||
				strings.Join(got.profiles, "|") != strings.Join(tt.want.profiles, "|") {
				t.Errorf("from %q, options %+v; want %q, %+v", f.from, got, tt.from, tt.want)
			}
		})
	}
}

func TestLoadModelArgs(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "model.yaml")
	compose := filepath.Join(dir, "compose.yaml")
	broken := filepath.Join(dir, "broken.yaml")
	for name, data := range map[string]string{
		model:   "version: 1\nname: Shop\nservices:\n  - name: web\n",
		compose: "services:\n  web:\n    image: nginx\n    environment:\n      API_URL: http://api:8080\n  api:\n    image: acme/api\n    profiles: [extra]\n",
		broken:  "services:\n  web:\n    image: [nginx\n",
	} {
		if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	manifest := "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 4\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers: [{name: w, image: nginx}]\n"
	tests := []struct {
		name     string
		from     string
		paths    []string
		stdin    string
		opts     importOptions
		code     int
		services int
		errWant  string
	}{
		{"model file", "", []string{model}, "", importOptions{}, 0, 1, ""},
		{"model from stdin", "", []string{"-"}, "version: 1\nname: S\n", importOptions{}, 0, 0, ""},
		{"two model files", "", []string{model, model}, "", importOptions{}, 2, 0, "--from compose"},
		{"compose", "compose", []string{compose}, "", importOptions{}, 0, 1, ""},
		{"compose with a profile", "compose", []string{compose}, "", importOptions{profiles: []string{"extra"}}, 0, 2, ""},
		{"compose directory", "compose", []string{dir}, "", importOptions{}, 0, 1, ""}, // compose.yaml only
		{"broken compose", "compose", []string{broken}, "", importOptions{}, 2, 0, "broken.yaml:2: did not find"},
		{"kubernetes from stdin", "kubernetes", []string{"-"}, manifest, importOptions{nodes: 2}, 0, 1, ""},
		{"stdin and a file", "kubernetes", []string{"-", compose}, manifest, importOptions{}, 2, 0, "standard input"},
		{"bad nodes", "kubernetes", []string{"-"}, manifest, importOptions{nodes: -1}, 2, 0, "nodes"},
		{"missing file", "compose", []string{filepath.Join(dir, "nope.yaml")}, "", importOptions{}, 2, 0, "no such file"},
		{"no files", "compose", nil, "", importOptions{}, 2, 0, "needs one or more"},
		{"unknown format", "helm", []string{compose}, "", importOptions{}, 2, 0, "want compose or kubernetes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, _, _ := testEnv(tt.stdin)
			m, _, err := loadModelArgs(e, tt.from, tt.paths, tt.opts)
			if code := exitCode(err); code != tt.code {
				t.Fatalf("exit code %d (%v), want %d", code, err, tt.code)
			}
			if err != nil {
				if m != nil {
					t.Errorf("a model came with the error")
				}
				if !strings.Contains(err.Error(), tt.errWant) {
					t.Errorf("error %q does not say %q", err, tt.errWant)
				}
				return
			}
			if len(m.Services) != tt.services {
				t.Errorf("%d services, want %d", len(m.Services), tt.services)
			}
		})
	}
}

func TestLoadModelArgsKubernetesPlacement(t *testing.T) {
	manifest := "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 4\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers: [{name: w, image: nginx}]\n"
	e, _, _ := testEnv(manifest)
	m, _, err := loadModelArgs(e, "kubernetes", []string{"-"}, importOptions{nodes: 2, zones: []string{"z1", "z2"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Servers) != 2 || m.Servers[0].Zone != "z1" || m.Servers[1].Zone != "z2" {
		t.Errorf("servers %+v, want node-1 in z1 and node-2 in z2", m.Servers)
	}
	for _, p := range m.Placements {
		if p.Instances != 2 {
			t.Errorf("placement %+v, want the 4 replicas spread 2 and 2", p)
		}
	}
}
