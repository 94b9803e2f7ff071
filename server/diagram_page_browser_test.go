package server

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"github.com/archmap/archmap/importer"
	"github.com/archmap/archmap/topology"
	"github.com/archmap/archmap/topology/topologytest"
)

// signInBrowser sets up the first account through the setup page, which
// leaves the browser signed in.
func signInBrowser(b *browser) {
	b.t.Helper()
	b.run("set up the admin",
		b.navigate("/"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="setup-form"]`)),
		chromedp.SendKeys(chromedp.CSS(`#setup-email`), testEmail),
		chromedp.SendKeys(chromedp.CSS(`#setup-password`), testPassword),
		chromedp.SendKeys(chromedp.CSS(`#setup-confirm`), testPassword),
		chromedp.Click(chromedp.CSS(`[data-testid="setup-submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="workspaces-empty"]`)),
	)
}

// kubeModel imports real Kubernetes manifests of testdata/realdata.
func kubeModel(tb testing.TB, files ...string) *topology.Model {
	tb.Helper()
	var in []importer.File
	for _, f := range files {
		in = append(in, importer.File{Name: f, Data: []byte(realFile(tb, f))})
	}
	m, _, err := importer.Kubernetes(in, importer.KubeOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

func boutiqueModel(tb testing.TB) *topology.Model {
	return kubeModel(tb, "online-boutique/kubernetes-manifests.yaml")
}

// trainTicketModel is Train-Ticket's Kubernetes files: 67 services and no
// call found between them.
func trainTicketModel(tb testing.TB) *topology.Model {
	return kubeModel(tb, "train-ticket/quickstart-ts-deployment-part1.yml",
		"train-ticket/quickstart-ts-deployment-part2.yml", "train-ticket/quickstart-ts-deployment-part3.yml")
}

// diagramFit is what the page shows at the default fit.
type diagramFit struct {
	LabelPx  float64 `json:"labelPx"`  // median on-screen font size of node labels
	BoxPx    float64 `json:"boxPx"`    // median height of their bounding rectangles
	Coverage float64 `json:"coverage"` // share of the diagram frame the drawing covers
	Labels   int     `json:"labels"`
}

// measureFitJS measures the node labels (the legend left out) with
// getBoundingClientRect, and how much of the frame the drawing covers.
const measureFitJS = `(() => {
	const svg = document.querySelector("#diagram-svg svg");
	const font = [], box = [];
	svg.querySelectorAll("g.node:not(.legend) text").forEach(t => {
		const r = t.getBoundingClientRect(), bb = t.getBBox();
		if (r.height > 0 && bb.height > 0) {
			box.push(r.height);
			font.push(parseFloat(t.getAttribute("font-size")) * r.height / bb.height);
		}
	});
	const median = a => { a.sort((x, y) => x - y); return a.length ? a[Math.floor(a.length / 2)] : 0; };
	const f = document.getElementById("diagram-frame").getBoundingClientRect();
	const d = svg.querySelector("g.graph").getBoundingClientRect();
	const w = Math.max(0, Math.min(f.right, d.right) - Math.max(f.left, d.left));
	const h = Math.max(0, Math.min(f.bottom, d.bottom) - Math.max(f.top, d.top));
	return {labelPx: median(font), boxPx: median(box), coverage: w * h / (f.width * f.height), labels: font.length};
})()`

// TestBrowserDiagramFitsReadably opens the diagram tab of the demo and of
// Online Boutique at 1440×900: at the default fit the node labels are at
// least 11 px and the drawing covers at least 40 % of the frame; the wheel
// scrolls the page and leaves the zoom alone, while Ctrl+wheel, the keys and
// the buttons zoom.
func TestBrowserDiagramFitsReadably(t *testing.T) {
	ts := newTestServer(t)
	b := newBrowser(t, ts.URL)
	b.viewport(1440, 900, false)
	signInBrowser(b)
	importModel(t, ts.db, "demo-shop", topology.Demo())
	importModel(t, ts.db, "boutique", boutiqueModel(t))
	importModel(t, ts.db, "train-ticket", trainTicketModel(t))
	importModel(t, ts.db, "generated-300", topologytest.Generate(300))

	for _, slug := range []string{"boutique", "train-ticket", "generated-300", "demo-shop"} {
		b.run("open the diagram of "+slug,
			b.navigate("/w/"+slug+"/diagram"),
			chromedp.WaitVisible(chromedp.CSS(`#diagram-svg svg`)),
		)
		b.waitJS("the diagram is fitted", `window.archmap.diagram() && window.archmap.diagram().panZoom`)
		fit := evalJS[diagramFit](b, "measure "+slug, measureFitJS)
		t.Logf("%s at 1440×900: median node label %.1f px font (%.1f px box) over %d labels, drawing covers %.0f%% of the frame",
			slug, fit.LabelPx, fit.BoxPx, fit.Labels, 100*fit.Coverage)
		if fit.Labels == 0 {
			t.Fatalf("%s: no node label measured", slug)
		}
		if fit.LabelPx < 11 || fit.BoxPx < 11 {
			t.Errorf("%s: median node label %.1f px (box %.1f px), want ≥ 11", slug, fit.LabelPx, fit.BoxPx)
		}
		if fit.Coverage < 0.4 {
			t.Errorf("%s: the drawing covers %.0f%% of the frame, want ≥ 40%%", slug, 100*fit.Coverage)
		}
		b.viewShot("diagram-" + slug)
		if slug == "train-ticket" {
			// Searching one of 67 services selects and centres it.
			b.run("search ts-order-service", chromedp.SendKeys(chromedp.CSS(`[data-testid="diagram-search"]`), "ts-order-service"))
			b.waitJS("ts-order-service is selected and centred", centredJS("ts-order-service")+` < 3`)
		}
		if slug != "demo-shop" {
			continue
		}

		// The wheel over the diagram scrolls the page; the zoom stays.
		zoom := evalJS[float64](b, "read the zoom", `window.archmap.diagram().panZoom.getZoom()`)
		x, y := frameCentre(b)
		b.run("wheel over the diagram", wheel(x, y, 300, 0))
		b.waitJS("the page scrolled", `window.scrollY > 0`)
		if z := evalJS[float64](b, "read the zoom", `window.archmap.diagram().panZoom.getZoom()`); z != zoom {
			t.Errorf("the plain wheel changed the zoom from %v to %v", zoom, z)
		}

		// Ctrl+wheel zooms (a touchpad pinch arrives the same way), and
		// leaves the page where it is.
		scrolled := evalJS[float64](b, "read the scroll", `window.scrollY`)
		x, y = frameCentre(b)
		b.run("Ctrl+wheel over the diagram", wheel(x, y, -200, modifierCtrl))
		b.waitJS("Ctrl+wheel zoomed in", fmt.Sprintf(`window.archmap.diagram().panZoom.getZoom() > %v`, zoom))
		if s := evalJS[float64](b, "read the scroll", `window.scrollY`); s != scrolled {
			t.Errorf("Ctrl+wheel scrolled the page from %v to %v", scrolled, s)
		}
		b.run("press 0", chromedp.KeyEvent("0"))
		b.waitJS("0 fits again", fmt.Sprintf(`Math.abs(window.archmap.diagram().panZoom.getZoom() - %v) < 1e-4`, zoom))
		b.run("press +", chromedp.KeyEvent("+"))
		b.waitJS("+ zooms in", fmt.Sprintf(`window.archmap.diagram().panZoom.getZoom() > %v`, zoom))
		for range 2 {
			b.run("click −", chromedp.Click(chromedp.CSS(`[data-testid="zoom-out"]`)))
		}
		b.waitJS("− zooms out", fmt.Sprintf(`window.archmap.diagram().panZoom.getZoom() < %v`, zoom))

		// Hiding the side panel gives the diagram the width.
		w := evalJS[float64](b, "frame width", `document.getElementById("diagram-frame").getBoundingClientRect().width`)
		b.run("hide the panel", chromedp.Click(chromedp.CSS(`[data-testid="side-toggle"]`)))
		b.waitJS("the frame widened", fmt.Sprintf(`document.getElementById("diagram-frame").getBoundingClientRect().width > %v + 300`, w))
		b.run("show the panel", chromedp.Click(chromedp.CSS(`[data-testid="side-toggle"]`)))
		b.waitJS("the panel is back", `document.getElementById("diagram-side").getBoundingClientRect().width > 300`)
	}
	b.checkConsole()
}

// frameCentre is the centre of the diagram frame in the window.
func frameCentre(b *browser) (float64, float64) {
	b.t.Helper()
	c := evalJS[[]float64](b, "find the frame", `(() => { const r = document.getElementById("diagram-frame").getBoundingClientRect(); return [r.left + r.width / 2, r.top + Math.min(r.height / 2, (innerHeight - r.top) / 2)]; })()`)
	return c[0], c[1]
}

// modifierCtrl is the Ctrl bit of DevTools' input modifiers.
const modifierCtrl = 2

// wheel turns the mouse wheel at (x, y) as a user would (a trusted event).
func wheel(x, y, deltaY float64, modifiers int64) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, tg, wheelEvent, wheelParams{
			Type: input.DispatchMouseEventTypeMouseWheel, X: x, Y: y, DeltaY: deltaY, Modifiers: modifiers,
		})
		return chromedp.Void{}, err
	}
}

