package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/archmap/archmap/topology"
	"github.com/archmap/archmap/topology/topologytest"
)

// result is what one run of the program left behind.
type result struct {
	code   int
	stdout string
	stderr string
}

// runCLI runs the real program in-process with the given standard input and
// an environment with no ARCHMAP_* variables unless given.
func runCLI(tb testing.TB, stdin string, environ map[string]string, args ...string) result {
	tb.Helper()
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb, getenv: func(k string) string { return environ[k] }}
	err := runEnv(context.Background(), e, args)
	code := 0
	if err != nil {
		code = 2
		var ee *exitError
		if errors.As(err, &ee) {
			code = ee.code
		}
		if err.Error() != "" {
			errb.WriteString(err.Error())
		}
	}
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

func writeFile(tb testing.TB, dir, name string, data []byte) string {
	tb.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		tb.Fatal(err)
	}
	return p
}

func TestImportExportRoundTrip(t *testing.T) {
	dir := t.TempDir()
	models := map[string]*topology.Model{
		"demo":      topology.Demo(),
		"generated": topologytest.Generate(300),
		"hostile": {
			Version: 1, Name: `<script>alert(1)</script>`,
			Services: []topology.Service{{Name: `a" -> b [label="x`}, {Name: `back\slash \N`, Description: "two\nlines"}, {Name: "Zahlungsdienst — Übersicht ✓"}},
			Servers:  []topology.Server{{Name: "yes"}, {Name: "1.0"}},
			Placements: []topology.Placement{
				{Service: `a" -> b [label="x`, Server: "yes", Instances: 3},
			},
			Dependencies: []topology.Dependency{{From: `a" -> b [label="x`, To: `back\slash \N`, CallsPerRequest: 2.5}},
		},
	}
	for name, m := range models {
		t.Run(name, func(t *testing.T) {
			for _, format := range []string{"json", "yaml"} {
				var in []byte
				var err error
				if format == "json" {
					in, err = topology.EncodeJSON(m)
				} else {
					in, err = topology.EncodeYAML(m)
				}
				if err != nil {
					t.Fatal(err)
				}
				path := writeFile(t, dir, name+"."+format, in)
				slug := name + "-" + format
				// A database per format: workspace names are unique, and
				// both formats hold the same name.
				db := filepath.Join(dir, slug+".db")
				if r := runCLI(t, "", nil, "import", "--db", db, "--workspace", slug, path); r.code != 0 {
					t.Fatalf("import: exit %d: %s", r.code, r.stderr)
				}
				r := runCLI(t, "", nil, "export", "--db", db, "--workspace", slug, "--format", format)
				if r.code != 0 {
					t.Fatalf("export: exit %d: %s", r.code, r.stderr)
				}
				if r.stdout != string(in) {
					t.Errorf("%s export differs from what was imported:\n--- imported\n%.600s\n--- exported\n%.600s", format, in, r.stdout)
				}
			}
		})
	}
}

func TestImportFromStdinAndEnv(t *testing.T) {
	db := filepath.Join(t.TempDir(), "x.db")
	environ := map[string]string{"ARCHMAP_DB": db}
	yaml, _ := topology.EncodeYAML(topology.Demo())
	if r := runCLI(t, string(yaml), environ, "import", "--workspace", "shop", "-"); r.code != 0 {
		t.Fatalf("import from stdin: exit %d: %s", r.code, r.stderr)
	}
	r := runCLI(t, "", environ, "export", "--workspace", "shop")
	if r.code != 0 || r.stdout != string(yaml) {
		t.Fatalf("export via ARCHMAP_DB: exit %d, %d bytes: %s", r.code, len(r.stdout), r.stderr)
	}
}

func TestImportInvalidModelStoresNothing(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "archmap.db")
	bad := writeFile(t, dir, "bad.yaml", []byte(`version: 1
name: Shop
services:
  - name: a
  - name: a
placements:
  - service: a
    server: nowhere
    instances: 0
`))
	r := runCLI(t, "", nil, "import", "--db", db, "--workspace", "shop", bad)
	if r.code != 2 {
		t.Fatalf("exit %d, want 2", r.code)
	}
	for _, want := range []string{
		`bad.yaml:5: services[1].name: duplicate name "a"`,
		`bad.yaml:8: placements[0].server: unknown server "nowhere"`,
		"bad.yaml:9: placements[0].instances",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("error output lacks %q:\n%s", want, r.stderr)
		}
	}
	if r := runCLI(t, "", nil, "export", "--db", db, "--workspace", "shop"); r.code == 0 {
		t.Errorf("the invalid import left a workspace behind:\n%s", r.stdout)
	}
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown command", []string{"frobnicate"}, `unknown command "frobnicate"`},
		{"import without workspace", []string{"import", "x.yaml"}, "--workspace"},
		{"import with a bad slug", []string{"import", "--workspace", "Not A Slug", "x.yaml"}, "not a valid slug"},
		{"export with a bad format", []string{"export", "--workspace", "x", "--format", "xml"}, "yaml or json"},
		{"unknown flag", []string{"export", "--colour"}, "flag provided but not defined"},
		{"serve with a bad proxy network", []string{"serve", "--trusted-proxies", "10.0.0.0/8,not-a-net"}, `--trusted-proxies: "not-a-net"`},
		{"serve with a base URL that is not an origin", []string{"serve", "--base-url", "archmap.example.com/app"}, "--base-url"},
		{"serve with an embed origin that is not an origin", []string{"serve", "--embed-origins", "https://wiki.example.com https://evil.example.com/;script-src"}, "--embed-origins"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, "", nil, tt.args...)
			if r.code != 2 || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want exit 2 mentioning %q", r.code, r.stderr, tt.want)
			}
		})
	}
}

// syncBuffer lets the test read what the server logs while it runs.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestServeEndToEnd runs the real program on a free port with a new
// database, checks that it serves, that the demo workspace exists, and that
// it shuts down cleanly when its context ends (as on SIGTERM).
func TestServeEndToEnd(t *testing.T) {
	db := filepath.Join(t.TempDir(), "archmap.db")
	ctx, cancel := context.WithCancel(context.Background())
	logs := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--db", db}, strings.NewReader(""), io.Discard, logs)
	}()
	url := waitForURL(t, logs, done)

	resp, err := http.Get(url + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("/healthz: %s", resp.Status)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve returned %v after shutdown", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not shut down within 20s")
	}
	// The new database got the demo workspace.
	r := runCLI(t, "", nil, "export", "--db", db, "--workspace", "demo-shop", "--format", "json")
	if r.code != 0 || !strings.Contains(r.stdout, `"name": "Demo shop"`) {
		t.Errorf("demo workspace missing: exit %d %s", r.code, r.stderr)
	}
}

var servingRE = regexp.MustCompile(`url=(http://[^ \n]+)`)

func waitForURL(tb testing.TB, logs fmt.Stringer, done <-chan error) string {
	tb.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		sc := bufio.NewScanner(strings.NewReader(logs.String()))
		for sc.Scan() {
			if m := servingRE.FindStringSubmatch(sc.Text()); m != nil {
				return m[1]
			}
		}
		select {
		case err := <-done:
			tb.Fatalf("serve stopped before listening: %v\n%s", err, logs.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	tb.Fatalf("serve did not start within 30s:\n%s", logs.String())
	return ""
}
