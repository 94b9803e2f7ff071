package server

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"testing"

	"github.com/archmap/archmap/topology/topologytest"
)

// The findings JSON is complete (DESIGN §3), so linear in the model: past
// the response cache's per-body bound it is encoded once and kept encoded
// only, never rebuilt or re-encoded per request.
func TestFindingsOfBigModelAreEncodedOnce(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("analyses a 12 000-service model")
	}
	f := newAPIFixture(t)
	slug := importModel(t, f.db, "big", topologytest.Generate(12_000))
	get := func() (raw, wire int) {
		t.Helper()
		r := f.api(t, "GET", "/workspaces/"+slug+"/findings", nil, "Accept-Encoding", "gzip").want(t, http.StatusOK)
		if r.Header.Get("Content-Encoding") != "gzip" {
			t.Fatalf("findings of %d bytes not gzip-encoded", len(r.body))
		}
		zr, err := gzip.NewReader(bytes.NewReader(r.body))
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		return len(body), len(r.body)
	}
	raw, wire := get()
	if 2*raw <= responseCacheBytes/8 {
		t.Fatalf("findings of %d bytes: the test needs a body past the cache's per-body bound", raw)
	}
	hits := f.srv.responses.hits.Load()
	raw2, wire2 := get()
	if f.srv.responses.hits.Load() == hits || raw2 != raw || wire2 != wire {
		t.Errorf("second request: %d/%d bytes, cache hits %d → %d: not served from the cache", raw2, wire2, hits, f.srv.responses.hits.Load())
	}
	// Without gzip: the same JSON, decoded while it is sent.
	plain := f.api(t, "GET", "/workspaces/"+slug+"/findings", nil, "Accept-Encoding", "identity").want(t, http.StatusOK)
	if len(plain.body) != raw {
		t.Errorf("without gzip: %d bytes, want %d", len(plain.body), raw)
	}
	t.Logf("findings of 12 000 services: %d bytes of JSON, %d on the wire", raw, wire)
}
