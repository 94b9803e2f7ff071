package server

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserSingleSignOn signs in through the test provider in Chromium:
// the sign-in page's button, the provider's own login page on another
// site, and back to archmap signed in, on the page the user asked for.
func TestBrowserSingleSignOn(t *testing.T) {
	ts, op := newSSOServer(t, nil)
	op.users.add("grace", "grace@example.org", true, "archmap-admins")
	b := newBrowser(t, ts.URL)

	b.run("open the account page signed out",
		b.navigate("/account"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="sso-submit"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="sso-submit"]`)),
	)
	// The provider's login page (zitadel/oidc's example login UI).
	b.run("sign in at the provider",
		chromedp.WaitVisible(chromedp.CSS(`#username`)),
		chromedp.SendKeys(chromedp.CSS(`#username`), "grace"),
		chromedp.SendKeys(chromedp.CSS(`#password`), opPassword),
		chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="current-user"]`)),
	)
	who := evalJS[string](b, "read the signed-in user", `document.querySelector('[data-testid="current-user"]').textContent`)
	if who != "grace@example.org" {
		t.Errorf("signed in as %q", who)
	}
	if path := evalJS[string](b, "read the address", `location.pathname`); path != "/account" {
		t.Errorf("landed on %s, want /account", path)
	}
	b.run("the workspace list shows the user",
		b.navigate("/"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="current-user"]`)),
	)
	if who := evalJS[string](b, "read the user on the list", `document.querySelector('[data-testid="current-user"]').textContent`); who != "grace@example.org" {
		t.Errorf("the workspace list shows %q", who)
	}
	b.screenshot("sso-signed-in")
	b.checkConsole()
}
