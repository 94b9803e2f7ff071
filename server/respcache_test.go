package server

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/topology/topologytest"
)

func TestAcceptsGzip(t *testing.T) {
	for _, tc := range []struct {
		header []string
		want   bool
	}{
		{nil, false},
		{[]string{""}, false},
		{[]string{"gzip"}, true},
		{[]string{"GZIP"}, true},
		{[]string{"x-gzip"}, true},
		{[]string{"deflate, gzip;q=1.0, br"}, true},
		{[]string{"br", "gzip"}, true},
		{[]string{"gzip;q=0"}, false},
		{[]string{"gzip; q=0.000"}, false},
		{[]string{"gzip;q=0.5"}, true},
		{[]string{"identity"}, false},
		{[]string{"*"}, true},
		{[]string{"*;q=0"}, false},
		{[]string{"*, gzip;q=0"}, false},
		{[]string{"gzip;q=0, *"}, false},
		{[]string{"*;q=0, gzip"}, true},
		{[]string{"gzipped"}, false},
	} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		for _, v := range tc.header {
			r.Header.Add("Accept-Encoding", v)
		}
		if got := acceptsGzip(r); got != tc.want {
			t.Errorf("Accept-Encoding %q: %v, want %v", tc.header, got, tc.want)
		}
	}
}

// TestCachedResponsesAreGzippedOnRequest: every cached route answers a
// client that accepts gzip with the same body, gzip-encoded, and says so in
// Vary; a client that does not gets it as it is.
func TestCachedResponsesAreGzippedOnRequest(t *testing.T) {
	f := newAPIFixture(t)
	// Big enough for every body to be worth encoding.
	slug := importModel(t, f.db, "gen", topologytest.Generate(30))
	share, _ := f.createShare(t, slug, `{"pin": false}`)
	for _, path := range []string{
		"/api/v1/workspaces/" + slug + "/findings",
		"/api/v1/workspaces/" + slug + "/diagram.svg",
		"/api/v1/workspaces/" + slug + "/diagram.dot?view=deployment",
		"/s/" + share,
		"/s/" + share + "/diagram.svg",
		"/s/" + share + "/diagram/fragment",
	} {
		auth := []string{"Authorization", "Bearer " + f.token}
		for round := range 2 { // computed, then from the cache
			plain := request(t, f.testServer, "GET", path, nil, append(auth, "Accept-Encoding", "identity")...).want(t, http.StatusOK)
			zipped := request(t, f.testServer, "GET", path, nil, append(auth, "Accept-Encoding", "gzip")...).want(t, http.StatusOK)
			if plain.Header.Get("Content-Encoding") != "" {
				t.Errorf("%s (round %d): encoded %q for a client that wants identity", path, round, plain.Header.Get("Content-Encoding"))
			}
			if zipped.Header.Get("Content-Encoding") != "gzip" {
				t.Errorf("%s (round %d): not gzip-encoded for a client that accepts it", path, round)
				continue
			}
			if !strings.Contains(zipped.Header.Get("Vary"), "Accept-Encoding") {
				t.Errorf("%s: no Vary: Accept-Encoding", path)
			}
			zr, err := gzip.NewReader(bytes.NewReader(zipped.body))
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(zr)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(body, plain.body) || len(body) == 0 {
				t.Errorf("%s (round %d): the gzip body inflates to %d bytes, the plain one has %d", path, round, len(body), len(plain.body))
			}
		}
	}
}

// TestResponseCacheIsBounded: the cache never holds more than its bound,
// drops the least recently used first, and never keeps a body too big for it.
func TestResponseCacheIsBounded(t *testing.T) {
	rc := newResponseCache(16 << 10) // 16 KiB: eight 1 KiB bodies, counted twice
	body := bytes.Repeat([]byte("x"), 1<<10)
	for i := range 8 {
		rc.put(fmt.Sprint(i), body)
	}
	rc.get("0") // recently used: stays
	rc.put("8", body)
	if _, ok := rc.get("1"); ok {
		t.Error("the least recently used body was kept past the bound")
	}
	for _, k := range []string{"0", "8"} {
		if _, ok := rc.get(k); !ok {
			t.Errorf("body %s was dropped", k)
		}
	}
	if rc.bodies.used > rc.bodies.max {
		t.Errorf("holds %d bytes, bound %d", rc.bodies.used, rc.bodies.max)
	}
	// A body over an eighth of the cache is kept gzip-encoded only (issue
	// 12: it was encoded again on every request), unless even its encoding
	// is too big.
	big := rc.put("big", bytes.Repeat([]byte("y"), 4<<10))
	if kept, ok := rc.get("big"); !ok || kept.raw != nil || len(kept.gz) == 0 || big != kept {
		t.Error("a big body that compresses well was not kept encoded")
	}
	noise := make([]byte, 4<<10)
	_, _ = rand.NewChaCha8([32]byte{1}).Read(noise) // never fails
	if b := rc.put("noise", noise); b.raw == nil {
		t.Error("a big body that does not compress lost its raw form")
	}
	if _, ok := rc.get("noise"); ok {
		t.Error("a big body that does not compress was kept")
	}
	if rc.bodies.used > rc.bodies.max {
		t.Errorf("holds %d bytes, bound %d", rc.bodies.used, rc.bodies.max)
	}
}

// A body kept encoded only is sent encoded to a client that takes gzip and
// decoded, unchanged, to one that does not.
func TestBigBodyKeptEncodedIsServedToEveryClient(t *testing.T) {
	rc := newResponseCache(16 << 10)
	raw := bytes.Repeat([]byte("findings "), 1<<10)
	b := rc.put("k", raw)
	if b.raw != nil {
		t.Fatal("not kept encoded only")
	}
	for _, gz := range []bool{true, false} {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		if gz {
			req.Header.Set("Accept-Encoding", "gzip")
		}
		rec := httptest.NewRecorder()
		if err := writeCached(echo.New().NewContext(req, rec), http.StatusOK, "text/plain", b); err != nil {
			t.Fatal(err)
		}
		got := rec.Body.Bytes()
		if rec.Header().Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(bytes.NewReader(got))
			if err != nil {
				t.Fatal(err)
			}
			got, _ = io.ReadAll(zr)
		} else if gz {
			t.Error("a client that takes gzip got it decoded")
		}
		if !bytes.Equal(got, raw) {
			t.Errorf("gzip %v: body of %d bytes, want the %d put", gz, len(got), len(raw))
		}
	}
}
