package server

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestShareLinkInAFreshBrowser opens a share link in a browser that has
// never seen the app (a fresh profile, no account, no cookies): the diagram
// is there and works — nodes, details, failure simulation, the other view —
// and nothing edits or leads into the app. Revoking the link stops it.
func TestShareLinkInAFreshBrowser(t *testing.T) {
	f := newAPIFixture(t)
	m := shopModel()
	m.Services[0].Description = `<script>alert("x")</script>`
	slug := importModel(t, f.db, "shop", m)
	token, out := f.createShare(t, slug, `{"expires_in": "1h"}`)
	base := "/s/" + token

	b := newBrowser(t, f.URL)
	b.run("open the share link",
		b.navigate(base),
		chromedp.WaitVisible(chromedp.CSS(`#diagram-svg svg`)),
	)
	island := `JSON.parse(document.getElementById("diagram-svg").getAttribute("data-island"))`
	webID := evalJS[string](b, "find web on the diagram", island+`.services["web"].ids[0]`)
	cartID := evalJS[string](b, "find cart on the diagram", island+`.services["cart"].ids[0]`)
	b.waitJS("the services are drawn", fmt.Sprintf(`!!document.getElementById(%q) && !!document.getElementById(%q)`, webID, cartID))
	if got := evalJS[string](b, "read the title", `document.querySelector('[data-testid="share-name"]').textContent`); got != "Shop" {
		t.Errorf("share page title %q", got)
	}

	// Read-only: no form that posts but the simulation's own, no CSRF
	// token, no edit or delete control, no link into the app.
	for what, expr := range map[string]string{
		"forms that post":                 count(`form[method="post"], form[method="POST"]`),
		"CSRF fields":                     count(`input[name="_csrf"]`),
		"edit or delete controls":         count(`[data-testid="edit"], [data-testid="delete"], [hx-delete], [hx-put], [hx-patch]`),
		"links into the app":              count(`a[href^="/w/"], a[href="/"], a[href^="/account"], a[href^="/login"], a[href^="/api/"]`),
		"links off the share":             fmt.Sprintf(`[...document.querySelectorAll("a[href]")].filter(a => !a.getAttribute("href").startsWith(%q) && !a.getAttribute("href").startsWith("#")).length`, base),
		"forms off the share":             fmt.Sprintf(`[...document.querySelectorAll("form")].filter(f => !(f.getAttribute("action") || "").startsWith(%q) && f.getAttribute("hx-post") !== %q).length`, base, base+"/simulate"),
		"requests that post but simulate": fmt.Sprintf(`[...document.querySelectorAll("[hx-post]")].filter(e => e.getAttribute("hx-post") !== %q).length`, base+"/simulate"),
		"scripts from elsewhere":          `[...document.scripts].filter(s => !s.src.startsWith(location.origin + "/static/")).length`,
	} {
		if n := evalJS[int](b, "count "+what, expr); n != 0 {
			t.Errorf("the share page has %d %s", n, what)
		}
	}
	if n := evalJS[int](b, "count the forms", count("form")); n > 2 {
		t.Errorf("%d forms on the share page; only the view options and the simulation may be forms", n)
	}
	if cookies := evalJS[string](b, "read cookies", `document.cookie`); cookies != "" {
		t.Errorf("the share page set cookies: %q", cookies)
	}

	b.run("click web", chromedp.Click(chromedp.CSS("#"+webID)))
	b.waitJS("the side panel shows web", `document.querySelector('[data-testid="panel-service-name"]') && document.querySelector('[data-testid="panel-service-name"]').textContent === "web"`)
	b.waitJS("cart is highlighted as web's callee", fmt.Sprintf(`document.getElementById(%q).classList.contains("is-downstream")`, cartID))
	if got := evalJS[string](b, "read the panel", `document.getElementById("node-panel").textContent`); !strings.Contains(got, `<script>alert("x")</script>`) {
		t.Errorf("the panel does not show the description as text: %q", got)
	}

	b.run("fail node-b",
		chromedp.Click(chromedp.CSS(`input[value="server:node-b"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="simulate-submit"]`)),
	)
	b.waitJS("web is marked down", fmt.Sprintf(`document.getElementById(%q).classList.contains("sim-down")`, webID))
	if got := evalJS[string](b, "read the down list", `document.querySelector('[data-testid="sim-down"]').textContent`); !strings.Contains(got, "cart") || !strings.Contains(got, "web") {
		t.Errorf("down list %q, want cart and web", got)
	}
	b.screenshot("share")

	b.run("switch to the deployment view",
		chromedp.Click(chromedp.CSS(`[data-testid="view-deployment"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#diagram-svg[data-view="deployment"] svg`)),
	)
	if n := evalJS[int](b, "count server clusters", `Object.keys(`+island+`.servers).length`); n != 2 {
		t.Errorf("deployment view shows %d servers, want 2", n)
	}
	svg := evalJS[string](b, "download the SVG", `fetch(document.querySelector('[data-testid="download-svg"]').href).then(r => r.ok ? r.text() : "HTTP " + r.status)`, chromedp.EvalAwaitPromise)
	if err := checkSVG([]byte(svg)); err != nil {
		t.Errorf("the shared SVG download is not a valid SVG: %v\n%.300s", err, svg)
	}
	b.checkConsole()

	f.api(t, "DELETE", "/workspaces/"+slug+"/shares/"+itoa(out.ID), nil)
	b.run("reload the revoked link", b.navigate(base), chromedp.WaitVisible(chromedp.CSS(`[data-testid="error-page"]`)))
	if got := evalJS[string](b, "read the error", `document.querySelector('[data-testid="error-message"]').textContent`); !strings.Contains(got, "no longer works") {
		t.Errorf("revoked link says %q", got)
	}
	if n := evalJS[int](b, "count the diagrams", count(`#diagram-svg`)); n != 0 {
		t.Error("a revoked link still shows the diagram")
	}
}
