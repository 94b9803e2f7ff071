package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"

	"github.com/archmap/archmap/internal/pgtest"
	"github.com/archmap/archmap/store"
	"github.com/archmap/archmap/topology"
	"github.com/archmap/archmap/topology/topologytest"
)

// TestCrashSafety runs the real server as a child process, makes writes
// through the API from several clients, and kills the server with SIGKILL
// at a random moment, round after round. After each kill the database file
// must pass PRAGMA integrity_check, and every write the server acknowledged
// (answered 2xx) must be there, after the crash and after the restart; a
// whole-model replace must be all there or not at all.
//
// make test runs 3 rounds; make crashtest runs ARCHMAP_CRASH_ROUNDS=25.
// ARCHMAP_CRASH_SEED replays a run (the seed is logged).
func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and crashes the real server: not in -short")
	}
	crashSafety(t, filepath.Join(t.TempDir(), "archmap.db"))
}

// TestCrashSafetyPostgres is the same on PostgreSQL (a fresh schema of
// ARCHMAP_TEST_DATABASE_URL): SIGKILL mid-transaction leaves the database
// to roll back, and every acknowledged write is there.
func TestCrashSafetyPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and crashes the real server: not in -short")
	}
	crashSafety(t, pgtest.URL(t))
}

// crashSafety runs the rounds against db, a SQLite path or a postgres://
// URL.
func crashSafety(t *testing.T, db string) {
	rounds := envInt(t, "ARCHMAP_CRASH_ROUNDS", 3)
	seed := uint64(time.Now().UnixNano())
	if v := os.Getenv("ARCHMAP_CRASH_SEED"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("ARCHMAP_CRASH_SEED=%q: %v", v, err)
		}
		seed = n
	}
	t.Logf("%d rounds, ARCHMAP_CRASH_SEED=%d", rounds, seed)
	rng := rand.New(rand.NewPCG(seed, 0xc7a5))

	bin := buildArchmap(t)
	token := newAPIToken(t, db, "crash@example.com")
	h := &crashHistory{services: map[string]bool{}, lastAcked: -1}

	for round := 1; round <= rounds; round++ {
		roundStart := time.Now()
		srv := startChild(t, bin, db)
		started := time.Since(roundStart)
		api := newAPIClient(srv.url, token, &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 16}})
		if round == 1 {
			api.createWorkspace(t, "Crash")
			api.createWorkspace(t, "Bulk")
		}
		// What the previous crash left is what the restarted server serves.
		h.checkAPI(t, api)

		var killed atomic.Bool
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for w := range crashWriters {
			wg.Go(func() { h.writeServices(t, ctx, api, &killed, round, w) })
		}
		wg.Go(func() { h.replaceModels(t, ctx, api, &killed, round) })
		wg.Go(func() { pollHealth(t, ctx, srv.url, &killed) })

		window := time.Duration(50+rng.IntN(1500)) * time.Millisecond
		time.Sleep(window)
		killed.Store(true)
		srv.kill(t)
		cancel()
		wg.Wait()
		killedAt := time.Now()
		if t.Failed() {
			t.Fatalf("round %d failed; replay with ARCHMAP_CRASH_SEED=%d", round, seed)
		}

		waitNoProcesses(t, bin)
		reaped := time.Since(killedAt)
		checkIntegrity(t, db)
		h.checkStore(t, db)
		t.Logf("round %d: started in %v, killed after %v of writes, workers gone %v later; %d services and %d model replaces acknowledged so far",
			round, started.Round(time.Millisecond), window, reaped.Round(time.Millisecond), len(h.services), h.replaces)
		if t.Failed() {
			t.Fatalf("round %d failed; replay with ARCHMAP_CRASH_SEED=%d", round, seed)
		}
	}

	// After the last crash, the server starts, serves everything and stops cleanly.
	srv := startChild(t, bin, db)
	h.checkAPI(t, newAPIClient(srv.url, token, nil))
	srv.stop(t)
	checkIntegrity(t, db)
}

// crashWriters is how many clients create services side by side.
const crashWriters = 4

// crashHistory records what the server acknowledged.
type crashHistory struct {
	mu       sync.Mutex
	services map[string]bool // names of services created with a 201
	// models are the whole models sent to the Bulk workspace, in order;
	// lastAcked is the index of the last one answered 200 (-1: none).
	models    [][]byte
	lastAcked int
	replaces  int // acknowledged
}

