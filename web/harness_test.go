package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/archmap/archmap/store"
)

// The suites in crash_test.go, load_test.go and scale_test.go run the real
// archmap binary as a child process, as an operator would: built with
// go build, started with serve on a free port, and killed or stopped by
// signal. These helpers do that and speak the JSON API to it.

// buildArchmap builds the program into a temporary directory and returns the
// binary's path. The build cache makes this a few seconds after the first time.
func buildArchmap(tb testing.TB) string {
	tb.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		tb.Skipf("the go command is not on PATH: %v", err)
	}
	bin := filepath.Join(tb.TempDir(), "archmap")
	cmd := exec.Command(gobin, "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// childServer is `archmap serve` running as a child process.
type childServer struct {
	cmd  *exec.Cmd
	url  string
	logs *fileLog
	done chan error
}

// fileLog is a child's standard error, written straight to a file. A pipe
// would make the server's every log line wait for this process to read it:
// under load the pipe fills, the server's logger blocks with its lock held,
// and every answer waits behind it.
type fileLog struct{ f *os.File }

func newFileLog(tb testing.TB) *fileLog {
	tb.Helper()
	f, err := os.CreateTemp(tb.TempDir(), "serve-*.log")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { f.Close() })
	return &fileLog{f}
}

// String returns everything logged so far.
func (l *fileLog) String() string {
	b, err := os.ReadFile(l.f.Name())
	if err != nil {
		return fmt.Sprintf("(the log cannot be read: %v)", err)
	}
	return string(b)
}

// childEnv is this process's environment without ARCHMAP_* variables, so a
// developer's settings cannot change what the suites test.
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ARCHMAP_") {
			env = append(env, kv)
		}
	}
	return env
}

// dbArgs names the database db for the CLI: a SQLite path (--db) or a
// postgres:// URL (--database-url), so that a suite runs on either.
func dbArgs(db string) []string {
	if store.IsPostgresURL(db) {
		return []string{"--database-url", db}
	}
	return []string{"--db", db}
}

// startChild runs bin serve on a free port of 127.0.0.1 with the database at
// db (a path or a postgres:// URL) and waits until it listens.
func startChild(tb testing.TB, bin, db string, args ...string) *childServer {
	tb.Helper()
	return startServe(tb, bin, append(dbArgs(db), args...)...)
}

// startServe runs bin serve with args (which name the database) on a free
// port of 127.0.0.1 and waits until it listens.
func startServe(tb testing.TB, bin string, args ...string) *childServer {
	tb.Helper()
	c := &childServer{logs: newFileLog(tb), done: make(chan error, 1)}
	c.cmd = exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	c.cmd.Env = childEnv()
	c.cmd.Stdout = io.Discard
	c.cmd.Stderr = c.logs.f
	if err := c.cmd.Start(); err != nil {
		tb.Fatalf("start %s: %v", bin, err)
	}
	go func() { c.done <- c.cmd.Wait() }()
	tb.Cleanup(func() {
		if c.cmd.ProcessState == nil {
			_ = c.cmd.Process.Kill()
			<-c.done //nolint:errcheck // killed: its exit status says nothing
		}
	})
	c.url = waitForURL(tb, c.logs, c.done)
	return c
}

// kill ends the server with SIGKILL, as a crash or an OOM killer would: no
// deferred code, no shutdown, no final fsync.
func (c *childServer) kill(tb testing.TB) {
	tb.Helper()
	if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		tb.Fatalf("kill -9: %v", err)
	}
	<-c.done //nolint:errcheck // killed: its exit status says nothing
}

// stop ends the server as an operator does (SIGTERM) and expects a clean exit.
func (c *childServer) stop(tb testing.TB) {
	tb.Helper()
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		tb.Fatalf("SIGTERM: %v", err)
	}
	select {
	case err := <-c.done:
		if err != nil {
			tb.Errorf("serve exited with %v after SIGTERM:\n%s", err, tail(c.logs.String(), 2000))
		}
	case <-time.After(30 * time.Second):
		tb.Errorf("serve did not stop within 30 s of SIGTERM")
		_ = c.cmd.Process.Kill()
		<-c.done //nolint:errcheck // already reported; the kill is cleanup
	}
}