// wheelParams is Input.dispatchMouseEvent's parameters with deltaX always
// sent: the generated type leaves out a zero, which DevTools refuses for a
// wheel event.
type wheelParams struct {
	Type      input.DispatchMouseEventType `json:"type"`
	X         float64                      `json:"x"`
	Y         float64                      `json:"y"`
	Modifiers int64                        `json:"modifiers"`
	DeltaX    float64                      `json:"deltaX"`
	DeltaY    float64                      `json:"deltaY"`
}

var wheelEvent = cdp.Command[wheelParams, cdp.Empty]{Method: input.CommandDispatchMouseEvent}

// viewport makes the page's viewport exactly width×height CSS pixels (the
// window size leaves some to the browser's own frame); mobile emulates a
// phone's meta-viewport handling and touch.
func (b *browser) viewport(width, height int64, mobile bool) {
	b.t.Helper()
	b.run("set the viewport", func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, tg, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
			Width: width, Height: height, DeviceScaleFactor: 1, Mobile: mobile,
		})
		return chromedp.Void{}, err
	})
}

// logInBrowser signs in through the login form with the fixture's account.
func logInBrowser(b *browser) {
	b.t.Helper()
	b.run("sign in",
		b.navigate("/login"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="login-form"]`)),
		chromedp.SendKeys(chromedp.CSS(`#login-email`), testEmail),
		chromedp.SendKeys(chromedp.CSS(`#login-password`), testPassword),
		chromedp.Click(chromedp.CSS(`[data-testid="login-submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="current-user"]`)),
	)
}

