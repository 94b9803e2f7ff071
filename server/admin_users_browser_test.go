package server

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// An admin creates an account in Chromium and copies its one-time link; the
// new user opens it in a browser context of their own (no cookie of the
// admin's), sets a password with the keyboard alone and lands signed in.
func TestBrowserAdminInvitesAUser(t *testing.T) {
	ts := newTestServer(t)
	b := newBrowser(t, ts.URL)
	signInBrowser(b)
	const email = "invited@example.com"
	b.run("create the account",
		chromedp.Click(chromedp.CSS(`[data-testid="nav-admin"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="user-create-form"]`)),
		chromedp.SendKeys(chromedp.CSS(`#user-email`), email),
		chromedp.Click(chromedp.CSS(`[data-testid="user-create-submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="password-link"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="password-link-copy"]`)),
	)
	b.waitJS("the copy says what it did", `document.querySelector('[data-testid="password-link-new"] .copy-status').textContent !== ""`)
	b.screenshot("admin-users")
	link := evalJS[string](b, "read the link", `document.getElementById("password-link").value`)
	if !strings.HasPrefix(link, ts.URL+"/password/") {
		t.Fatalf("the link is %q", link)
	}
	b.checkConsole()

	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	defer cancel()
	// The tab opens with the context itself: opened in run's, which ends
	// with each step, it would close after the first.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open a second browser context: %v", err)
	}
	nb := &browser{t: t, ctx: ctx, base: ts.URL, console: make(chan string, 10)}
	nb.run("open the link and set a password",
		chromedp.Navigate(link),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="password-link-form"]`)),
	)
	nb.screenshot("password-link")
	// The password field has the focus: type, Tab, type again, Enter.
	const pw = "a long new password"
	nb.run("type the password", chromedp.KeyEvent(pw), chromedp.KeyEvent(kb.Tab))
	nb.run("repeat it and send",
		chromedp.KeyEvent(pw),
		chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="current-user"]`)),
	)
	if got := textOf(nb, `[data-testid="current-user"]`); got != email {
		t.Errorf("the new browser is signed in as %q, want %q", got, email)
	}
	if nav := textOf(nb, `nav.topnav`); strings.Contains(nav, "Admin") {
		t.Errorf("the new user, no admin, sees the admin link: %q", nav)
	}
	// The link is spent; the admin's browser is still the admin's.
	nb.run("open the link again", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS(`[data-testid="error-page"]`)))
	b.run("back to the list", b.navigate("/admin/users"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="user-list"]`)))
	if got := textOf(b, `[data-testid="current-user"]`); got != testEmail {
		t.Errorf("the admin's browser is signed in as %q", got)
	}
	b.run("the audit log", b.navigate("/admin/audit"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="audit-list"]`)))
	log := textOf(b, `[data-testid="audit-list"]`)
	for _, action := range []string{"setup", "user.create", "password.set"} {
		if !strings.Contains(log, action) {
			t.Errorf("the audit page does not show %s", action)
		}
	}
	b.screenshot("admin-audit")
	b.run("the account page", b.navigate("/account"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="password-change-form"]`)))
	b.screenshot("account-password")
	b.checkConsole()
}

// textOf reads the text of the first element matching sel.
func textOf(b *browser, sel string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("read %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}