// rssKiB reads the resident set size of the server (VmRSS) and its peak (VmHWM).
func (c *childServer) rssKiB(tb testing.TB) (rss, peak int) {
	tb.Helper()
	return procStatusKiB(tb, c.cmd.Process.Pid)
}

func procStatusKiB(tb testing.TB, pid int) (rss, peak int) {
	tb.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		tb.Logf("cannot read the memory use of pid %d: %v", pid, err)
		return 0, 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
		switch k {
		case "VmRSS":
			rss = n
		case "VmHWM":
			peak = n
		}
	}
	return rss, peak
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// newAPIToken makes an account and an API token for it in the database at
// db, through the CLI as a headless setup would, and returns the token.
func newAPIToken(tb testing.TB, db, email string) string {
	tb.Helper()
	if r := runCLI(tb, "correct horse battery staple\n", nil, append(append([]string{"user", "add"}, dbArgs(db)...), "--email", email, "--password-stdin")...); r.code != 0 {
		tb.Fatalf("user add: exit %d: %s", r.code, r.stderr)
	}
	r := runCLI(tb, "", nil, append(append([]string{"token", "create"}, dbArgs(db)...), "--email", email)...)
	if r.code != 0 {
		tb.Fatalf("token create: exit %d: %s", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// apiClient speaks the JSON API with a bearer token. Its methods return
// errors instead of failing the test, so that load and crash clients can
// count failures from many goroutines.
type apiClient struct {
	base  string
	token string
	http  *http.Client
}

func newAPIClient(base, token string, hc *http.Client) *apiClient {
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	return &apiClient{base: base, token: token, http: hc}
}

// apiResponse is an answer with its body read.
type apiResponse struct {
	status int
	header http.Header
	body   []byte
}

// errorText is the "error" of a JSON error body, or "" when the body is not one.
func (r *apiResponse) errorText() string {
	var e struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(r.body, &e) != nil {
		return ""
	}
	return e.Error
}

// do sends one request; header holds name, value pairs.
func (c *apiClient) do(ctx context.Context, method, path string, body []byte, header ...string) (*apiResponse, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return nil, err
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	return &apiResponse{status: resp.StatusCode, header: resp.Header, body: b}, nil
}

// must sends a request that must answer with status want, and returns the answer.
func (c *apiClient) must(tb testing.TB, want int, method, path string, body []byte, header ...string) *apiResponse {
	tb.Helper()
	r, err := c.do(context.Background(), method, path, body, header...)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, path, err)
	}
	if r.status != want {
		tb.Fatalf("%s %s: status %d, want %d: %s", method, path, r.status, want, tail(string(r.body), 500))
	}
	return r
}

// createWorkspace makes a workspace through the API and returns its slug.
func (c *apiClient) createWorkspace(tb testing.TB, name string) string {
	tb.Helper()
	b, _ := json.Marshal(map[string]string{"name": name})
	r := c.must(tb, http.StatusCreated, http.MethodPost, "/api/v1/workspaces", b)
	var ws struct {
		Slug string `json:"slug"`
	}
	if err := json.Unmarshal(r.body, &ws); err != nil || ws.Slug == "" {
		tb.Fatalf("create workspace: no slug in %s", r.body)
	}
	return ws.Slug
}

// revision is the ETag of GET …/model: the workspace's revision.
func (c *apiClient) revision(tb testing.TB, slug string) string {
	tb.Helper()
	r := c.must(tb, http.StatusOK, http.MethodGet, "/api/v1/workspaces/"+slug+"/model", nil)
	et := r.header.Get("ETag")
	if et == "" {
		tb.Fatalf("GET model of %s has no ETag", slug)
	}
	return et
}
