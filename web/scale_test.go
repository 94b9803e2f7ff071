package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/archmap/archmap/topology"
	"github.com/archmap/archmap/topology/topologytest"
)

// TestScale is the scale suite (make scaletest): a 10 000-service,
// 20 000-dependency model from topologytest.Generate through the real
// binary — import, load, analysis, paginated entity lists, the whole-system
// diagram (which must fall back to the grouped view) and focus views of
// services picked at random — with /healthz polled throughout and the
// server's memory reported at the end. Timings are reported, not asserted;
// the suite fails on errors, on a whole-system diagram that is not grouped
// and on lists that do not page through every entity.
//
// ARCHMAP_SCALETEST=1 enables it; ARCHMAP_SCALETEST_SERVICES changes the size.
func TestScale(t *testing.T) {
	if os.Getenv("ARCHMAP_SCALETEST") == "" {
		t.Skip("the scale suite runs with ARCHMAP_SCALETEST=1 (make scaletest)")
	}
	n := envInt(t, "ARCHMAP_SCALETEST_SERVICES", 10000)
	m := topologytest.Generate(n)
	t.Logf("model: %d services, %d servers, %d placements, %d dependencies", len(m.Services), len(m.Servers), len(m.Placements), len(m.Dependencies))
	yaml, err := topology.EncodeYAML(m)
	if err != nil {
		t.Fatal(err)
	}
	jsonModel, err := topology.EncodeJSON(m)
	if err != nil {
		t.Fatal(err)
	}
	figures := &scaleFigures{}

	bin := buildArchmap(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "archmap.db")
	modelPath := writeFile(t, dir, "big.yaml", yaml)
	figures.add("model file (YAML)", 0, fmt.Sprintf("%.1f MiB", float64(len(yaml))/(1<<20)))

	// The CLI, as in CI: check, then import into a new database.
	start := time.Now()
	out, err := exec.Command(bin, "check", "--fail-on", "never", "--format", "json", modelPath).CombinedOutput()
	if err != nil {
		t.Fatalf("archmap check: %v\n%.1000s", err, out)
	}
	figures.add("archmap check (parse, validate, analyse)", time.Since(start), "")
	start = time.Now()
	if out, err := exec.Command(bin, "import", "--db", db, "--workspace", "big", modelPath).CombinedOutput(); err != nil {
		t.Fatalf("archmap import: %v\n%s", err, out)
	}
	figures.add("archmap import (new workspace)", time.Since(start), "")

	token := newAPIToken(t, db, "scale@example.com")
	srv := startChild(t, bin, db)
	api := newAPIClient(srv.url, token, &http.Client{Timeout: 5 * time.Minute})
	ctx, stopHealth := context.WithCancel(context.Background())
	health := newLoadStats()
	healthDone := make(chan struct{})
	go func() { healthLoop(ctx, srv.url, health); close(healthDone) }()

	timed := func(what string, want int, method, path string, body []byte, header ...string) *apiResponse {
		t.Helper()
		start := time.Now()
		r := api.must(t, want, method, path, body, header...)
		figures.add(what, time.Since(start), fmt.Sprintf("%.1f MiB", float64(len(r.body))/(1<<20)))
		return r
	}
	// The same model again through the API, into a second workspace.
	second := api.createWorkspace(t, "Big API")
	timed("PUT model (JSON, into an empty workspace)", http.StatusOK, http.MethodPut, "/api/v1/workspaces/"+second+"/model", jsonModel)
	timed("PUT model again (unchanged)", http.StatusOK, http.MethodPut, "/api/v1/workspaces/"+second+"/model", jsonModel)

	r := timed("GET model (JSON)", http.StatusOK, http.MethodGet, "/api/v1/workspaces/big/model", nil)
	if string(r.body) != string(jsonModel) {
		t.Errorf("the model served differs from the one imported (%d bytes, want %d)", len(r.body), len(jsonModel))
	}
	timed("GET model (YAML)", http.StatusOK, http.MethodGet, "/api/v1/workspaces/big/model", nil, "Accept", "application/yaml")
	r = timed("GET findings", http.StatusOK, http.MethodGet, "/api/v1/workspaces/big/findings", nil)
	var report struct {
		Findings []json.RawMessage `json:"findings"`
	}
	if err := json.Unmarshal(r.body, &report); err != nil {
		t.Fatalf("findings: %v", err)
	}
	figures.add("findings", 0, fmt.Sprint(len(report.Findings)))
	timed("POST simulate (fail zone-a)", http.StatusOK, http.MethodPost, "/api/v1/workspaces/big/simulate", []byte(`{"fail": ["zone:zone-a"]}`))

	// Every list pages through all its entities.
	for _, list := range []struct {
		plural string
		total  int
	}{
		{"services", len(m.Services)}, {"servers", len(m.Servers)},
		{"placements", len(m.Placements)}, {"dependencies", len(m.Dependencies)},
	} {
		const limit = 500
		var pages latencies
		seen := 0
		for offset := 0; offset < list.total; offset += limit {
			start := time.Now()
			r := api.must(t, http.StatusOK, http.MethodGet, fmt.Sprintf("/api/v1/workspaces/big/%s?offset=%d&limit=%d", list.plural, offset, limit), nil)
			pages.add(time.Since(start))
			var page struct {
				Items []json.RawMessage `json:"items"`
				Total int               `json:"total"`
			}
			if err := json.Unmarshal(r.body, &page); err != nil {
				t.Fatalf("%s page at %d: %v", list.plural, offset, err)
			}
			if page.Total != list.total {
				t.Errorf("%s: total %d, want %d", list.plural, page.Total, list.total)
			}
			seen += len(page.Items)
		}
		if seen != list.total {
			t.Errorf("%s: the pages held %d items, want %d", list.plural, seen, list.total)
		}
		count, p50, _, mx := pages.summary()
		figures.add(fmt.Sprintf("GET %s, %d pages of %d", list.plural, count, limit), p50, "p50; max "+ms(mx))
	}

	// The whole system is too big to draw service by service: the services
	// view groups them by team, the deployment view draws teams per server
	// or, past that, one box per server.
	for _, view := range []string{"services", "deployment"} {
		path := "/api/v1/workspaces/big/diagram.svg?view=" + view
		start := time.Now()
		r, err := api.do(context.Background(), http.MethodGet, path, nil)
		if err != nil || r.status != http.StatusOK {
			figures.add("whole-system diagram.svg, "+view+" view (cold)", time.Since(start), "FAILED: "+describeAnswer(r, err))
			t.Errorf("GET %s: %s", path, describeAnswer(r, err))
			continue
		}
		figures.add("whole-system diagram.svg, "+view+" view (cold)", time.Since(start), fmt.Sprintf("%.1f MiB", float64(len(r.body))/(1<<20)))
		// Graphviz writes the dashes of ids as &#45;.
		svg := strings.ReplaceAll(string(r.body), "&#45;", "-")
		switch {
		case strings.Contains(svg, `id="svc-`):
			t.Errorf("the whole-system %s view draws services one by one", view)
		case strings.Contains(svg, `id="team-`):
			figures.add("whole-system "+view+" view", 0, "grouped by team")
		case strings.Contains(svg, `id="srv-`) && view == "deployment":
			figures.add("whole-system "+view+" view", 0, "one box per server")
		default:
			t.Errorf("the whole-system %s view shows neither teams nor servers", view)
		}
		timed("whole-system diagram.svg, "+view+" view (again)", http.StatusOK, http.MethodGet, "/api/v1/workspaces/big/diagram.svg?view="+view, nil)
	}

	// Focus on services picked at random: each a new layout.
	rng := rand.New(rand.NewPCG(uint64(n), 1))
	for _, view := range []string{"services", "deployment"} {
		var focus latencies
		for range 20 {
			name := m.Services[rng.IntN(len(m.Services))].Name
			start := time.Now()
			api.must(t, http.StatusOK, http.MethodGet, "/api/v1/workspaces/big/diagram.svg?view="+view+"&depth=1&focus="+name, nil)
			focus.add(time.Since(start))
		}
		count, p50, _, mx := focus.summary()
		figures.add(fmt.Sprintf("focus diagram.svg, %s view, depth 1, %d services (cold)", view, count), p50, "p50; max "+ms(mx))
	}

	stopHealth()
	<-healthDone
	rss, peak := srv.rssKiB(t)
	figures.add("server RSS after the run", 0, fmt.Sprintf("%d MiB (peak %d MiB)", rss>>10, peak>>10))
	figures.add("render workers RSS", 0, fmt.Sprintf("%v MiB", workerRSS(t, bin)))
	hc, hp50, _, hmax := health.route("/healthz").summary()
	figures.add(fmt.Sprintf("/healthz during the run (%d polls)", hc), hp50, "p50; max "+ms(hmax))
	t.Logf("\n%s", figures)
	if n := health.errors.Load(); n > 0 {
		t.Errorf("/healthz failed %d times: %v", n, health.firstErrors())
	}
	srv.stop(t)
}

// scaleFigures is the suite's report, as a table for BENCHMARKS.md.
type scaleFigures struct{ rows [][3]string }

func (f *scaleFigures) add(what string, took time.Duration, note string) {
	t := ""
	if took > 0 {
		t = ms(took)
	}
	f.rows = append(f.rows, [3]string{what, t, note})
}

func (f *scaleFigures) String() string {
	var b strings.Builder
	b.WriteString("| step | time | size / note |\n|---|---:|---|\n")
	for _, r := range f.rows {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", r[0], r[1], r[2])
	}
	return b.String()
}
