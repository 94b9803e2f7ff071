package server

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/archmap/archmap/store"
	"github.com/archmap/archmap/topology"
)

// TestBrowserHistory: the History tab lists the edits of two people with
// what each changed; comparing an old revision with now draws the added,
// removed and changed parts on the diagram, in both views; restore brings
// the old model back as a new revision.
func TestBrowserHistory(t *testing.T) {
	ts := newTestServer(t)
	b := newBrowser(t, ts.URL)
	b.run("set up the admin",
		b.navigate("/"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="setup-form"]`)),
		chromedp.SendKeys(chromedp.CSS(`#setup-email`), testEmail),
		chromedp.SendKeys(chromedp.CSS(`#setup-password`), testPassword),
		chromedp.SendKeys(chromedp.CSS(`#setup-confirm`), testPassword),
		chromedp.Click(chromedp.CSS(`[data-testid="setup-submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="workspaces-empty"]`)),
	)

	ctx := context.Background()
	alice := store.WithChange(ctx, store.Change{Author: testEmail})
	bob := store.WithChange(ctx, store.Change{Author: "bob@example.com"})
	db := ts.db
	if _, _, err := db.ImportModel(alice, "shop", shopModel()); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.Services().Create(bob, "shop", topology.Service{Name: "search", Team: "discovery"}, 0); err != nil {
		t.Fatal(err)
	}
	r, err := db.LoadRecords(ctx, "shop")
	if err != nil {
		t.Fatal(err)
	}
	p := r.Placements[0] // web on node-a ×2
	p.Instances = 3
	if _, _, err := db.Placements().Update(alice, "shop", p.ID, p.Placement, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Dependencies().Delete(bob, "shop", r.Dependencies[0].ID, 0); err != nil { // web → cart
		t.Fatal(err)
	}

	b.run("open the History tab",
		b.navigate("/w/shop"),
		chromedp.Click(chromedp.CSS(`[data-testid="tab-history"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="history-table"]`)),
	)
	b.waitJS("four revisions are listed", count(`[data-testid="history-row"]`)+` === 4`)
	rows := evalJS[[]string](b, "read the rows", `Array.from(document.querySelectorAll('[data-testid="history-row"]')).map(r => r.innerText.replace(/\s+/g, " "))`)
	for i, want := range []string{"bob@example.com removed call web → cart", "web on node-a: 2 → 3 instances", "bob@example.com added service search", "created the workspace"} {
		if !strings.Contains(rows[i], want) {
			t.Errorf("row %d is %q, want it to mention %q", i, rows[i], want)
		}
	}
	b.screenshot("history-tab")
	if n := evalJS[int](b, "the chart", count(`[data-testid="history-chart"] polyline`)); n != 4 {
		t.Errorf("the chart has %d lines, want one per severity", n)
	}

	b.run("compare the first revision with now",
		chromedp.Click(chromedp.CSS(`[data-testid="history-row"][data-revision="1"] [data-testid="compare-now"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="compare-headline"]`)),
	)
	b.waitJS("the diagram is drawn with its marks", `document.querySelector('[data-testid="compare-svg"] svg') && document.querySelector('[data-testid="compare-svg"]').dataset.marked === "1"`)
	marks := func() map[string]int {
		return evalJS[map[string]int](b, "count the marks", `({added: document.querySelectorAll('[data-testid="compare-svg"] .chg-added').length,
			removed: document.querySelectorAll('[data-testid="compare-svg"] .chg-removed').length,
			changed: document.querySelectorAll('[data-testid="compare-svg"] .chg-changed').length})`)
	}
	b.screenshot("history-compare-services")
	if m := marks(); m["added"] == 0 || m["removed"] == 0 || m["changed"] == 0 {
		t.Errorf("services view marks: %v, want added (search), removed (web → cart) and changed (web)", m)
	}
	if n := evalJS[int](b, "the changes table", count(`[data-testid="compare-change"]`)); n != 3 {
		t.Errorf("%d model changes listed, want 3", n)
	}
	b.run("switch to the deployment view",
		chromedp.Click(chromedp.CSS(`[data-testid="compare-view-deployment"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="compare-headline"]`)),
	)
	b.waitJS("the deployment diagram is drawn with its marks", `document.querySelector('[data-testid="compare-svg"][data-view="deployment"]') && document.querySelector('[data-testid="compare-svg"]').dataset.marked === "1"`)
	if m := marks(); m["changed"] == 0 || m["removed"] == 0 {
		t.Errorf("deployment view marks: %v", m)
	}
	b.screenshot("history-compare-deployment")

	b.run("restore the first revision",
		b.navigate("/w/shop/history"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="history-table"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="history-row"][data-revision="1"] [data-testid="restore"]`)),
	)
	b.waitJS("the restore is a new revision", count(`[data-testid="history-row"]`)+` === 5`)
	top := evalJS[string](b, "read the newest row", `document.querySelector('[data-testid="history-row"]').innerText`)
	if !strings.Contains(top, "restored revision 1") || !strings.Contains(top, testEmail) {
		t.Errorf("the newest row is %q", top)
	}
	m, _, err := db.LoadModel(ctx, "shop")
	if err != nil {
		t.Fatal(err)
	}
	want, _ := topology.EncodeYAML(shopModel())
	got, _ := topology.EncodeYAML(m)
	if string(got) != string(want) {
		t.Errorf("after the restore the model is:\n%s\nwant:\n%s", got, want)
	}
	b.checkConsole()
}
