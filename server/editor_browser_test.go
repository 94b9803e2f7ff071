package server

import (
	"math"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/archmap/archmap/topology/topologytest"
)

// In a 300-service workspace, adding a service by typing its name and
// pressing Enter keeps the page where it was: the scroll position moves by
// less than 100 px, focus is back in the name field, the new row is there
// with a message next to the form. Then an error in that form is cleared
// when the user works in another.
func TestBrowserEditorAddKeepsPlace(t *testing.T) {
	ts := newTestServer(t)
	b := newBrowser(t, ts.URL)
	slug := importModel(t, ts.db, "big", topologytest.Generate(300))

	b.run("set up and open the model tab",
		b.navigate("/"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="setup-form"]`)),
		chromedp.SendKeys(chromedp.CSS(`#setup-email`), testEmail),
		chromedp.SendKeys(chromedp.CSS(`#setup-password`), testPassword),
		chromedp.SendKeys(chromedp.CSS(`#setup-confirm`), testPassword),
		chromedp.Click(chromedp.CSS(`[data-testid="setup-submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#ws-name`)),
		b.navigate("/w/"+slug),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="editor"]`)),
	)
	// The user scrolled down to the add form, somewhere in the middle of
	// a long page, and clicked into its name field.
	evalJS[chromedp.Void](b, "scroll to the add form", `document.getElementById("service-new-name").scrollIntoView({block: "center"}); document.getElementById("service-new-name").focus()`)
	before := evalJS[float64](b, "read the scroll position", `window.scrollY`)
	if before < 200 {
		t.Fatalf("the add form is at scrollY %.0f: the page is too short to show a jump", before)
	}
	b.run("type a name and press Enter",
		chromedp.SendKeys(chromedp.CSS(`#service-new-name`), "brand-new"+kb.Enter),
	)
	b.waitJS("the new row is there", `[...document.querySelectorAll('[data-testid="service-name"]')].some(td => td.textContent === "brand-new")`)
	b.waitJS("the form says what it did", `document.querySelector('#service-add [data-testid="form-notice"]')`)
	// The matrix fetches itself after the add: wait until htmx is idle.
	b.waitJS("htmx is idle", `document.querySelectorAll(".htmx-request").length === 0`)
	after := evalJS[float64](b, "read the scroll position", `window.scrollY`)
	if d := math.Abs(after - before); d >= 100 {
		t.Errorf("scrollY moved from %.0f to %.0f (%.0f px)", before, after, d)
	}
	if id := evalJS[string](b, "read the focus", `document.activeElement.id`); id != "service-new-name" {
		t.Errorf("focus is on #%s, want the name field", id)
	}
	if v := evalJS[string](b, "read the name field", `document.getElementById("service-new-name").value`); v != "" {
		t.Errorf("the name field still holds %q after the add", v)
	}
	if n := evalJS[string](b, "read the count", `document.querySelector('[data-testid="count-services"]').textContent`); n != "301" {
		t.Errorf("the services count shows %s, want 301", n)
	}
	rev := evalJS[string](b, "read the page's revision", `document.getElementById("ws-revision").value`)
	if _, ws, err := ts.db.LoadModel(t.Context(), slug); err != nil || itoa(ws.Revision) != rev {
		t.Errorf("page revision %s, stored %v (%v)", rev, ws, err)
	}

	// The same name again is refused next to the field; then adding a
	// server clears that stale message.
	b.run("add the same name again",
		chromedp.SendKeys(chromedp.CSS(`#service-new-name`), "brand-new"+kb.Enter),
	)
	b.waitJS("the duplicate is refused in place", count(`#service-add [data-testid="field-error"]`)+` === 1`)
	if id := evalJS[string](b, "read the focus", `document.activeElement.id`); id != "service-new-name" {
		t.Errorf("after the refusal focus is on #%s, want the name field", id)
	}
	b.run("add a server",
		chromedp.SendKeys(chromedp.CSS(`#server-new-name`), "node-new"+kb.Enter),
	)
	b.waitJS("the server is added", `document.querySelector('#server-add [data-testid="form-notice"]')`)
	if n := evalJS[int](b, "count old messages", count(`#service-add [data-testid="field-error"]`)); n != 0 {
		t.Errorf("the service form still shows its old error")
	}
	b.checkConsole()
}
