package server

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// In Chromium, by keyboard: a refused add names the rows' fields, puts
// focus on the first, keeps what was typed and stores nothing; ticking
// "add servers that are new" and fixing the call then adds it all at once.
func TestBrowserServiceAddFormByKeyboard(t *testing.T) {
	ts := newTestServer(t)
	b := newBrowser(t, ts.URL)
	slug := importModel(t, ts.db, "shop", shopModel())
	b.setUpFirstAdmin()
	b.run("open the model tab",
		b.navigate("/w/"+slug),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="editor"]`)),
	)
	m, before, err := ts.db.LoadModel(t.Context(), slug)
	if err != nil {
		t.Fatal(err)
	}
	services := len(m.Services)

	b.run("type a service, a new server and an unknown callee",
		chromedp.SendKeys(chromedp.CSS(`#service-new-name`), "search"),
		chromedp.SendKeys(chromedp.CSS(`#service-new-runs-on-0-server`), "search-1"),
		chromedp.SendKeys(chromedp.CSS(`#service-new-calls-0-to`), "nosuch"),
	)
	// "+ Another call" by keyboard: Tab to it from the row's last field,
	// Enter; focus lands in the new row.
	b.run("add a call row by keyboard",
		chromedp.Focus(chromedp.CSS(`#service-add [data-testid="calls-more"]`)),
		chromedp.KeyEvent(kb.Enter),
	)
	b.waitJS("the new row has focus", `document.activeElement.id === "service-new-calls-1-to"`)
	b.run("type the second callee and send", chromedp.KeyEvent("web"+kb.Enter))
	b.waitJS("the refusal is shown", count(`#service-add [data-testid="field-error"]`)+` === 2`)
	// (Focus moves when the swap settles, a moment after the messages show.)
	b.waitJS("focus is on the first refused field", `document.activeElement.id === "service-new-runs-on-0-server"`)
	for id, want := range map[string]string{
		"service-new-runs-on-0-server": `No server "search-1"`,
		"service-new-calls-0-to":       `No service "nosuch"`,
	} {
		got := evalJS[string](b, "read the message of "+id, `document.getElementById("`+id+`").closest(".field").textContent`)
		if !strings.Contains(got, want) {
			t.Errorf("%s: %q, want %q", id, got, want)
		}
	}
	if v := evalJS[string](b, "read the kept row", `document.getElementById("service-new-calls-1-to").value`); v != "web" {
		t.Errorf("the second call row holds %q after the refusal", v)
	}
	if _, ws, _ := ts.db.LoadModel(t.Context(), slug); ws.Revision != before.Revision {
		t.Fatalf("a refused add made revision %d", ws.Revision)
	}

	// Remove the bad call (×), tick "add servers that are new", send.
	b.run("remove the bad call",
		chromedp.Click(chromedp.CSS(`#service-add [data-list="calls"] .link-row:first-child [data-remove-row]`)),
	)
	b.waitJS("the row is gone and focus in the next", `!document.getElementById("service-new-calls-0-to") && document.activeElement.id === "service-new-calls-1-to"`)
	b.run("tick and send",
		chromedp.Click(chromedp.CSS(`#service-add [data-testid="new-servers"]`)),
		chromedp.SendKeys(chromedp.CSS(`#service-new-name`), kb.Enter),
	)
	b.waitJS("the add is done", `(document.querySelector('#service-add [data-testid="form-notice"]')?.textContent || "").includes("search-1")`)
	b.waitJS("the placement row is there", `[...document.querySelectorAll('[data-testid="placement-row"]')].some(r => r.textContent.includes("search-1"))`)
	b.waitJS("the dependency row is there", `[...document.querySelectorAll('[data-testid="dependency-row"]')].some(r => r.textContent.includes("search") && r.textContent.includes("web"))`)
	b.waitJS("after the add focus is back in the name field", `document.activeElement.id === "service-new-name"`)
	m, ws, _ := ts.db.LoadModel(t.Context(), slug)
	if ws.Revision != before.Revision+1 || len(m.Services) != services+1 {
		t.Errorf("revision %d → %d, %d services: want one revision adding one", before.Revision, ws.Revision, len(m.Services))
	}
	b.checkConsole()
}