func (h *crashHistory) writeServices(tb testing.TB, ctx context.Context, api *apiClient, killed *atomic.Bool, round, w int) {
	for i := 0; ctx.Err() == nil; i++ {
		name := fmt.Sprintf("w%d-r%d-%d", w, round, i)
		body, _ := json.Marshal(map[string]string{"name": name, "team": "crash"})
		r, err := api.do(ctx, http.MethodPost, "/api/v1/workspaces/crash/services", body)
		if killed.Load() {
			// The answer to a request in flight when the server died is
			// whatever the kill made it; only 201s count, and only if
			// they came before the kill.
			if err == nil && r.status == http.StatusCreated {
				h.ack(name)
			}
			return
		}
		if err != nil || r.status != http.StatusCreated {
			tb.Errorf("writer %d: POST service %s before any kill: %v", w, name, describeAnswer(r, err))
			return
		}
		h.ack(name)
	}
}

func (h *crashHistory) ack(name string) {
	h.mu.Lock()
	h.services[name] = true
	h.mu.Unlock()
}

// replaceModels replaces the whole model of the Bulk workspace again and
// again with a 200-service model, each time named differently, so that a
// torn replace would show as a mix of two.
func (h *crashHistory) replaceModels(tb testing.TB, ctx context.Context, api *apiClient, killed *atomic.Bool, round int) {
	for i := 0; ctx.Err() == nil; i++ {
		m := topologytest.Generate(200 + i%7)
		m.Name = fmt.Sprintf("Bulk round %d, replace %d", round, i)
		data, err := topology.EncodeJSON(m)
		if err != nil {
			tb.Errorf("encode: %v", err)
			return
		}
		h.mu.Lock()
		h.models = append(h.models, data)
		idx := len(h.models) - 1
		h.mu.Unlock()
		r, err := api.do(ctx, http.MethodPut, "/api/v1/workspaces/bulk/model", data)
		ok := err == nil && r.status == http.StatusOK
		if ok {
			h.mu.Lock()
			h.lastAcked = idx
			h.replaces++
			h.mu.Unlock()
		}
		if killed.Load() {
			return
		}
		if !ok {
			tb.Errorf("PUT model before any kill: %v", describeAnswer(r, err))
			return
		}
	}
}

func describeAnswer(r *apiResponse, err error) string {
	if err != nil {
		return err.Error()
	}
	return fmt.Sprintf("status %d: %.300s", r.status, strings.TrimSpace(string(r.body)))
}