// centredJS tells how far (in px) the centre of a service's first element
// is from the centre of the diagram frame, with the element selected.
func centredJS(name string) string {
	return fmt.Sprintf(`(() => {
		const d = window.archmap.diagram(), s = d.data.services[%q];
		const el = document.getElementById(s.ids[0]);
		if (!el.classList.contains("is-selected")) return 1e9;
		const r = el.getBoundingClientRect(), f = d.svg.getBoundingClientRect();
		return Math.hypot(r.left + r.width / 2 - (f.left + f.width / 2), r.top + r.height / 2 - (f.top + f.height / 2));
	})()`, name)
}

// TestBrowserDiagramSearch types names into the search box on the
// workspace's diagram and on a share page: the service found is selected
// (its panel opens) and centred; a server selects what runs on it; a name
// that matches nothing selects nothing.
func TestBrowserDiagramSearch(t *testing.T) {
	f := newAPIFixture(t)
	slug := importModel(t, f.db, "demo-shop", topology.Demo())
	token, _ := f.createShare(t, slug, `{"expires_in": "1h"}`)
	b := newBrowser(t, f.URL)
	b.viewport(1440, 900, false)
	logInBrowser(b)

	for _, page := range []string{"/w/" + slug + "/diagram", "/s/" + token} {
		b.run("open "+page, b.navigate(page), chromedp.WaitVisible(chromedp.CSS(`#diagram-svg svg`)))
		b.waitJS("the diagram is ready", `window.archmap.diagram() && window.archmap.diagram().panZoom`)
		// Zoomed in and panned away first, so centring has to move it.
		for range 2 {
			b.run("zoom in", chromedp.Click(chromedp.CSS(`[data-testid="zoom-in"]`)))
		}
		b.run("type a name",
			chromedp.SendKeys(chromedp.CSS(`[data-testid="diagram-search"]`), "payme"))
		b.waitJS("payments is selected and centred", centredJS("payments")+` < 3`)
		b.waitJS("its panel opens", `document.querySelector('[data-testid="panel-service-name"]') && document.querySelector('[data-testid="panel-service-name"]').textContent === "payments"`)
		if got := evalJS[string](b, "read the matches", `document.querySelector('[data-testid="diagram-search-results"]').textContent`); !strings.Contains(got, "payments") {
			t.Errorf("%s: matches listed %q", page, got)
		}
		clearSearch(b)
		b.run("search a server", chromedp.SendKeys(chromedp.CSS(`[data-testid="diagram-search"]`), "license-box"))
		b.waitJS("tax-engine, on license-box, is selected", centredJS("tax-engine")+` < 3`)
		if n := evalJS[int](b, "count the selected", count(`#diagram-svg g.node.is-selected`)); n != 1 {
			t.Errorf("%s: %d nodes selected for license-box, want 1 (tax-engine)", page, n)
		}
		// The server's own panel: what runs there, what its loss takes down.
		b.waitJS("license-box's panel opens", `document.querySelector('[data-testid="panel-server-name"]') && document.querySelector('[data-testid="panel-server-name"]').textContent === "license-box"`)
		if got := evalJS[string](b, "read the panel", `document.getElementById("node-panel").innerText`); !strings.Contains(got, "tax-engine") || !strings.Contains(got, "down: its only server license-box failed") {
			t.Errorf("%s: license-box's panel says %q", page, got)
		}
		// A server finding's link in the services view opens that server.
		b.run("click a finding's server", chromedp.Click(chromedp.CSS(`#risk-panel [data-subject="server:db-1"]`)))
		b.waitJS("db-1's panel opens", `document.querySelector('[data-testid="panel-server-name"]') && document.querySelector('[data-testid="panel-server-name"]').textContent === "db-1"`)
		b.waitJS("orders-db, on db-1, is selected", `document.getElementById(window.archmap.diagram().data.services["orders-db"].ids[0]).classList.contains("is-selected")`)
		clearSearch(b)
		b.run("search nothing", chromedp.SendKeys(chromedp.CSS(`[data-testid="diagram-search"]`), "no-such-thing"))
		b.waitJS("nothing is listed", `document.querySelector('[data-testid="diagram-search-results"]').hidden`)
		if page != "/s/"+token {
			b.viewShot("diagram-search")
		}
	}
	b.checkConsole()
}

