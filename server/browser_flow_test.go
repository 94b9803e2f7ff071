package server

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserNewUserFlow walks the path of a new user in Chromium: set up the
// admin, sign in, create a workspace, model two services, a server, a
// placement and a dependency, then look at the diagram, select a service,
// fail the server and download the SVG.
func TestBrowserNewUserFlow(t *testing.T) {
	ts := newTestServer(t)
	b := newBrowser(t, ts.URL)

	// Any page leads to the setup of the first account.
	b.run("open the app",
		b.navigate("/"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="setup-form"]`)),
		chromedp.SendKeys(chromedp.CSS(`#setup-email`), testEmail),
		chromedp.SendKeys(chromedp.CSS(`#setup-password`), testPassword),
		chromedp.SendKeys(chromedp.CSS(`#setup-confirm`), testPassword),
		chromedp.Click(chromedp.CSS(`[data-testid="setup-submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="workspaces-empty"]`)),
	)
	b.run("sign out and in again",
		chromedp.Click(chromedp.CSS(`[data-testid="logout"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="login-form"]`)),
		chromedp.SendKeys(chromedp.CSS(`#login-email`), testEmail),
		chromedp.SendKeys(chromedp.CSS(`#login-password`), testPassword),
		chromedp.Click(chromedp.CSS(`[data-testid="login-submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="workspaces-empty"]`)),
	)
	b.run("create a workspace",
		chromedp.SendKeys(chromedp.CSS(`#ws-name`), "Web shop"),
		chromedp.SendKeys(chromedp.CSS(`#ws-description`), "Where customers buy things."),
		chromedp.Click(chromedp.CSS(`[data-testid="workspace-create-submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="editor"]`)),
	)

	b.run("add the service web",
		chromedp.SendKeys(chromedp.CSS(`#service-new-name`), "web"),
		chromedp.SetValue(chromedp.CSS(`#service-new-kind`), "frontend"),
		chromedp.SendKeys(chromedp.CSS(`#service-new-team`), "storefront"),
		chromedp.Click(chromedp.CSS(`[data-testid="service-add-submit"]`)),
	)
	b.waitJS("the service web is listed", count(`[data-testid="service-row"]`)+` === 1`)
	b.run("add the service db",
		chromedp.SendKeys(chromedp.CSS(`#service-new-name`), "db"),
		chromedp.SetValue(chromedp.CSS(`#service-new-kind`), "database"),
		chromedp.SendKeys(chromedp.CSS(`#service-new-team`), "platform"),
		chromedp.Click(chromedp.CSS(`[data-testid="service-add-submit"]`)),
	)
	b.waitJS("both services are listed", count(`[data-testid="service-row"]`)+` === 2`)

	// A duplicate name is refused next to the field, keeping what was typed.
	b.run("try a duplicate",
		chromedp.SendKeys(chromedp.CSS(`#service-new-name`), "db"),
		chromedp.SendKeys(chromedp.CSS(`#service-new-tech`), "postgres"),
		chromedp.Click(chromedp.CSS(`[data-testid="service-add-submit"]`)),
	)
	b.waitJS("the duplicate is refused in place", count(`#service-add [data-testid="field-error"]`)+` === 1`)
	tech := evalJS[string](b, "read the kept value", `document.querySelector("#service-new-tech").value`)
	if tech != "postgres" {
		t.Errorf("typed tech not kept after the error: %q", tech)
	}
	evalJS[chromedp.Void](b, "clear the form", `document.querySelector("#service-add").reset()`)

	b.run("add the server",
		chromedp.SendKeys(chromedp.CSS(`#server-new-name`), "node-a"),
		chromedp.SendKeys(chromedp.CSS(`#server-new-zone`), "zone-1"),
		chromedp.Click(chromedp.CSS(`[data-testid="server-add-submit"]`)),
	)
	b.waitJS("the server is listed", count(`[data-testid="server-row"]`)+` === 1`)

	b.run("place web on node-a in the matrix",
		chromedp.SendKeys(chromedp.CSS(`input[aria-label="Instances of web on node-a"]`), "2\t"),
	)
	b.waitJS("the placement is stored", count(`.matrix .cell.placed`)+` === 1`)

	b.run("add the dependency",
		chromedp.SetValue(chromedp.CSS(`#dependency-new-from`), "web"),
		chromedp.SetValue(chromedp.CSS(`#dependency-new-to`), "db"),
		chromedp.SetValue(chromedp.CSS(`#dependency-new-protocol`), "sql"),
		chromedp.Click(chromedp.CSS(`[data-testid="dependency-add-submit"]`)),
	)
	b.waitJS("the dependency is listed", count(`[data-testid="dependency-row"]`)+` === 1`)
	// Edit a row in place: the row turns into a form, Save stores it.
	b.run("edit db",
		chromedp.Click(chromedp.CSS(`[data-testid="service-row"]:nth-child(2) [data-testid="edit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="service-edit-row"]`)),
		chromedp.SendKeys(chromedp.CSS(`[data-testid="service-edit-row"] input[name="tech"]`), "postgres"),
		chromedp.Click(chromedp.CSS(`[data-testid="service-edit-row"] [data-testid="save"]`)),
	)
	b.waitJS("the edited row shows the new value", `document.querySelectorAll('[data-testid="service-edit-row"]').length === 0 && document.querySelector('[data-testid="service-row"]:nth-child(2)').textContent.includes("postgres")`)
	b.screenshot("workspace")
	b.checkConsole()

	b.run("open the diagram",
		chromedp.Click(chromedp.CSS(`[data-testid="tab-diagram"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#diagram-svg svg`)),
	)
	island := `JSON.parse(document.getElementById("diagram-svg").getAttribute("data-island"))`
	webID := evalJS[string](b, "find web on the diagram", island+`.services["web"].ids[0]`)
	dbID := evalJS[string](b, "find db on the diagram", island+`.services["db"].ids[0]`)
	b.waitJS("both services are drawn", fmt.Sprintf(`!!document.getElementById(%q) && !!document.getElementById(%q)`, webID, dbID))
	for id, name := range map[string]string{webID: "web", dbID: "db"} {
		if got := evalJS[string](b, "read a node's label", fmt.Sprintf(`document.getElementById(%q).textContent`, id)); !strings.Contains(got, name) {
			t.Errorf("node #%s shows %q, want %q", id, got, name)
		}
	}

	// Hovering a node shows Graphviz's tooltip (xlink:title on its link),
	// which must survive the sanitizer and the HTML parser.
	tip := evalJS[string](b, "read web's tooltip", fmt.Sprintf(`document.querySelector("#%s a").getAttributeNS("http://www.w3.org/1999/xlink", "title") || ""`, webID))
	if !strings.Contains(tip, "web") {
		t.Errorf("web's tooltip is %q", tip)
	}

	b.run("click web", chromedp.Click(chromedp.CSS("#"+webID)))
	b.waitJS("web is selected and db highlighted as its callee", fmt.Sprintf(
		`document.getElementById(%q).classList.contains("is-selected") && document.getElementById(%q).classList.contains("is-downstream")`, webID, dbID))
	b.waitJS("the side panel shows web", `document.querySelector('[data-testid="panel-service-name"]') && document.querySelector('[data-testid="panel-service-name"]').textContent === "web"`)

	b.run("fail node-a",
		chromedp.Click(chromedp.CSS(`input[value="server:node-a"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="simulate-submit"]`)),
	)
	b.waitJS("web is marked down", fmt.Sprintf(`document.getElementById(%q).classList.contains("sim-down")`, webID))
	if got := evalJS[string](b, "read the down list", `document.querySelector('[data-testid="sim-down"]').textContent`); !strings.Contains(got, "web") {
		t.Errorf("down list %q lacks web", got)
	}
	b.screenshot("diagram")

	svg := evalJS[string](b, "download the SVG", `fetch(document.querySelector('[data-testid="download-svg"]').href).then(r => r.ok ? r.text() : "HTTP " + r.status)`, chromedp.EvalAwaitPromise)
	if err := checkSVG([]byte(svg)); err != nil {
		t.Errorf("the SVG download is not a valid SVG: %v\n%.300s", err, svg)
	}
	for _, name := range []string{"web", "db"} {
		if !strings.Contains(svg, ">"+name+"<") {
			t.Errorf("the SVG download does not show %s", name)
		}
	}
	b.checkConsole()

	m, _, err := ts.db.LoadModel(t.Context(), "web-shop")
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Services) != 2 || len(m.Servers) != 1 || len(m.Placements) != 1 || len(m.Dependencies) != 1 || m.Placements[0].Instances != 2 {
		t.Fatalf("stored model after the browser session: %+v", m)
	}
}
