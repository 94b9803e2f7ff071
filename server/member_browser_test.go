package server

import (
	"context"
	"testing"

	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestMembersInBrowser: an owner adds a member by keyboard alone, changes
// the role and removes the member, each answered in place by htmx.
func TestMembersInBrowser(t *testing.T) {
	ts := newTestServer(t)
	b := newBrowser(t, ts.URL)
	signInBrowser(b)
	ctx := context.Background()
	admin, err := ts.db.GetUserByEmail(ctx, testEmail)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ts.db.CreateUser(ctx, "bob@example.com", fixturePasswordHash(t), false); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.db.CreateWorkspaceOwnedBy(ctx, admin.ID, "Team", ""); err != nil {
		t.Fatal(err)
	}

	b.run("open the members tab",
		b.navigate("/w/team"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="tab-members"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="tab-members"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="member-add-form"]`)),
	)
	// Keyboard only: the email, Tab to the role, pick "editor" by its
	// first letter, Tab to the button, Enter sends the form.
	b.run("add bob by keyboard",
		chromedp.Focus(chromedp.CSS(`#member-email`)),
		chromedp.KeyEvent("bob@example.com"+kb.Tab),
	)
	if id := evalJS[string](b, "read the focus", `document.activeElement.id`); id != "member-role" {
		t.Fatalf("Tab from the email goes to %q, want the role", id)
	}
	b.run("choose editor and send", chromedp.KeyEvent("e"), chromedp.KeyEvent(kb.Tab), chromedp.KeyEvent(kb.Enter))
	b.waitJS("bob is listed", `document.querySelectorAll('[data-testid="member-row"]').length === 2`)
	b.waitJS("as an editor", `[...document.querySelectorAll('[data-testid="member-row"]')].some(r => r.textContent.includes("bob@example.com") && r.querySelector("select").value === "editor")`)
	b.waitJS("the section says so", `document.querySelector('[data-testid="members-notice"]').textContent.includes("bob@example.com")`)

	b.run("make bob a viewer",
		chromedp.SetValue(chromedp.CSS(`[data-testid="member-row"]:nth-child(2) select`), "viewer"),
		chromedp.Click(chromedp.CSS(`[data-testid="member-row"]:nth-child(2) [data-testid="member-role-submit"]`)),
	)
	b.waitJS("bob is a viewer", `document.querySelector('[data-testid="members-notice"]').textContent.includes("now viewer")`)

	// Bob signs in: he reads the workspace, is told he can only view it,
	// and has no control to change it.
	signInAsBrowser(b, "bob@example.com")
	b.run("open the workspace as a viewer",
		b.navigate("/w/team"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="role-note"]`)),
	)
	if txt := evalJS[string](b, "read the empty services", `document.querySelector('[data-testid="services-empty"]').textContent.trim()`); txt != "No services yet." {
		t.Errorf("a viewer is told %q about the empty services, want no invitation to add one", txt)
	}
	if n := evalJS[int](b, "count controls", count(`[data-testid="service-add-form"], [data-testid="tab-share"], [data-testid="tab-settings"], [data-testid="tab-members"], [data-testid="edit"]`)); n != 0 {
		t.Errorf("a viewer's page has %d controls to change the workspace", n)
	}
	b.screenshot("members-viewer")
	signInAsBrowser(b, testEmail)
	b.run("back to the members tab", b.navigate("/w/team/members"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="member-add-form"]`)))

	if err := chromedp.Listen(b.ctx, func(ev any) {
		if _, ok := ev.(*cdppage.EventJavascriptDialogOpening); ok {
			go func() {
				_, _ = chromedp.Call(b.ctx, cdppage.HandleJavaScriptDialog, cdppage.HandleJavaScriptDialogParams{Accept: true})
			}()
		}
	}); err != nil {
		t.Fatal(err)
	}
	b.run("remove bob", chromedp.Click(chromedp.CSS(`[data-testid="member-row"]:nth-child(2) [data-testid="member-remove"]`)))
	b.waitJS("bob is gone", `document.querySelectorAll('[data-testid="member-row"]').length === 1`)
	b.checkConsole()
}

// signInAsBrowser signs the browser out and in again as another account.
func signInAsBrowser(b *browser, email string) {
	b.t.Helper()
	b.run("sign in as "+email,
		chromedp.Click(chromedp.CSS(`[data-testid="logout"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#login-email`)),
		chromedp.SendKeys(chromedp.CSS(`#login-email`), email),
		chromedp.SendKeys(chromedp.CSS(`#login-password`), testPassword+kb.Enter),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="current-user"]`)),
	)
}
