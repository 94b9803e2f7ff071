package server

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/archmap/archmap/risk"
	"github.com/archmap/archmap/topology"
)

// The six modelling tasks of issue 15, done in Chromium the quickest way the
// editor allows, counting what the user does and waits for:
//
//	go test ./server -run TestBrowserModellingWalk -v -count=1   (make walk)
//
// clicks: every mouse click, a drop-down choice counting two (open, pick);
// typed fields: every field typed into; round trips: the page's requests to
// the server (documents and htmx's XHRs, from the DevTools network events;
// static files aside). Counting starts on the empty model tab of a new
// workspace. The figures are logged, not asserted (they are a measurement,
// recorded in BENCHMARKS.md); the test checks that the model came out right.
func TestBrowserModellingWalk(t *testing.T) {
	ts := newTestServer(t)
	b := newBrowser(t, ts.URL)
	slug := importModel(t, ts.db, "tasks", &topology.Model{Version: topology.FormatVersion, Name: "Tasks"})
	b.setUpFirstAdmin()
	b.run("open the empty model tab",
		b.navigate("/w/"+slug),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="editor"]`)),
	)
	w := &walk{b: b, base: ts.URL}
	w.listen()

	const (
		name   = `#service-new-name`
		kind   = `#service-new-kind`
		server = `#service-add [data-list="runs_on"] .link-row:last-child [data-testid="runs-on-server"]`
		to     = `#service-add [data-list="calls"] .link-row:last-child [data-testid="calls-to"]`
		rate   = `#service-add [data-list="calls"] .link-row:last-child [data-testid="calls-rate"]`
		proto  = `#service-add [data-list="calls"] .link-row:last-child [data-testid="calls-protocol"]`
		mode   = `#service-add [data-list="calls"] .link-row:last-child [data-testid="calls-mode"]`
		more   = `#service-add [data-testid="runs-on-more"]`
		call   = `#service-add [data-testid="calls-more"]`
		newSrv = `#service-add [data-testid="new-servers"]`
		srvKnd = `#service-add [data-testid="new-server-kind"]`
	)

	// 1. A search service on 3 servers (new ones).
	w.clickType(name, "search")
	w.clickType(server, "search-1")
	w.click(more)
	w.typeFocused(server, "search-2")
	w.click(more)
	w.typeFocused(server, "search-3")
	w.click(newSrv) // stays ticked for the next adds
	w.submit("search")

	w.task("1. a search service on 3 servers")

	// 2. Three services sharing a VM. After each add focus is back in the
	// name field: no click to start the next.
	w.typeFocused(name, "app-a")
	w.clickType(server, "shared-vm")
	w.submit("app-a")
	for _, s := range []string{"app-b", "app-c"} {
		w.typeFocused(name, s)
		w.clickType(server, "shared-vm")
		w.submit(s)
	}

	w.task("2. three services sharing a VM")

	// 3. A database alone on its server.
	w.typeFocused(name, "orders-db")
	w.choose(kind, "database")
	w.clickType(server, "db-1")
	w.submit("orders-db")

	w.task("3. a database alone on its server")

	// 4. A chatty frontend: 8 synchronous calls per request to search,
	// across the network, and one to app-a.
	w.typeFocused(name, "web")
	w.choose(kind, "frontend")
	w.clickType(server, "web-1")
	w.clickType(to, "search")
	w.clickType(rate, "8")
	w.click(call)
	w.typeFocused(to, "app-a")
	w.submit("web")

	w.task("4. a chatty frontend")

	// 5. IPC across servers: indexer on search-1 calls renderer, on its
	// own server, over IPC.
	w.typeFocused(name, "renderer")
	w.clickType(server, "render-1")
	w.submit("renderer")
	w.typeFocused(name, "indexer")
	w.clickType(server, "search-1")
	w.clickType(to, "renderer")
	w.choose(proto, "ipc")
	w.submit("indexer")

	w.task("5. IPC across servers")

	// 6. A queue-triggered function: resize, on a serverless host, takes
	// its work from the queue jobs (managed), asynchronously.
	w.typeFocused(name, "jobs")
	w.choose(kind, "queue")
	w.clickType(server, "mq-1")
	w.choose(srvKnd, "managed")
	w.submit("jobs")
	w.typeFocused(name, "resize")
	w.choose(kind, "function")
	w.clickType(server, "lambda-1")
	w.choose(srvKnd, "serverless")
	w.clickType(to, "jobs")
	w.choose(proto, "queue")
	w.choose(mode, "async")
	w.submit("resize")

	w.task("6. a queue-triggered function")
	w.idle()
	trips, all := w.count()
	t.Logf("six modelling tasks: %d clicks, %d typed fields, %d round trips (%d requests with static files); before (issue 15): 129 clicks, 60 typed fields, 37 round trips",
		w.clicks, w.fields, trips, all)
	t.Logf("round trips: %s", strings.Join(w.urls, ", "))
	// The sections the adds left alone off screen catch up when scrolled to.
	evalJS[chromedp.Void](b, "scroll to the servers", `document.getElementById("servers-table").scrollIntoView()`)
	b.waitJS("the servers section shows all 9", count(`[data-testid="server-row"]`)+` === 9`)
	evalJS[chromedp.Void](b, "scroll to the matrix", `document.getElementById("matrix-table").scrollIntoView()`)
	b.waitJS("the matrix shows all 10 services", count(`#matrix-table tbody tr`)+` === 10`)
	b.checkConsole()

	// The model is what the tasks describe.
	m, ws, err := ts.db.LoadModel(t.Context(), slug)
	if err != nil {
		t.Fatal(err)
	}
	if ws.Revision != 1+10 {
		t.Errorf("revision %d after 10 adds, want 11: one revision per add", ws.Revision)
	}
	kinds := map[string]topology.ServiceKind{}
	for _, s := range m.Services {
		kinds[s.Name] = s.Kind
	}
	wantKinds := map[string]topology.ServiceKind{"search": "service", "app-a": "service", "app-b": "service", "app-c": "service",
		"orders-db": "database", "web": "frontend", "renderer": "service", "indexer": "service", "jobs": "queue", "resize": "function"}
	if len(kinds) != len(wantKinds) {
		t.Errorf("services %v, want %v", kinds, wantKinds)
	}
	for n, k := range wantKinds {
		if kinds[n] != k {
			t.Errorf("service %s is %q, want %q", n, kinds[n], k)
		}
	}
	srvKinds := map[string]topology.ServerKind{}
	for _, s := range m.Servers {
		srvKinds[s.Name] = s.Kind
	}
	if len(srvKinds) != 9 || srvKinds["mq-1"] != topology.ServerManaged || srvKinds["lambda-1"] != topology.ServerServerless || srvKinds["shared-vm"] != topology.ServerVM {
		t.Errorf("servers %v", srvKinds)
	}
	placed := map[string][]string{}
	for _, p := range m.Placements {
		placed[p.Server] = append(placed[p.Server], p.Service)
	}
	wantPlaced := map[string]string{"search-1": "search indexer", "search-2": "search", "search-3": "search", "shared-vm": "app-a app-b app-c",
		"db-1": "orders-db", "web-1": "web", "render-1": "renderer", "mq-1": "jobs", "lambda-1": "resize"}
	for srv, want := range wantPlaced {
		if got := strings.Join(placed[srv], " "); got != want {
			t.Errorf("on %s: %q, want %q", srv, got, want)
		}
	}
	deps := map[string]topology.Dependency{}
	for _, d := range m.Dependencies {
		deps[d.From+"->"+d.To] = d
	}
	if len(deps) != 4 || deps["web->search"].CallsPerRequest != 8 || deps["web->app-a"].Mode != topology.ModeSync ||
		deps["indexer->renderer"].Protocol != topology.ProtocolIPC ||
		deps["resize->jobs"].Protocol != topology.ProtocolQueue || deps["resize->jobs"].Mode != topology.ModeAsync {
		t.Errorf("dependencies %+v", deps)
	}
	// And the analysis sees what the tasks are about.
	rules := map[string]bool{}
	for _, f := range risk.Analyze(m).Findings {
		rules[f.Rule] = true
	}
	for _, r := range []string{risk.RuleChattyCrossNetwork, risk.RuleIPCAcrossServers} {
		if !rules[r] {
			t.Errorf("no %s finding", r)
		}
	}
}

