package server

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// Uploading Online Boutique's manifests with the format left on automatic
// imports them as Kubernetes; a wrong choice is explained while the chosen
// file stays chosen; a file over the bound is refused in place.
func TestBrowserImportOnAutomatic(t *testing.T) {
	manifests := realFile(t, "online-boutique/kubernetes-manifests.yaml")
	ts := newTestServer(t)
	b := newBrowser(t, ts.URL)
	dir := t.TempDir()
	good := filepath.Join(dir, "kubernetes-manifests.yaml")
	big := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(good, []byte(manifests), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(big, []byte(strings.Repeat("#", 6<<20)), 0o644); err != nil {
		t.Fatal(err)
	}

	b.setUpFirstAdmin()
	b.run("create a workspace",
		chromedp.SendKeys(chromedp.CSS(`#ws-name`), "Boutique"),
		chromedp.Click(chromedp.CSS(`[data-testid="workspace-create-submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="editor"]`)),
		b.navigate("/w/boutique/import"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="import-form"]`)),
	)

	b.run("upload the manifests as a model file",
		chromedp.Click(chromedp.CSS(`[data-testid="import-format-model"]`)),
		chromedp.SetUploadFiles(chromedp.CSS(`#import-files`), []string{good}),
		chromedp.Click(chromedp.CSS(`[data-testid="import-submit"]`)),
	)
	b.waitJS("the mismatch is explained", `(document.querySelector('[data-testid="import-problems"]') || {}).textContent?.includes("Kubernetes manifests")`)
	b.screenshot("import-mismatch")
	if n := evalJS[int](b, "count the chosen files", `document.getElementById("import-files").files.length`); n != 1 {
		t.Errorf("after the error the file input holds %d files, want the one chosen", n)
	}

	b.run("import again on automatic, without choosing the file again",
		chromedp.Click(chromedp.CSS(`[data-testid="import-format-auto"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="import-submit"]`)),
	)
	b.waitJS("the report is shown", count(`[data-testid="import-report"]`)+` === 1`)
	if got := evalJS[string](b, "read what was detected", `document.querySelector('[data-testid="import-detected"]').textContent`); !strings.Contains(got, "Detected: Kubernetes manifests") {
		t.Errorf("detected = %q", got)
	}
	b.screenshot("import-detected")
	m, ws, err := ts.db.LoadModel(t.Context(), "boutique")
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Services) < 11 || ws.Name != "Boutique" {
		t.Errorf("imported %d services into %q", len(m.Services), ws.Name)
	}

	b.run("choose a file over 5 MiB",
		chromedp.SetUploadFiles(chromedp.CSS(`#import-files`), []string{big}),
		chromedp.Click(chromedp.CSS(`[data-testid="import-submit"]`)),
	)
	b.waitJS("the size is refused next to the input", `!document.querySelector('[data-testid="import-size-error"]').hidden`)
	if got := evalJS[string](b, "read the size message", `document.querySelector('[data-testid="import-size-error"]').textContent`); !strings.Contains(got, "at most 5.0 MiB") {
		t.Errorf("size message %q", got)
	}
	b.screenshot("import-too-large")
	if n := evalJS[int](b, "the page is still the import page", count(`[data-testid="import-form"]`)); n != 1 {
		t.Errorf("the import form is gone after an oversized choice")
	}

	// Without JavaScript the form posts the whole page: the server's bound
	// refuses the body, and the browser lands back on the import tab with
	// the message in place, not on an error page.
	b.run("upload it without JavaScript",
		func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
			_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
			return chromedp.Void{}, err
		},
		b.navigate("/w/boutique/import"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="import-form"]`)),
		chromedp.SetUploadFiles(chromedp.CSS(`#import-files`), []string{big}),
		chromedp.Click(chromedp.CSS(`[data-testid="import-submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="import-problems"]`)),
	)
	b.screenshot("import-too-large-nojs")
	text := evalJS[string](b, "read the message", `document.querySelector('[data-testid="import-problems"]').textContent`)
	if !strings.Contains(text, "larger than 5 MiB") {
		t.Errorf("no-JS oversized upload: problems %q", text)
	}
	b.checkConsole()
}
