package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/archmap/archmap/store"
)

// TestTokenCreateThenCallTheAPI makes an account and a token with the real
// program, then calls the real server's API with that token.
func TestTokenCreateThenCallTheAPI(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "archmap.db")
	if r := runCLI(t, "correct horse battery\n", nil, "user", "add", "--db", dbPath, "--email", "ops@example.com", "--password-stdin"); r.code != 0 {
		t.Fatalf("user add: exit %d: %s", r.code, r.stderr)
	}
	r := runCLI(t, "", map[string]string{"ARCHMAP_DB": dbPath}, "token", "create", "--email", "ops@example.com", "--name", "deploy bot")
	if r.code != 0 {
		t.Fatalf("token create: exit %d: %s", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimRight(r.stdout, "\n"), "\n")
	token := lines[len(lines)-1]
	if len(token) != 43 || strings.ContainsAny(token, "+/= ") {
		t.Fatalf("last line %q is not a 256-bit base64url token", token)
	}
	if strings.Contains(r.stderr, token) {
		t.Error("the token went to standard error as well")
	}

	// The real program serves the database the token was made in.
	ctx, cancel := context.WithCancel(context.Background())
	logs := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--db", dbPath, "--no-demo"}, strings.NewReader(""), io.Discard, logs)
	}()
	base := waitForURL(t, logs, done)
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()

	call := func(method, path, body, token string) (int, []byte) {
		t.Helper()
		req, err := http.NewRequest(method, base+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+token)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	code, body := call("POST", "/api/v1/workspaces", `{"name": "From the CLI"}`, token)
	if code != http.StatusCreated {
		t.Fatalf("create workspace with the CLI's token: %d %s", code, body)
	}
	var ws struct{ Slug string }
	if err := json.Unmarshal(body, &ws); err != nil || ws.Slug != "from-the-cli" {
		t.Fatalf("created %s (%v)", body, err)
	}
	if code, body := call("POST", "/api/v1/workspaces/from-the-cli/services", `{"name": "api"}`, token); code != http.StatusCreated {
		t.Fatalf("add a service: %d %s", code, body)
	}
	if code, body := call("GET", "/api/v1/workspaces/from-the-cli/findings", "", token); code != http.StatusOK || !strings.Contains(string(body), `"unplaced-service"`) {
		t.Fatalf("findings: %d %s", code, body)
	}
	if code, _ := call("GET", "/api/v1/workspaces", "", token[:42]+"x"); code != http.StatusUnauthorized {
		t.Fatalf("a changed token: %d, want 401", code)
	}

	// A read-only token of the same account reads the workspace it owns,
	// simulates, and is refused every write.
	r = runCLI(t, "", map[string]string{"ARCHMAP_DB": dbPath}, "token", "create", "--email", "ops@example.com", "--name", "dashboard", "--read-only")
	if r.code != 0 || !strings.Contains(r.stderr, "read-only") {
		t.Fatalf("token create --read-only: exit %d: %s", r.code, r.stderr)
	}
	lines = strings.Split(strings.TrimRight(r.stdout, "\n"), "\n")
	ro := lines[len(lines)-1]
	if code, body := call("GET", "/api/v1/workspaces/from-the-cli/model", "", ro); code != http.StatusOK {
		t.Fatalf("read with a read-only token: %d %s", code, body)
	}
	if code, body := call("POST", "/api/v1/workspaces/from-the-cli/simulate", `{"fail": ["service:api"]}`, ro); code != http.StatusOK {
		t.Fatalf("simulate with a read-only token: %d %s", code, body)
	}
	for _, w := range [][3]string{
		{"POST", "/api/v1/workspaces", `{"name": "Nope"}`},
		{"POST", "/api/v1/workspaces/from-the-cli/services", `{"name": "nope"}`},
		{"DELETE", "/api/v1/workspaces/from-the-cli", ""},
	} {
		if code, body := call(w[0], w[1], w[2], ro); code != http.StatusForbidden || strings.TrimSpace(string(body)) != `{"error":"this token is read-only"}` {
			t.Errorf("%s %s with a read-only token: %d %s, want 403 read-only", w[0], w[1], code, body)
		}
	}

	db, err := store.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	u, err := db.GetUserByEmail(ctx, "ops@example.com")
	if err != nil {
		t.Fatal(err)
	}
	list, err := db.ListAPITokens(ctx, u.ID)
	if err != nil || len(list) != 2 || list[0].Name != "deploy bot" || list[0].LastUsedAt.IsZero() || list[0].ReadOnly || !list[1].ReadOnly {
		t.Fatalf("stored tokens %+v (%v): want \"deploy bot\", used, and a read-only one", list, err)
	}
}

func TestTokenCreateErrors(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "archmap.db")
	if r := runCLI(t, "correct horse battery\n", nil, "user", "add", "--db", dbPath, "--email", "ops@example.com", "--password-stdin"); r.code != 0 {
		t.Fatalf("user add: exit %d: %s", r.code, r.stderr)
	}
	tests := []struct {
		name    string
		args    []string
		code    int
		mention string
	}{
		{"no subcommand", []string{"token"}, 2, "token create"},
		{"unknown subcommand", []string{"token", "list"}, 2, "token create"},
		{"no email", []string{"token", "create", "--db", dbPath}, 2, "--email"},
		{"unknown account", []string{"token", "create", "--db", dbPath, "--email", "nobody@example.com"}, 2, "user add"},
		{"empty name", []string{"token", "create", "--db", dbPath, "--email", "ops@example.com", "--name", ""}, 2, "name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, "", nil, tt.args...)
			if r.code != tt.code || !strings.Contains(r.stderr, tt.mention) {
				t.Errorf("exit %d, stderr %q: want exit %d mentioning %q", r.code, r.stderr, tt.code, tt.mention)
			}
			if r.stdout != "" {
				t.Errorf("stdout %q: a failed run must print no token", r.stdout)
			}
		})
	}
}