// pollHealth asks /healthz every 20 ms until the kill; every answer before
// it must be 200.
func pollHealth(tb testing.TB, ctx context.Context, base string, killed *atomic.Bool) {
	c := &http.Client{Timeout: 5 * time.Second}
	for ctx.Err() == nil {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/healthz", nil)
		resp, err := c.Do(req)
		if killed.Load() {
			return
		}
		if err != nil {
			tb.Errorf("/healthz: %v", err)
			return
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			tb.Errorf("/healthz: status %d", resp.StatusCode)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitNoProcesses waits until no process of the binary at bin is left: the
// render workers of a killed server must notice and exit, not live on as
// orphans holding memory.
func waitNoProcesses(tb testing.TB, bin string) {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		left := processesOf(bin)
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			tb.Errorf("10 s after the server was killed, processes of its binary live on: %v", left)
			for _, pid := range left {
				if p, err := os.FindProcess(pid); err == nil {
					_ = p.Kill()
				}
			}
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// processesOf lists the pids whose command line starts with bin. bin is a
// path in a temporary directory of this test, so nothing else can match.
func processesOf(bin string) []int {
	entries, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cmdline, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if err != nil {
			continue
		}
		if arg0, _, _ := strings.Cut(string(cmdline), "\x00"); arg0 == bin {
			pids = append(pids, pid)
		}
	}
	return pids
}

// checkIntegrity opens the file the crash left, read-only, before anything
// else touches it, and runs SQLite's own checks on it.
//
// A PostgreSQL database recovers by its own WAL and is checked through the
// store alone (checkStore).
func checkIntegrity(tb testing.TB, path string) {
	tb.Helper()
	if store.IsPostgresURL(path) {
		return
	}
	conn, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close()
	if res := pragmaRows(tb, conn, "integrity_check"); len(res) != 1 || res[0] != "ok" {
		tb.Fatalf("PRAGMA integrity_check: %v", res)
	}
	if res := pragmaRows(tb, conn, "foreign_key_check"); len(res) > 0 {
		tb.Fatalf("PRAGMA foreign_key_check found rows that point nowhere: %v", res)
	}
}

// pragmaRows runs PRAGMA name and returns the first column of its rows.
func pragmaRows(tb testing.TB, conn *sql.DB, name string) []string {
	tb.Helper()
	rows, err := conn.Query("PRAGMA " + name)
	if err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		tb.Fatal(err)
	}
	var res []string
	for rows.Next() {
		var s sql.NullString
		dest := make([]any, len(cols))
		dest[0] = &s
		for i := 1; i < len(dest); i++ {
			dest[i] = new(any)
		}
		if err := rows.Scan(dest...); err != nil {
			tb.Fatal(err)
		}
		res = append(res, s.String)
	}
	if err := rows.Err(); err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	return res
}

// checkStore reads the database as the restarted server will.
func (h *crashHistory) checkStore(tb testing.TB, path string) {
	tb.Helper()
	ctx := context.Background()
	db, err := store.OpenURL(ctx, path)
	if err != nil {
		tb.Fatalf("reopen after the crash: %v", err)
	}
	defer db.Close()
	m, ws, err := db.LoadModel(ctx, "crash")
	if err != nil {
		tb.Fatal(err)
	}
	// Every committed revision has its history entry: a revision and its
	// record are one transaction.
	if _, total, err := db.ListRevisions(ctx, "crash", 0, 1); err != nil || int64(total) != ws.Revision {
		tb.Fatalf("workspace at revision %d has %d history entries (%v)", ws.Revision, total, err)
	}
	names := make([]string, len(m.Services))
	for i, s := range m.Services {
		names[i] = s.Name
	}
	h.checkServices(tb, names)

	bulk, _, err := db.LoadModel(ctx, "bulk")
	if err != nil {
		tb.Fatal(err)
	}
	h.checkBulk(tb, bulk)
}

// checkAPI reads what the server serves: every acknowledged service and an
// untorn Bulk model.
func (h *crashHistory) checkAPI(tb testing.TB, api *apiClient) {
	tb.Helper()
	var names []string
	for offset := 0; ; {
		r := api.must(tb, http.StatusOK, http.MethodGet, "/api/v1/workspaces/crash/services?limit=1000&offset="+strconv.Itoa(offset), nil)
		var page struct {
			Items []struct {
				Name string `json:"name"`
			} `json:"items"`
			Total int `json:"total"`
		}
		if err := json.Unmarshal(r.body, &page); err != nil {
			tb.Fatalf("service list: %v", err)
		}
		for _, it := range page.Items {
			names = append(names, it.Name)
		}
		offset += len(page.Items)
		if len(page.Items) == 0 || offset >= page.Total {
			break
		}
	}
	h.checkServices(tb, names)
	r := api.must(tb, http.StatusOK, http.MethodGet, "/api/v1/workspaces/bulk/model", nil)
	m, err := topology.Parse(r.body)
	if err != nil {
		tb.Fatalf("the served Bulk model does not parse: %v", err)
	}
	h.checkBulk(tb, m)
}

func (h *crashHistory) checkServices(tb testing.TB, names []string) {
	tb.Helper()
	h.mu.Lock()
	defer h.mu.Unlock()
	have := make(map[string]bool, len(names))
	for _, n := range names {
		if have[n] {
			tb.Errorf("service %q is there twice", n)
		}
		have[n] = true
	}
	var lost []string
	for n := range h.services {
		if !have[n] {
			lost = append(lost, n)
		}
	}
	if len(lost) > 0 {
		slices.Sort(lost)
		tb.Errorf("%d acknowledged services were lost: %v", len(lost), lost[:min(len(lost), 20)])
	}
}

// checkBulk wants the Bulk model to be exactly one of the models sent at or
// after the last acknowledged one: a later one may have been committed
// before the kill took its answer away, a torn one never.
func (h *crashHistory) checkBulk(tb testing.TB, m *topology.Model) {
	tb.Helper()
	got, err := topology.EncodeJSON(m)
	if err != nil {
		tb.Fatal(err)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.models) == 0 {
		return
	}
	from := max(h.lastAcked, 0)
	for _, sent := range h.models[from:] {
		if string(sent) == string(got) {
			return
		}
	}
	if h.lastAcked < 0 && len(m.Services) == 0 {
		return // nothing acknowledged yet, and still the empty model
	}
	tb.Errorf("the Bulk model %q (%d services) is none of the models sent since the last acknowledged replace (%d)", m.Name, len(m.Services), h.lastAcked)
}

// envInt reads a positive count from the environment, or returns def.
func envInt(tb testing.TB, name string, def int) int {
	tb.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		tb.Fatalf("%s=%q: want a whole number of at least 1", name, v)
	}
	return n
}