// clearSearch empties the search box.
func clearSearch(b *browser) {
	b.t.Helper()
	evalJS[bool](b, "clear the search", `(document.querySelector('[data-testid="diagram-search"]').value = "") === ""`)
}

// simJS reads the simulation as the page shows it.
const simJS = `(() => {
	const q = s => document.querySelector(s);
	const items = sel => [...document.querySelectorAll(sel)].map(li => ({
		name: li.querySelector("[data-service]").textContent.trim(),
		reason: li.querySelector('[data-testid="sim-reason"]').textContent.trim()}));
	return {
		summary: q('[data-testid="sim-summary"]') ? q('[data-testid="sim-summary"]').textContent.trim() : "",
		down: items('[data-testid="sim-down-item"]'),
		degraded: items('[data-testid="sim-degraded-item"]'),
		fail: new URLSearchParams(location.search).get("fail") || "",
		simOn: !!q("#diagram-svg.sim-on"),
	};
})()`

type simShown struct {
	Summary  string `json:"summary"`
	Down     []struct{ Name, Reason string }
	Degraded []struct{ Name, Reason string }
	Fail     string `json:"fail"`
	SimOn    bool   `json:"simOn"`
}

// TestBrowserSimulationExplainsItself fails zone eu-west-1a on the demo: the
// headline counts what is down and degraded, every down service says why,
// the diagram marks them in the simulation's palette (not the risk colours),
// and the failure set is in the URL, surviving a switch of view and a
// reload. A service is failed from its panel; a share page simulates too.
func TestBrowserSimulationExplainsItself(t *testing.T) {
	f := newAPIFixture(t)
	slug := importModel(t, f.db, "demo-shop", topology.Demo())
	token, _ := f.createShare(t, slug, `{"expires_in": "1h"}`)
	b := newBrowser(t, f.URL)
	b.viewport(1440, 900, false)
	logInBrowser(b)

	b.run("open the diagram and fail zone eu-west-1a",
		b.navigate("/w/"+slug+"/diagram"),
		chromedp.WaitVisible(chromedp.CSS(`#diagram-svg svg`)),
		chromedp.Click(chromedp.CSS(`#sim-form input[value="zone:eu-west-1a"]`)),
	)
	b.waitJS("the headline shows", `document.querySelector('[data-testid="sim-summary"]')`)
	want := func(step, view string) simShown {
		t.Helper()
		b.waitJS(step+": the diagram is marked", `document.querySelector("#diagram-svg.sim-on g.node.sim-down")`)
		s := evalJS[simShown](b, step, simJS)
		if want := fmt.Sprintf("%d of 14 services down, %d degraded", len(s.Down), len(s.Degraded)); s.Summary != want || len(s.Down) == 0 {
			t.Errorf("%s: headline %q, want %q with something down", step, s.Summary, want)
		}
		reasons := map[string]string{}
		for _, d := range s.Down {
			reasons[d.Name] = d.Reason
			if !strings.HasPrefix(d.Reason, "down: ") || len(d.Reason) < 12 {
				t.Errorf("%s: %s is down for the reason %q", step, d.Name, d.Reason)
			}
		}
		for _, d := range s.Degraded {
			if !strings.HasPrefix(d.Reason, "degraded: ") {
				t.Errorf("%s: %s is degraded for the reason %q", step, d.Name, d.Reason)
			}
		}
		if r := reasons["auth"]; r != "down: its only server app-1 failed" {
			t.Errorf("%s: auth's reason %q", step, r)
		}
		if r := reasons["api-gateway"]; !strings.HasPrefix(r, "down: calls ") || !strings.HasSuffix(r, " synchronously, which is down") {
			t.Errorf("%s: api-gateway's reason %q", step, r)
		}
		if s.Fail != "zone:eu-west-1a" || !s.SimOn {
			t.Errorf("%s: URL fail=%q, simulation palette on: %v", step, s.Fail, s.SimOn)
		}
		// The palette: a down node is filled in the simulation's violet,
		// which is none of the risk colours; a risk colour is dimmed.
		fills := evalJS[[]string](b, step+": read the fills", `[
			getComputedStyle(document.querySelector("#diagram-svg g.node.sim-down :is(path, polygon, ellipse)")).fill,
			getComputedStyle(document.querySelector("#diagram-svg g.node.sim-down :is(path, polygon, ellipse)")).stroke,
			getComputedStyle(document.querySelector(".legend-down")).backgroundColor]`)
		if fills[0] != "rgb(91, 58, 154)" || fills[2] != fills[0] {
			t.Errorf("%s: a down node is filled %s (stroke %s), its legend %s; want the simulation's rgb(91, 58, 154)", step, fills[0], fills[1], fills[2])
		}
		if view != "" {
			if n := evalJS[int](b, step+": count", count(`#diagram-svg[data-view="`+view+`"]`)); n != 1 {
				t.Errorf("%s: not the %s view", step, view)
			}
		}
		return s
	}
	first := want("services view", "services")
	b.viewShot("simulation-services")

	b.run("switch to the deployment view",
		chromedp.Click(chromedp.CSS(`[data-testid="view-deployment"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#diagram-svg[data-view="deployment"] svg`)),
	)
	b.waitJS("the headline is back", `document.querySelector('[data-testid="sim-summary"]')`)
	if again := want("deployment view", "deployment"); again.Summary != first.Summary {
		t.Errorf("the deployment view says %q, the services view said %q", again.Summary, first.Summary)
	}
	if n := evalJS[int](b, "count failed servers", count(`#diagram-svg g.cluster.sim-failed`)); n != 5 {
		t.Errorf("%d servers marked failed, want the 5 of eu-west-1a", n)
	}
	b.viewShot("simulation-deployment")

	// A click on a server's box opens its panel.
	xy := evalJS[[]float64](b, "find app-1's label", `(() => {
		const id = window.archmap.diagram().data.servers["app-1"][0];
		const r = document.getElementById(id).querySelector("text").getBoundingClientRect();
		return [r.left + r.width / 2, r.top + r.height / 2];
	})()`)
	b.run("click app-1's box", chromedp.MouseClickXY(xy[0], xy[1]))
	b.waitJS("app-1's panel opens", `document.querySelector('[data-testid="panel-server-name"]') && document.querySelector('[data-testid="panel-server-name"]').textContent === "app-1"`)
	b.run("reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`#diagram-svg svg`)))
	b.waitJS("the headline is back after a reload", `document.querySelector('[data-testid="sim-summary"]')`)
	want("reload", "deployment")
	if !evalJS[bool](b, "the zone is ticked", `document.querySelector('#sim-form input[value="zone:eu-west-1a"]').checked`) {
		t.Error("after a reload the zone is not ticked")
	}

	// Fail a service from its panel: it joins the set, in the URL too.
	evalJS[bool](b, "select payments", `window.archmap.select("payments", true) === undefined`)
	b.run("open payments' panel and fail it",
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="panel-fail-service"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="panel-fail-service"]`)),
	)
	b.waitJS("payments is in the failure set", `new URLSearchParams(location.search).get("fail") === "zone:eu-west-1a,service:payments"`)
	if got := evalJS[string](b, "read the address", `location.search`); !strings.Contains(got, "fail=zone:eu-west-1a,service:payments") {
		t.Errorf("the address %q does not carry the failure set readably", got)
	}
	b.waitJS("payments is down for being failed", `[...document.querySelectorAll('[data-testid="sim-down-item"]')].some(li => li.textContent.includes("payments") && li.textContent.includes("down: failed in the simulation"))`)

	// Clearing ends the simulation: no marks, no palette, no fail in the URL.
	b.run("clear", chromedp.Click(chromedp.CSS(`[data-testid="simulate-reset"]`)))
	b.waitJS("the URL has no failure set", `!new URLSearchParams(location.search).has("fail") && !document.querySelector("#diagram-svg.sim-on")`)

	// A share page simulates from its URL too.
	b.run("open the share with a failure set",
		b.navigate("/s/"+token+"?fail=server:app-1"),
		chromedp.WaitVisible(chromedp.CSS(`#diagram-svg svg`)),
	)
	b.waitJS("the share page simulates", `document.querySelector('[data-testid="sim-summary"]') && /^\d+ of 14 services down, \d+ degraded$/.test(document.querySelector('[data-testid="sim-summary"]').textContent.trim())`)
	b.waitJS("and marks the diagram", `document.querySelector("#diagram-svg.sim-on g.node.sim-down")`)
	b.checkConsole()
}

