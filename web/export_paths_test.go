package main

import (
	"bytes"
	"context"
	"encoding/json"
	"image/png"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestEveryExportPathGivesTheSameBytes draws one model through the four
// ways a user gets a diagram file — `archmap render`, the workspace's
// download, the API and a share link's download — and wants the same bytes
// from each: the standalone SVG (its styles inside, no external DTD) and
// the DOT source. A query with an empty view must be the same diagram, and
// the same cache entry, as one without.
func TestEveryExportPathGivesTheSameBytes(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server with render workers")
	}
	model, err := os.ReadFile(filepath.Join("..", "diagram", "testdata", "shop.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "archmap.db")
	path := writeFile(t, dir, "shop.yaml", model)
	if r := runCLI(t, "", nil, "import", "--db", db, "--workspace", "shop", path); r.code != 0 {
		t.Fatalf("import: exit %d: %s", r.code, r.stderr)
	}
	const email = "export@example.com"
	token := newAPIToken(t, db, email)

	ctx, cancel := context.WithCancel(context.Background())
	logs := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--db", db, "--render-workers", "1"}, strings.NewReader(""), io.Discard, logs)
	}()
	base := waitForURL(t, logs, done)
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve returned %v after shutdown", err)
			}
		case <-time.After(20 * time.Second):
			t.Error("serve did not stop")
		}
	})

	api := newAPIClient(base, token, nil)
	var share struct {
		URL string `json:"url"`
	}
	r := api.must(t, http.StatusCreated, http.MethodPost, "/api/v1/workspaces/shop/shares", []byte(`{}`))
	if err := json.Unmarshal(r.body, &share); err != nil || share.URL == "" {
		t.Fatalf("share: %s", r.body)
	}
	shareURL, err := url.Parse(share.URL)
	if err != nil {
		t.Fatal(err)
	}
	browser := signIn(t, base, email, "correct horse battery staple").http

	get := func(t *testing.T, hc *http.Client, u string, header ...string) []byte {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, u, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %s: %.300s", u, resp.Status, b)
		}
		return b
	}

	tests := []struct {
		name  string
		query string
		flags []string
	}{
		{"defaults", "", nil},
		{"empty view", "view=&focus=&group=", nil},
		{"deployment, focus, group", "view=deployment&focus=cart&depth=2&group=team", []string{"--view", "deployment", "--focus", "cart", "--depth", "2", "--group", "team"}},
	}
	for _, format := range []string{"svg", "png", "dot"} {
		for _, tt := range tests {
			t.Run(format+"/"+tt.name, func(t *testing.T) {
				cli := runCLI(t, "", nil, append(append([]string{"render", "--format", format}, tt.flags...), path)...)
				if cli.code != 0 {
					t.Fatalf("render: exit %d: %s", cli.code, cli.stderr)
				}
				want := []byte(cli.stdout)
				q := ""
				if tt.query != "" {
					q = "?" + tt.query
				}
				got := map[string][]byte{
					"/w/ download": get(t, browser, base+"/w/shop/diagram."+format+q),
					"API":          get(t, http.DefaultClient, base+"/api/v1/workspaces/shop/diagram."+format+q, "Authorization", "Bearer "+token),
					"share link":   get(t, http.DefaultClient, base+shareURL.Path+"/diagram."+format+q),
				}
				for from, b := range got {
					if !bytes.Equal(b, want) {
						t.Errorf("%s differs from archmap render (%d bytes against %d):\n%.400s", from, len(b), len(want), b)
					}
				}
				switch format {
				case "png":
					img, err := png.Decode(bytes.NewReader(want))
					if err != nil {
						t.Fatalf("not a PNG: %v", err)
					}
					// Twice the SVG's size: the standalone SVG's width in pt is
					// 4/3 CSS px, and the picture has 2 pixels a CSS pixel.
					if b := img.Bounds(); b.Dx() < 200 || b.Dy() < 100 {
						t.Errorf("a %dx%d picture", b.Dx(), b.Dy())
					}
				case "svg":
					s := string(want)
					if !strings.HasPrefix(s, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`) || !strings.Contains(s, "<style") || strings.Contains(s, "DOCTYPE") || strings.Contains(s, "svg11.dtd") {
						t.Errorf("not a standalone SVG:\n%.400s", s)
					}
				default:
					if !strings.HasPrefix(string(want), "digraph archmap {") {
						t.Errorf("not the DOT source:\n%.200s", want)
					}
				}
			})
		}
	}
}
