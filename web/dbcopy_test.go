package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/archmap/archmap/internal/pgtest"
	"github.com/archmap/archmap/topology"
	"github.com/archmap/archmap/topology/topologytest"
)

// serveHere runs archmap serve in this process on the database dbArg
// names ("--db PATH" or "--database-url URL") until stop.
func serveHere(tb testing.TB, dbArgs ...string) (base string, stop func()) {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	logs := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, dbArgs...), strings.NewReader(""), io.Discard, logs)
	}()
	base = waitForURL(tb, logs, done)
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			tb.Errorf("serve: %v", err)
		}
	}
	tb.Cleanup(stop)
	return base, stop
}

// copyFixture is a database with two accounts, their tokens, three
// workspaces with history, and share links of each kind, as a server made
// them; and what must hold of any copy of it.
type copyFixture struct {
	db       string
	emails   []string
	tokens   []string
	shares   []string // paths /s/TOKEN that work
	revoked  string   // a path /s/TOKEN revoked before the copy
	slugs    []string
	exported map[string]string // slug → archmap export
}

func newCopyFixture(tb testing.TB) *copyFixture {
	tb.Helper()
	dir := tb.TempDir()
	f := &copyFixture{db: filepath.Join(dir, "source.db"), exported: map[string]string{}}
	for _, email := range []string{"ada@example.com", "bob@example.com"} {
		f.emails = append(f.emails, email)
		f.tokens = append(f.tokens, newAPIToken(tb, f.db, email))
	}
	for i, slug := range []string{"shop", "billing", "search"} {
		m := topologytest.Generate(20 + 10*i)
		m.Name = fmt.Sprintf("%s <%d>", slug, i)
		y, err := topology.EncodeYAML(m)
		if err != nil {
			tb.Fatal(err)
		}
		if r := runCLI(tb, "", nil, "import", "--db", f.db, "--workspace", slug, writeFile(tb, dir, slug+".yaml", y)); r.code != 0 {
			tb.Fatalf("import %s: %s", slug, r.stderr)
		}
		f.slugs = append(f.slugs, slug)
	}
	base, stop := serveHere(tb, "--db", f.db)
	api := newAPIClient(base, f.tokens[1], nil)
	share := func(slug, body string) string {
		tb.Helper()
		r := api.must(tb, http.StatusCreated, http.MethodPost, "/api/v1/workspaces/"+slug+"/shares", []byte(body))
		var s struct {
			ID  int64  `json:"id"`
			URL string `json:"url"`
		}
		if err := json.Unmarshal(r.body, &s); err != nil || !strings.HasPrefix(s.URL, "/s/") {
			tb.Fatalf("share: %s", r.body)
		}
		return fmt.Sprintf("%d %s", s.ID, s.URL)
	}
	for _, slug := range f.slugs {
		// An edit through the API: history with an author.
		et := api.revision(tb, slug)
		api.must(tb, http.StatusCreated, http.MethodPost, "/api/v1/workspaces/"+slug+"/services", []byte(`{"name": "added by bob", "kind": "service"}`), "If-Match", et)
		_, u, _ := strings.Cut(share(slug, `{}`), " ")
		f.shares = append(f.shares, u)
	}
	_, pinned, _ := strings.Cut(share("billing", `{"pin": true, "expires_in": "72h"}`), " ")
	f.shares = append(f.shares, pinned)
	id, revoked, _ := strings.Cut(share("search", `{}`), " ")
	api.must(tb, http.StatusNoContent, http.MethodDelete, "/api/v1/workspaces/search/shares/"+id, nil)
	f.revoked = revoked
	stop()
	for _, slug := range f.slugs {
		f.exported[slug] = exportOf(tb, "--db", f.db, slug)
	}
	return f
}

func exportOf(tb testing.TB, dbFlag, db, slug string) string {
	tb.Helper()
	r := runCLI(tb, "", nil, "export", dbFlag, db, "--workspace", slug)
	if r.code != 0 {
		tb.Fatalf("export %s: exit %d: %s", slug, r.code, r.stderr)
	}
	return r.stdout
}

