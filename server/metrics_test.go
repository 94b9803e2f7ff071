package server

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/archmap/archmap/store"
)

// TestMetricsNameRoutesNotPaths: requests are counted by route pattern;
// no workspace slug, share token or API token ever appears in the metrics.
func TestMetricsNameRoutesNotPaths(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "archmap.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	reg := prometheus.NewRegistry()
	srv, err := New(Config{DB: db, Renderer: sharedRenderer(t), Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Metrics: reg})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	f := &apiFixture{testServer: &testServer{Server: ts, db: db, srv: srv}}
	u, err := db.CreateUser(ctx, testEmail, fixturePasswordHash(t), true)
	if err != nil {
		t.Fatal(err)
	}
	f.user, f.token = u, mustAPIToken(t, db, u.ID)
	if err := db.SetInstanceSetting(ctx, store.InstanceBaseURL, ts.URL); err != nil {
		t.Fatal(err) // as /setup stores it: share links are built from it
	}

	slug := importModel(t, db, "secret-merger-target", shopModel())
	share, _ := f.createShare(t, slug, `{}`)
	f.api(t, "GET", "/workspaces/"+slug+"/model", nil).want(t, http.StatusOK)
	f.api(t, "GET", "/workspaces/"+slug+"/findings", nil).want(t, http.StatusOK)
	f.api(t, "GET", "/workspaces/nope-"+slug+"/findings", nil).want(t, http.StatusNotFound)
	f.anon(t, "GET", "/s/"+share, nil)
	f.anon(t, "GET", "/s/"+share+"x", nil)
	request(t, f.testServer, "GET", "/no/such/"+slug, nil)

	rec := httptest.NewRecorder()
	promhttp.HandlerFor(reg, promhttp.HandlerOpts{}).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body := rec.Body.String()
	for _, secret := range []string{slug, share, f.token} {
		if strings.Contains(body, secret) {
			t.Errorf("the metrics contain %q", secret)
		}
	}
	for _, want := range []string{
		`archmap_http_requests_total{code="200",method="GET",route="/api/v1/workspaces/:slug/model"} 1`,
		`archmap_http_requests_total{code="404",method="GET",route="/api/v1/workspaces/:slug/findings"} 1`,
		`archmap_http_requests_total{code="200",method="GET",route="/s/:token"} 1`,
		`archmap_http_requests_total{code="404",method="GET",route="/s/:token"} 1`,
		`route="unmatched"`,
		`archmap_http_request_duration_seconds_bucket{method="GET",route="/api/v1/workspaces/:slug/model",le=`,
		`go_sql_open_connections{db_name="archmap",pool="read"}`,
		`go_sql_open_connections{db_name="archmap",pool="write"}`,
		`archmap_heavy_work_in_progress 0`,
		`archmap_render_layouts_total`,
		`archmap_snapshot_loads_total`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the metrics lack %s", want)
		}
	}
	if t.Failed() {
		t.Logf("metrics:\n%s", body)
	}
}

// TestReadyz: /livez answers while the process runs; /readyz only while
// the database answers and its schema is complete.
func TestReadyz(t *testing.T) {
	ts := newTestServer(t)
	request(t, ts, "GET", "/livez", nil).want(t, http.StatusOK)
	request(t, ts, "GET", "/readyz", nil).want(t, http.StatusOK)
	// A node whose schema is behind (another process migrating, a swapped
	// file) must not get traffic.
	_, write := ts.db.Pools()
	if _, err := write.Exec("DELETE FROM schema_migrations WHERE version = (SELECT MAX(version) FROM schema_migrations)"); err != nil {
		t.Fatal(err)
	}
	request(t, ts, "GET", "/readyz", nil).want(t, http.StatusServiceUnavailable)
	request(t, ts, "GET", "/livez", nil).want(t, http.StatusOK)
	ts.db.Close()
	request(t, ts, "GET", "/readyz", nil).want(t, http.StatusServiceUnavailable)
	request(t, ts, "GET", "/livez", nil).want(t, http.StatusOK)
}