// TestBrowserSharePageOnAPhone opens a share link at 390×844 (a phone): the
// page does not scroll sideways, the diagram takes the width with readable
// labels, and the panels come below it.
func TestBrowserSharePageOnAPhone(t *testing.T) {
	f := newAPIFixture(t)
	slug := importModel(t, f.db, "demo-shop", topology.Demo())
	token, _ := f.createShare(t, slug, `{"expires_in": "1h"}`)
	b := newBrowser(t, f.URL)
	b.viewport(390, 844, true)
	b.run("open the share link", b.navigate("/s/"+token), chromedp.WaitVisible(chromedp.CSS(`#diagram-svg svg`)))
	b.waitJS("the diagram is fitted", `window.archmap.diagram() && window.archmap.diagram().panZoom`)
	fit := evalJS[diagramFit](b, "measure", measureFitJS)
	page := evalJS[[]float64](b, "measure the page", `[document.documentElement.scrollWidth, innerWidth,
		document.getElementById("diagram-frame").getBoundingClientRect().width,
		document.getElementById("diagram-frame").getBoundingClientRect().bottom,
		document.getElementById("diagram-side").getBoundingClientRect().top]`)
	t.Logf("share page at 390×844: page %v px wide in a %v px viewport, frame %v px wide; median node label %.1f px font (%.1f px box), drawing covers %.0f%% of the frame",
		page[0], page[1], page[2], fit.LabelPx, fit.BoxPx, 100*fit.Coverage)
	b.viewShot("share-phone")
	if page[0] > page[1] {
		t.Errorf("the page is %v px wide in a %v px viewport: it scrolls sideways", page[0], page[1])
	}
	if page[2] < page[1]-40 {
		t.Errorf("the diagram is %v px wide of %v", page[2], page[1])
	}
	if page[4] < page[3] {
		t.Errorf("the side panel starts at %v, above the diagram's bottom %v", page[4], page[3])
	}
	if fit.LabelPx < 9 || fit.BoxPx < 9 {
		t.Errorf("median node label %.1f px (box %.1f), want ≥ 9", fit.LabelPx, fit.BoxPx)
	}
	b.checkConsole()
}

