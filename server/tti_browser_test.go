package server

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/archmap/archmap/topology/topologytest"
)

// ttiProbe runs in every page before its own scripts: it notes when the
// diagram became interactive (app.js's archmap:diagram event: the SVG in
// the DOM, pan and zoom set up, fitted, its clicks listened to), in ms since
// the navigation started.
const ttiProbe = `document.addEventListener("archmap:diagram", () => { if (window.__tti === undefined) window.__tti = performance.now(); });`

// pageWeight is what the diagram page and its fragment weigh, as the
// browser received them (bytes on the wire, and decoded).
const pageWeightJS = `(() => {
	const nav = performance.getEntriesByType("navigation")[0];
	const frag = performance.getEntriesByType("resource").filter(e => e.name.includes("/diagram/fragment"))[0] || {};
	return [nav.transferSize, nav.decodedBodySize, frag.transferSize || 0, frag.decodedBodySize || 0];
})()`

// nodeInSightJS is the id of a service's or team's node that a click at
// its centre reaches, or "".
const nodeInSightJS = `(() => {
	const d = window.archmap.diagram();
	const el = [...d.svg.querySelectorAll("g.node.service, g.node.team")].find(e => {
		const r = e.getBoundingClientRect(), x = r.left + r.width / 2, y = r.top + r.height / 2;
		const hit = document.elementFromPoint(x, y);
		return x > 0 && y > 0 && x < innerWidth && y < innerHeight && hit && hit.closest("g.node") === e;
	});
	return el ? el.id : "";
})()`

// BenchmarkBrowserTimeToInteractive opens the diagram tab of generated
// 50-, 100-, 300- and 1 000-service models in Chromium at 1440×900, the
// layout cached (the page was opened once before), and reports the time
// from navigation to an interactive diagram (tti-ms, the median of the
// runs), checking each time that zoom and a click work: the zoom button
// zooms, and a click on a node selects the service or opens the team. It
// also reports the page's and the fragment's size in KB, decoded.
//
//	go test ./server -run '^$' -bench BrowserTimeToInteractive -benchtime 5x
func BenchmarkBrowserTimeToInteractive(b *testing.B) {
	for _, n := range []int{50, 100, 300, 1000} {
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			f := newAPIFixture(b)
			slug := importModel(b, f.db, fmt.Sprintf("generated-%d", n), topologytest.Generate(n))
			br := newBrowser(b, f.URL)
			br.viewport(1440, 900, false)
			logInBrowser(br)
			br.run("install the probe", func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
				_, err := cdp.Call(ctx, tg, cdppage.AddScriptToEvaluateOnNewDocument, cdppage.AddScriptToEvaluateOnNewDocumentParams{Source: ttiProbe})
				return chromedp.Void{}, err
			})
			open := func() float64 {
				br.run("open the diagram", br.navigate("/w/"+slug+"/diagram"))
				br.waitJS("the diagram is interactive", `window.__tti !== undefined`)
				return evalJS[float64](br, "read the time", `window.__tti`)
			}
			cold := open() // lays out and caches
			var ttis []float64
			var weight []float64
			b.ResetTimer()
			for range b.N {
				ttis = append(ttis, open())
				b.StopTimer()
				weight = evalJS[[]float64](br, "weigh the page", pageWeightJS)
				// The zoom and a click work.
				zoom := evalJS[float64](br, "read the zoom", `window.archmap.diagram().panZoom.getZoom()`)
				br.run("zoom in", chromedp.Click(chromedp.CSS(`[data-testid="zoom-in"]`)))
				br.waitJS("the zoom button zooms", fmt.Sprintf(`window.archmap.diagram().panZoom.getZoom() > %v`, zoom))
				br.run("fit again", chromedp.Click(chromedp.CSS(`[data-testid="zoom-fit"]`)))
				// (svg-pan-zoom moves the drawing on the next animation
				// frame: wait for a node to be where it will be clicked.)
				node := ""
				for try := 0; node == "" && try < 100; try++ {
					if try == 20 {
						// The readable fit shows the drawing's top left
						// corner, which may hold no node: bring one in.
						evalJS[bool](br, "centre a node", `window.archmap.centerOn([window.archmap.diagram().svg.querySelector("g.node.service, g.node.team").id]), true`)
					}
					if try > 0 {
						time.Sleep(50 * time.Millisecond)
					}
					node = evalJS[string](br, "pick a node", nodeInSightJS)
				}
				if node == "" {
					b.Fatal("no node in sight to click: ", evalJS[string](br, "debug", `(() => { const d = window.archmap.diagram(); return [...d.svg.querySelectorAll("g.node.service")].slice(0, 4).map(e => { const r = e.getBoundingClientRect(), h = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2); return JSON.stringify([r.left, r.top, r.width, h && h.tagName, h && h.id, h && h.getAttribute("class")]); }).join(" ") + " frame " + JSON.stringify(document.getElementById("diagram-frame").getBoundingClientRect()); })()`))
				}
				br.run("click a node", chromedp.Click(chromedp.CSS("#"+node)))
				br.waitJS("the click selected it or opened its team", fmt.Sprintf(
					`document.getElementById(%q) && document.getElementById(%q).classList.contains("is-selected") ||
					document.querySelector('#diagram-content [data-testid="breadcrumb-team"]') && window.archmap.diagram().svg.isConnected`, node, node))
				b.StartTimer()
			}
			b.StopTimer()
			slices.Sort(ttis)
			b.ReportMetric(ttis[len(ttis)/2], "tti-ms")
			b.ReportMetric(cold, "cold-tti-ms")
			b.ReportMetric(weight[1]/1000, "page-KB")
			b.ReportMetric(weight[3]/1000, "fragment-KB")
			b.ReportMetric(0, "ns/op")
			br.checkConsole()
		})
	}
}