// check serves the copy named by dbArgs and asserts that it works as the
// source did: the same passwords sign in, the same tokens and links open,
// the revoked link stays revoked, every workspace exports the same.
func (f *copyFixture) check(t *testing.T, dbFlag, db string) {
	t.Helper()
	base, stop := serveHere(t, dbFlag, db)
	for i, email := range f.emails {
		b := signIn(t, base, email, testPassword)
		b.get(t, "/")
		api := newAPIClient(base, f.tokens[i], nil)
		r := api.must(t, http.StatusOK, http.MethodGet, "/api/v1/workspaces", nil)
		for _, slug := range f.slugs {
			if !strings.Contains(string(r.body), `"`+slug+`"`) {
				t.Errorf("%s's token on the copy does not list %s: %s", email, slug, r.body)
			}
		}
	}
	anon := newAPIClient(base, "", nil)
	for _, path := range f.shares {
		anon.must(t, http.StatusOK, http.MethodGet, path, nil)
	}
	anon.must(t, http.StatusNotFound, http.MethodGet, f.revoked, nil)
	stop()
	for _, slug := range f.slugs {
		if got := exportOf(t, dbFlag, db, slug); got != f.exported[slug] {
			t.Errorf("workspace %s exports differently after the copy:\nbefore %.300s\nafter  %.300s", slug, f.exported[slug], got)
		}
	}
}

// TestDBCopy: archmap db copy from one SQLite database into a new one, and
// (with ARCHMAP_TEST_DATABASE_URL) into PostgreSQL and from there into
// SQLite again; a server on each copy is the same server to its users.
func TestDBCopy(t *testing.T) {
	f := newCopyFixture(t)
	target := filepath.Join(t.TempDir(), "copy.db")
	r := runCLI(t, "", nil, "db", "copy", "--from", "sqlite:"+f.db, "--to", target)
	if r.code != 0 {
		t.Fatalf("db copy: exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{"users", "api_tokens", "shares", "pinned_models", "workspaces", "model_changes", "revisions", "every count agrees"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("db copy's report lacks %q:\n%s", want, r.stdout)
		}
	}
	t.Logf("db copy:\n%s", r.stdout)
	f.check(t, "--db", target)

	// A second copy into the now full target is refused, and changes nothing.
	r = runCLI(t, "", nil, "db", "copy", "--from", f.db, "--to", "sqlite:"+target)
	if r.code != 1 || !strings.Contains(r.stderr, "not empty") {
		t.Errorf("db copy into a full database: exit %d, %s; want 1 and a refusal", r.code, r.stderr)
	}
	t.Run("to PostgreSQL and back", func(t *testing.T) {
		pg := pgtest.URL(t) // skipped without ARCHMAP_TEST_DATABASE_URL, never under CI=true
		r := runCLI(t, "", nil, "db", "copy", "--from", f.db, "--to", pg)
		if r.code != 0 {
			t.Fatalf("db copy to PostgreSQL: exit %d: %s", r.code, r.stderr)
		}
		t.Logf("db copy to PostgreSQL:\n%s", r.stdout)
		f.check(t, "--database-url", pg)
		back := filepath.Join(t.TempDir(), "back.db")
		if r := runCLI(t, "", nil, "db", "copy", "--from", pg, "--to", "sqlite:"+back); r.code != 0 {
			t.Fatalf("db copy from PostgreSQL: exit %d: %s", r.code, r.stderr)
		}
		f.check(t, "--db", back)
	})

	for _, bad := range [][]string{
		{"db", "copy", "--from", f.db},
		{"db", "copy", "--from", f.db, "--to", "sqlite:" + f.db},
		{"db", "move", "--from", f.db, "--to", target},
	} {
		if r := runCLI(t, "", nil, bad...); r.code != 2 {
			t.Errorf("%v: exit %d, want 2: %s", bad, r.code, r.stderr)
		}
	}
}
