package server

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// The browser tests drive Debian's Chromium through chromedp against the
// real server, as a new user would. They skip only when no Chromium is
// installed and CI is not "true".

// chromePath finds Chromium: CHROME_PATH, else the usual names on PATH.
func chromePath() string {
	if p := os.Getenv("CHROME_PATH"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// browser is one headless Chromium tab with a fresh profile. Problems the
// page reports (console errors, CSP violations, uncaught exceptions) fail
// the test: they are bugs a user would hit.
type browser struct {
	t       testing.TB
	ctx     context.Context
	base    string
	console chan string
}

func newBrowser(t testing.TB, base string) *browser {
	t.Helper()
	// -short is the quick loop (make test-short); a browser costs seconds.
	if testing.Short() {
		t.Skip("-short: skipping the Chromium browser test")
	}
	path := chromePath()
	if path == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("Chromium is not installed, and CI=true: install it (apt-get install -y chromium) or set CHROME_PATH")
		}
		t.Skip("Chromium not found (set CHROME_PATH or install chromium); skipping the browser test")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1440, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	b := &browser{t: t, ctx: ctx, base: base, console: make(chan string, 100)}
	err := chromedp.Listen(ctx, func(ev any) {
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			d := ev.ExceptionDetails
			msg := d.Text
			if d.Exception != nil {
				msg += " " + d.Exception.Description
			}
			b.report(fmt.Sprintf("uncaught exception at %s:%d: %s", d.URL, d.LineNumber, msg))
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeWarning {
				var parts []string
				for _, a := range ev.Args {
					parts = append(parts, strings.Trim(string(a.Value), `"`)+a.Description)
				}
				b.report(fmt.Sprintf("console.%s: %s", ev.Type, strings.Join(parts, " ")))
			}
		case *cdplog.EventEntryAdded:
			// Content-Security-Policy violations arrive here, not on the
			// console API. Failed loads (source "network") are not: a 422
			// for a refused form is the app working.
			if e := ev.Entry; e != nil && e.Level == cdplog.EntryLevelError && e.Source != cdplog.EntrySourceNetwork {
				b.report(fmt.Sprintf("%s: %s (%s)", e.Source, e.Text, e.URL))
			}
		}
	})
	if err != nil {
		t.Fatalf("start Chromium (%s): %v", path, err)
	}
	if _, err := chromedp.Call(ctx, cdplog.Enable, cdp.Empty{}); err != nil {
		t.Fatalf("enable the log domain: %v", err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			b.screenshot("failure-" + strings.ReplaceAll(t.Name(), "/", "-"))
		}
		cancelTimeout()
		cancelTab()
		cancelAlloc()
	})
	return b
}

func (b *browser) report(msg string) {
	select {
	case b.console <- msg:
	default:
	}
}

// checkConsole fails the test for anything the page complained about.
func (b *browser) checkConsole() {
	b.t.Helper()
	for {
		select {
		case msg := <-b.console:
			b.t.Errorf("the page reported: %s", msg)
		default:
			return
		}
	}
}

// run runs chromedp actions, failing the test (with a screenshot) on error.
func (b *browser) run(step string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v", step, err)
	}
}

// evalJS evaluates a JavaScript expression in the page. (DevTools evaluation
// is not bound by the page's CSP; the page's own code is.)
func evalJS[T any](b *browser, step, expr string, opts ...chromedp.EvaluateOption) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, opts...))
	if err != nil {
		b.t.Fatalf("%s: %v", step, err)
	}
	return v
}

// waitJS waits until a JavaScript expression is true. chromedp's Poll builds
// its predicate with new Function, which our CSP forbids, so this polls from
// Go instead.
func (b *browser) waitJS(step, expr string) {
	b.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("!!("+expr+")"))
		cancel()
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("%s: still not true after 20s: %s (last error: %v)", step, expr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// screenshot writes a full-page PNG to ARCHMAP_SCREENSHOTS (a relative
// path is taken from the repository root, where /screenshots/ is ignored by
// git), or for failures without it to the temp dir, and logs where.
func (b *browser) screenshot(name string) {
	dir := os.Getenv("ARCHMAP_SCREENSHOTS")
	if dir != "" && !filepath.IsAbs(dir) {
		dir = filepath.Join("..", dir) // go test runs in server/
	}
	if dir == "" {
		if !strings.HasPrefix(name, "failure-") {
			return
		}
		dir = os.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
		return
	}
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
		return
	}
	path := filepath.Join(dir, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
		return
	}
	b.t.Logf("screenshot: %s", path)
}

func (b *browser) navigate(path string) chromedp.Action[chromedp.Void] {
	return chromedp.Navigate(b.base + path)
}

// count is a JavaScript expression for the number of elements matching sel.
func count(sel string) string {
	return fmt.Sprintf("document.querySelectorAll(%q).length", sel)
}

// setUpFirstAdmin creates the first account through /setup, as a new
// user of a fresh instance does, and waits for the workspace list.
func (b *browser) setUpFirstAdmin() {
	b.t.Helper()
	b.run("set up the first account",
		b.navigate("/"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="setup-form"]`)),
		chromedp.SendKeys(chromedp.CSS(`#setup-email`), testEmail),
		chromedp.SendKeys(chromedp.CSS(`#setup-password`), testPassword),
		chromedp.SendKeys(chromedp.CSS(`#setup-confirm`), testPassword),
		chromedp.Click(chromedp.CSS(`[data-testid="setup-submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#ws-name`)),
	)
}