// viewShot writes what the window shows (not the whole page) to
// ARCHMAP_SCREENSHOTS, like browser.screenshot: the first sight of a page.
func (b *browser) viewShot(name string) {
	dir := os.Getenv("ARCHMAP_SCREENSHOTS")
	if dir == "" {
		return
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join("..", dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
		return
	}
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
	}
	if err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
	}
}

// TestBrowserFindingOffTheDiagram: with the diagram focused on auth, a
// finding's link to orders-db (left out by the focus) opens the whole
// system and selects orders-db there.
func TestBrowserFindingOffTheDiagram(t *testing.T) {
	f := newAPIFixture(t)
	slug := importModel(t, f.db, "demo-shop", topology.Demo())
	b := newBrowser(t, f.URL)
	b.viewport(1440, 900, false)
	logInBrowser(b)
	b.run("open the diagram focused on auth",
		b.navigate("/w/"+slug+"/diagram?view=services&focus=auth&depth=1"),
		chromedp.WaitVisible(chromedp.CSS(`#diagram-svg svg`)),
	)
	b.waitJS("the diagram is ready", `window.archmap.diagram() && !window.archmap.diagram().data.services["orders-db"]`)
	b.run("click orders-db in a finding", chromedp.Click(chromedp.CSS(`#risk-panel [data-subject="service:orders-db"]`)))
	b.waitJS("orders-db is selected on the whole system", `!location.search.includes("focus") && window.archmap.diagram() && window.archmap.diagram().data.services["orders-db"] &&
		document.getElementById(window.archmap.diagram().data.services["orders-db"].ids[0]).classList.contains("is-selected")`)
	b.checkConsole()
}