// walk drives the editor and counts what the user does.
type walk struct {
	b             *browser
	base          string
	clicks        int
	fields        int
	mu            sync.Mutex
	trips, all    int
	urls          []string // the round trips, in order
	mark          [3]int   // clicks, fields, trips at the end of the last task
	inFlight      map[network.RequestID]bool
	lastActivityT time.Time
}

// listen counts the page's requests from the DevTools network events.
func (w *walk) listen() {
	w.inFlight = map[network.RequestID]bool{}
	err := chromedp.Listen(w.b.ctx, func(ev any) {
		w.mu.Lock()
		defer w.mu.Unlock()
		switch ev := ev.(type) {
		case *network.EventRequestWillBeSent:
			if !strings.HasPrefix(ev.Request.URL, w.base) {
				return
			}
			w.all++
			if ev.Type == network.ResourceTypeXHR || ev.Type == network.ResourceTypeFetch || ev.Type == network.ResourceTypeDocument {
				w.trips++
				w.urls = append(w.urls, ev.Request.Method+" "+strings.TrimPrefix(ev.Request.URL, w.base))
			}
			w.inFlight[ev.RequestID] = true
			w.lastActivityT = time.Now()
		case *network.EventLoadingFinished:
			delete(w.inFlight, ev.RequestID)
			w.lastActivityT = time.Now()
		case *network.EventLoadingFailed:
			delete(w.inFlight, ev.RequestID)
			w.lastActivityT = time.Now()
		}
	})
	if err != nil {
		w.b.t.Fatal(err)
	}
}

