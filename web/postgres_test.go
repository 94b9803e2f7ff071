package main

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/archmap/archmap/internal/pgtest"
	"github.com/archmap/archmap/store"
)

// Two `archmap serve --database-url postgres://…` started at once on an
// empty database: both come up ready (the migrations are applied once,
// under the advisory lock), the demo workspace is made exactly once, and
// the URL's password never reaches the log.
func TestServeTwoNodesOnPostgres(t *testing.T) {
	u := pgtest.URL(t)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	logs := []*syncBuffer{{}, {}}
	for i := range logs {
		wg.Go(func() {
			if err := run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--database-url", u, "--render-workers", "1"}, strings.NewReader(""), io.Discard, logs[i]); err != nil {
				t.Errorf("node %d: serve: %v", i, err)
			}
		})
	}
	defer func() {
		cancel()
		wg.Wait()
	}()
	serving := regexp.MustCompile(`msg="archmap is serving" url=(http://\S+)`)
	for i, l := range logs {
		var base string
		for deadline := time.Now().Add(30 * time.Second); base == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if m := serving.FindStringSubmatch(l.String()); m != nil {
				base = m[1]
			}
		}
		if base == "" {
			t.Fatalf("node %d did not start:\n%s", i, l.String())
		}
		resp, err := http.Get(base + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("node %d: /readyz %d", i, resp.StatusCode)
		}
	}
	db, err := store.OpenURL(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	list, err := db.ListWorkspaces(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 {
		t.Errorf("%d workspaces after two nodes started on an empty database, want the demo once: %+v", len(list), list)
	}
	if n := strings.Count(logs[0].String()+logs[1].String(), "created the Demo shop workspace"); n != 1 {
		t.Errorf("the demo was made %d times", n)
	}
}

// A PostgreSQL URL that cannot be reached fails serve at once with a
// message that names the server and not the password.
func TestServePostgresUnreachable(t *testing.T) {
	r := runCLI(t, "", nil, "export", "--database-url", "postgres://archmap:s3cret@127.0.0.1:1/archmap?connect_timeout=2", "--workspace", "shop")
	if r.code == 0 {
		t.Fatal("export from an unreachable database succeeded")
	}
	if strings.Contains(r.stderr, "s3cret") {
		t.Errorf("the password reached the message: %s", r.stderr)
	}
	if !strings.Contains(r.stderr, "127.0.0.1") {
		t.Errorf("the message does not say which server: %s", r.stderr)
	}
}
