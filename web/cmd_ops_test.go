package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestServeMetricsAndJSONLogs runs the real program with --metrics-addr and
// --log-format json: the metrics come on their own listener (never on the
// app's), and every log line is a JSON object.
func TestServeMetricsAndJSONLogs(t *testing.T) {
	db := filepath.Join(t.TempDir(), "archmap.db")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	metricsAddr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	logs := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--database-url", "sqlite:" + db, "--metrics-addr", metricsAddr, "--log-format", "json"}, strings.NewReader(""), io.Discard, logs)
	}()
	defer func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve returned %v after shutdown", err)
			}
		case <-time.After(20 * time.Second):
			t.Error("serve did not stop")
		}
	}()
	var appURL string
	jsonURL := regexp.MustCompile(`"msg":"archmap is serving".*"url":"(http://[^"]+)"`)
	for deadline := time.Now().Add(30 * time.Second); appURL == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := jsonURL.FindStringSubmatch(logs.String()); m != nil {
			appURL = m[1]
		}
	}
	if appURL == "" {
		t.Fatalf("serve did not start:\n%s", logs.String())
	}
	get := func(url string) (int, string) {
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, p := range []string{"/healthz", "/livez", "/readyz"} {
		if code, _ := get(appURL + p); code != http.StatusOK {
			t.Errorf("%s: %d", p, code)
		}
	}
	if _, body := get(appURL + "/metrics"); strings.Contains(body, "archmap_http_requests_total") {
		t.Errorf("the metrics are served on the app's listener")
	}
	code, body := get("http://" + metricsAddr + "/metrics")
	if code != http.StatusOK || !strings.Contains(body, `archmap_http_requests_total{code="200",method="GET",route="/livez"} 1`) || !strings.Contains(body, "go_goroutines") {
		t.Errorf("metrics: %d\n%.2000s", code, body)
	}
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var v map[string]any
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			t.Errorf("a log line is not JSON: %q", line)
		}
	}
}

func TestBackupCommand(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "archmap.db")
	model := writeFile(t, dir, "m.yaml", []byte("version: 1\nname: Shop\nservices: [{name: a}]\n"))
	if r := runCLI(t, "", nil, "import", "--db", db, "--workspace", "shop", model); r.code != 0 {
		t.Fatalf("import: %d %s", r.code, r.stderr)
	}
	out := filepath.Join(dir, "backup.db")
	r := runCLI(t, "", nil, "backup", "--db", db, out)
	if r.code != 0 {
		t.Fatalf("backup: exit %d %s", r.code, r.stderr)
	}
	exp := runCLI(t, "", nil, "export", "--database-url", "sqlite:"+out, "--workspace", "shop")
	if exp.code != 0 || !strings.Contains(exp.stdout, "name: Shop") {
		t.Errorf("the backup does not hold the workspace: %d %s %s", exp.code, exp.stdout, exp.stderr)
	}
	// A second backup to the same file is refused and leaves it as it was.
	before, _ := os.ReadFile(out)
	if r := runCLI(t, "", nil, "backup", "--db", db, out); r.code != 2 || !strings.Contains(r.stderr, "already exists") {
		t.Errorf("backup over an existing file: exit %d %s", r.code, r.stderr)
	}
	if after, _ := os.ReadFile(out); string(after) != string(before) {
		t.Errorf("a refused backup changed the file")
	}
	for name, args := range map[string][]string{
		"no OUT":           {"backup", "--db", db},
		"postgres URL":     {"backup", "--database-url", "postgres://u:secret@db/archmap", filepath.Join(dir, "x.db")},
		"unknown URL":      {"export", "--database-url", "mysql://u:secret@db/archmap", "--workspace", "shop"},
		"no such database": {"backup", "--db", filepath.Join(dir, "nope.db"), filepath.Join(dir, "y.db")},
	} {
		r := runCLI(t, "", nil, args...)
		if r.code != 2 {
			t.Errorf("%s: exit %d, want 2: %s", name, r.code, r.stderr)
		}
		if strings.Contains(r.stderr, "secret") {
			t.Errorf("%s: the password reached the message: %s", name, r.stderr)
		}
	}
}