// task logs what the task just done took.
func (w *walk) task(name string) {
	w.b.t.Helper()
	w.idle()
	trips, _ := w.count()
	w.b.t.Logf("%-36s %2d clicks, %2d typed fields, %2d round trips", name+":", w.clicks-w.mark[0], w.fields-w.mark[1], trips-w.mark[2])
	w.mark = [3]int{w.clicks, w.fields, trips}
}

func (w *walk) count() (trips, all int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.trips, w.all
}

// idle waits until no request has been in flight for 300 ms: an add's
// answer, then the sections it asks to fetch themselves.
func (w *walk) idle() {
	w.b.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		w.mu.Lock()
		quiet := len(w.inFlight) == 0 && time.Since(w.lastActivityT) > 300*time.Millisecond
		w.mu.Unlock()
		if quiet {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	w.b.t.Fatalf("the page's requests did not settle")
}

func (w *walk) click(sel string) {
	w.b.t.Helper()
	w.clicks++
	w.b.run("click "+sel, chromedp.Click(chromedp.CSS(sel)))
}

// clickType clicks into a field, selects what it holds (the same click,
// as a double click on a number would) and types over it.
func (w *walk) clickType(sel, text string) {
	w.b.t.Helper()
	w.click(sel)
	evalJS[chromedp.Void](w.b, "select "+sel, `document.activeElement.select && document.activeElement.select()`)
	w.typeFocused(sel, text)
}

// typeFocused types into the field that has focus, and fails when focus is
// elsewhere: a click saved must be a click the page saved.
func (w *walk) typeFocused(sel, text string) {
	w.b.t.Helper()
	if !evalJS[bool](w.b, "check the focus for "+sel, `document.activeElement === document.querySelector(`+jsString(sel)+`)`) {
		w.b.t.Fatalf("focus is not in %s but on #%s", sel, evalJS[string](w.b, "read the focus", `document.activeElement.id`))
	}
	w.fields++
	w.b.run("type into "+sel, chromedp.KeyEvent(text))
}

// choose picks an option of a drop-down: two clicks, open and pick.
func (w *walk) choose(sel, value string) {
	w.b.t.Helper()
	w.clicks += 2
	w.b.run("choose "+value+" in "+sel, chromedp.SetValue(chromedp.CSS(sel), value))
	if got := evalJS[string](w.b, "read "+sel, `document.querySelector(`+jsString(sel)+`).value`); got != value {
		w.b.t.Fatalf("%s holds %q, want %q", sel, got, value)
	}
}

// submit presses Enter in the field that has focus and waits for the add
// to be done: its notice, and the sections' fetches after it.
func (w *walk) submit(service string) {
	w.b.t.Helper()
	w.b.run("press Enter", chromedp.KeyEvent(kb.Enter))
	w.b.waitJS("the add of "+service+" is done",
		`(document.querySelector('#service-add [data-testid="form-notice"]')?.textContent || "").includes("“`+service+`”")`)
	w.idle()
}

func jsString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}
