package server

import (
	"fmt"
	"math"
	"strings"
	"testing"

	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/archmap/archmap/topology"
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

	b.setUpFirstAdmin()
	b.run("open the model tab",
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

	// Edit a row and save: the row comes back, focus on its Edit button.
	b.run("edit the first service and save with Enter",
		chromedp.Click(chromedp.CSS(`[data-testid="service-row"] [data-testid="edit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="service-edit-row"] input[name="tech"]`)),
		chromedp.SendKeys(chromedp.CSS(`[data-testid="service-edit-row"] input[name="tech"]`), "-edited"+kb.Enter),
	)
	b.waitJS("the row is back", count(`[data-testid="service-edit-row"]`)+` === 0 && document.querySelector('[data-testid="service-row"]').textContent.includes("-edited")`)
	b.waitJS("htmx is idle", `document.querySelectorAll(".htmx-request").length === 0`)
	if got := evalJS[string](b, "read the focus", `document.activeElement.getAttribute("data-testid") + " in " + document.activeElement.closest("tr")?.id`); !strings.HasPrefix(got, "edit in service-") {
		t.Errorf("after a save focus is on %s, want the row's Edit button", got)
	}

	// Delete a row (accepting the question): it goes, the next row takes
	// focus, the section says what happened.
	if err := chromedp.Listen(b.ctx, func(ev any) {
		if _, ok := ev.(*cdppage.EventJavascriptDialogOpening); ok {
			go func() {
				// A failure shows as the row not going, which the test checks.
				_, _ = chromedp.Call(b.ctx, cdppage.HandleJavaScriptDialog, cdppage.HandleJavaScriptDialogParams{Accept: true})
			}()
		}
	}); err != nil {
		t.Fatal(err)
	}
	firstID := evalJS[string](b, "read the first row", `document.querySelector('[data-testid="service-row"]').id`)
	b.run("delete the first service", chromedp.Click(chromedp.CSS(`#`+firstID+` [data-testid="delete"]`)))
	b.waitJS("the row is gone", `!document.getElementById("`+firstID+`")`)
	b.waitJS("htmx is idle", `document.querySelectorAll(".htmx-request").length === 0`)
	b.waitJS("the section says so", `document.getElementById("services-status").textContent.includes("Deleted")`)
	if got := evalJS[string](b, "read the focus", `document.activeElement.getAttribute("data-testid") || document.activeElement.tagName`); got != "edit" {
		t.Errorf("after a delete focus is on %s, want the next row's Edit button", got)
	}
	if n := evalJS[string](b, "read the count", `document.querySelector('[data-testid="count-services"]').textContent`); n != "300" {
		t.Errorf("the services count shows %s after the delete, want 300", n)
	}

	// A stale page: someone else wrote meanwhile. The refusal is shown in
	// the form the user is in, typed values kept, with a reload of the
	// section; after it, the same Enter goes through.
	if _, _, err := ts.db.Services().Create(t.Context(), slug, topology.Service{Name: "by-someone-else"}, 0); err != nil {
		t.Fatal(err)
	}
	// (The field still holds the refused duplicate: clear it.)
	evalJS[chromedp.Void](b, "clear the name", `document.getElementById("service-new-name").value = ""`)
	b.run("add on a stale page",
		chromedp.SendKeys(chromedp.CSS(`#service-new-name`), "mine"+kb.Enter),
	)
	b.waitJS("the conflict is shown in the form", `document.querySelector('#service-add [data-testid="form-errors"]') && document.querySelector('#service-add [data-testid="reload-section"]')`)
	if v := evalJS[string](b, "read the kept name", `document.getElementById("service-new-name").value`); v != "mine" {
		t.Errorf("the typed name is not kept after the conflict: %q", v)
	}
	staleRev := evalJS[string](b, "read the revision", `document.getElementById("ws-revision").value`)
	b.run("reload the section", chromedp.Click(chromedp.CSS(`#service-add [data-testid="reload-section"]`)))
	b.waitJS("the page's revision moves on", `document.getElementById("ws-revision").value !== "`+staleRev+`"`)
	b.run("send again", chromedp.Click(chromedp.CSS(`[data-testid="service-add-submit"]`)))
	b.waitJS("the add goes through", `[...document.querySelectorAll('[data-testid="service-name"]')].some(td => td.textContent === "mine")`)

	// A refused matrix value stays in its cell, marked, with its message.
	cell := evalJS[string](b, "find a matrix cell", `document.querySelector("table.matrix input[id^='cell-']").id`)
	b.run("type a negative count", chromedp.SendKeys(chromedp.CSS("#"+cell), "-3\t"))
	b.waitJS("the cell is marked", `document.getElementById("`+cell+`").closest("td").classList.contains("cell-invalid")`)
	if v := evalJS[string](b, "read the cell", `document.getElementById("`+cell+`").value`); v != "-3" {
		t.Errorf("the refused value is not kept in its cell: %q", v)
	}
	b.checkConsole()
}

// The new share link has a copy button that says what it did.
func TestBrowserShareLinkCopy(t *testing.T) {
	ts := newTestServer(t)
	b := newBrowser(t, ts.URL)
	slug := importModel(t, ts.db, "shop", shopModel())
	b.setUpFirstAdmin()
	b.run("make a link",
		b.navigate("/w/"+slug+"/shares"),
		chromedp.Click(chromedp.CSS(`[data-testid="share-create-submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="share-copy"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="share-copy"]`)),
	)
	b.waitJS("the copy says what it did", `document.querySelector('[data-testid="share-copy-status"]').textContent !== ""`)
	b.checkConsole()
}

// BenchmarkBrowserEditorAdd measures in Chromium what the user waits for:
// opening the model tab (navigation start to the load event) and one add
// from submit to the new row painted (two animation frames after it is in
// the DOM), at each model size. The figures are measured in the page
// (performance.now), so the DevTools round trips are not in them:
//
//	go test ./server -run '^$' -bench BenchmarkBrowserEditorAdd -benchtime 5x
func BenchmarkBrowserEditorAdd(b *testing.B) {
	for _, n := range []int{50, 100, 300, 1000} {
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			ts := newTestServer(b)
			br := newBrowser(b, ts.URL)
			slug := importModel(b, ts.db, "big", topologytest.Generate(n))
			br.run("set up and open the model tab",
				br.navigate("/"),
				chromedp.WaitVisible(chromedp.CSS(`[data-testid="setup-form"]`)),
				chromedp.SendKeys(chromedp.CSS(`#setup-email`), testEmail),
				chromedp.SendKeys(chromedp.CSS(`#setup-password`), testPassword),
				chromedp.SendKeys(chromedp.CSS(`#setup-confirm`), testPassword),
				chromedp.Click(chromedp.CSS(`[data-testid="setup-submit"]`)),
				chromedp.WaitVisible(chromedp.CSS(`#ws-name`)),
				br.navigate("/w/"+slug),
				chromedp.WaitVisible(chromedp.CSS(`[data-testid="editor"]`)),
			)
			br.waitJS("the page is loaded", `performance.getEntriesByType("navigation")[0].loadEventEnd > 0`)
			load := evalJS[float64](br, "read the load time", `performance.getEntriesByType("navigation")[0].loadEventEnd`)
			var total float64
			i := 0
			for b.Loop() {
				i++
				ms := evalJS[float64](br, "add a service", fmt.Sprintf(`new Promise((resolve) => {
					const name = "bench-add-%d";
					const input = document.getElementById("service-new-name");
					input.value = name;
					const t0 = performance.now();
					const done = () => requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now() - t0)));
					const found = () => [...document.querySelectorAll('[data-testid="service-name"]')].some(td => td.textContent === name);
					const mo = new MutationObserver(() => { if (found()) { mo.disconnect(); done(); } });
					mo.observe(document.getElementById("editor"), {childList: true, subtree: true});
					input.form.requestSubmit();
				})`, i), chromedp.EvalAwaitPromise)
				total += ms
			}
			b.ReportMetric(load, "ms-load")
			b.ReportMetric(total/float64(i), "ms/add-to-paint")
		})
	}
}
