package raster_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"image"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"codeberg.org/go-fonts/liberation/liberationsansregular"
	"github.com/chromedp/chromedp"

	"github.com/archmap/archmap/diagram"
	"github.com/archmap/archmap/raster"
	"github.com/archmap/archmap/risk"
	"github.com/archmap/archmap/topology"
)

// demoSVG is the demo model's view as the SVG download serves it.
func demoSVG(t testing.TB, view string) []byte {
	t.Helper()
	m := topology.Demo()
	d, err := diagram.Build(m, risk.Analyze(m).Findings, diagram.Options{View: view})
	if err != nil {
		t.Fatal(err)
	}
	svg, err := diagram.RenderLocal(context.Background(), d.DOT, diagram.OutputSVG)
	if err != nil {
		t.Fatal(err)
	}
	out, err := diagram.Standalone(svg, m.Name)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// The fidelity measure. Two rasterisers never agree pixel for pixel: they
// anti-alias edges differently and place glyphs at slightly different
// sub-pixel offsets. Averaging 8×8-pixel blocks (4×4 CSS px at 2×) hides
// those differences and keeps what a reader sees: a missing or misplaced
// label, box, edge, arrowhead or colour changes the mean of its blocks by
// tens of levels. So both pictures are reduced to block means and compared
// by the mean absolute difference per channel (0–255) and by the share of
// blocks that differ by more than 40 levels in a channel. The thresholds
// come from the measured figures (printed by the test) with room to spare,
// and the test checks that the measure does catch a picture with its text
// missing.
const (
	block         = 8
	maxMeanDiff   = 1.5   // levels; measured 0.54 (services) and 0.64 (deployment) on the demo, 2.2-3.0 without text
	maxBadBlocks  = 0.005 // share; measured 0.00-0.01 %, 2.2-3.6 % without text
	badBlockLevel = 40
)

func TestPNGMatchesChromium(t *testing.T) {
	chrome := chromePath()
	if chrome == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("Chromium is not installed and CI=true")
		}
		t.Skip("no Chromium")
	}
	for _, view := range []string{diagram.ViewServices, diagram.ViewDeployment} {
		t.Run(view, func(t *testing.T) {
			svg := demoSVG(t, view)
			data, res, err := raster.PNG(context.Background(), svg, raster.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if res.Scale != 2 {
				t.Fatalf("scale %v, want 2 for the demo", res.Scale)
			}
			ours, err := png.Decode(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("our PNG does not decode: %v", err)
			}
			theirs := chromiumShot(t, chrome, svg, ours.Bounds().Dx(), ours.Bounds().Dy())
			mean, bad := compare(ours, theirs)
			t.Logf("%s: %dx%d, mean block difference %.2f levels, %.2f %% blocks over %d", view,
				ours.Bounds().Dx(), ours.Bounds().Dy(), mean, bad*100, badBlockLevel)
			if dir := os.Getenv("ARCHMAP_RASTER_OUT"); dir != "" {
				_ = os.WriteFile(filepath.Join(dir, view+"-ours.png"), data, 0o644)
				var b bytes.Buffer
				_ = png.Encode(&b, theirs)
				_ = os.WriteFile(filepath.Join(dir, view+"-chromium.png"), b.Bytes(), 0o644)
			}
			if mean > maxMeanDiff || bad > maxBadBlocks {
				t.Errorf("%s differs from Chromium's rendering: mean %.2f (max %.1f), bad blocks %.2f %% (max %.1f %%)",
					view, mean, maxMeanDiff, bad*100, maxBadBlocks*100)
			}

			// The measure must see a real defect: the same drawing without
			// its text.
			noText := regexp.MustCompile(`(?s)<text[^>]*>.*?</text>`).ReplaceAll(svg, nil)
			broken, _, err := raster.PNG(context.Background(), noText, raster.Options{})
			if err != nil {
				t.Fatal(err)
			}
			bimg, _ := png.Decode(bytes.NewReader(broken))
			bm, bb := compare(bimg, theirs)
			t.Logf("%s without text: mean %.2f, bad blocks %.2f %%", view, bm, bb*100)
			if bm <= maxMeanDiff && bb <= maxBadBlocks {
				t.Errorf("the measure misses a picture without text: mean %.2f, bad %.2f %%", bm, bb*100)
			}
		})
	}
}

// compare returns the mean absolute difference of block means per channel
// and the share of blocks differing by more than badBlockLevel.
func compare(a, b image.Image) (mean, bad float64) {
	w := min(a.Bounds().Dx(), b.Bounds().Dx()) / block
	h := min(a.Bounds().Dy(), b.Bounds().Dy()) / block
	var sum float64
	var nbad int
	for by := range h {
		for bx := range w {
			ma, mb := blockMean(a, bx, by), blockMean(b, bx, by)
			worst := 0.0
			for c := range 3 {
				d := math.Abs(ma[c] - mb[c])
				sum += d
				worst = max(worst, d)
			}
			if worst > badBlockLevel {
				nbad++
			}
		}
	}
	n := float64(w * h)
	return sum / (3 * n), float64(nbad) / n
}

func blockMean(img image.Image, bx, by int) [3]float64 {
	var s [3]float64
	o := img.Bounds().Min
	for y := by * block; y < (by+1)*block; y++ {
		for x := bx * block; x < (bx+1)*block; x++ {
			r, g, b, _ := img.At(o.X+x, o.Y+y).RGBA()
			s[0] += float64(r >> 8)
			s[1] += float64(g >> 8)
			s[2] += float64(b >> 8)
		}
	}
	for i := range s {
		s[i] /= block * block
	}
	return s
}

// chromiumShot is Chromium's rendering of svg at device pixel ratio 2,
// w×h device pixels. The page maps Helvetica (what the SVG asks for) to
// Liberation Sans, the font raster draws with, so that the comparison is
// of the rasterisers, not of whichever fonts this machine has.
func chromiumShot(t *testing.T, chrome string, svg []byte, w, h int) image.Image {
	t.Helper()
	body := svg
	if i := bytes.Index(body, []byte("<svg")); i > 0 {
		body = body[i:]
	}
	page := fmt.Sprintf(`<!doctype html><html><head><meta charset="utf-8"><style>
@font-face { font-family: Helvetica; src: url(data:font/ttf;base64,%s); }
html, body { margin: 0; padding: 0; background: #fff; overflow: hidden; }
svg { display: block; }
</style></head><body>%s</body></html>`, base64.StdEncoding.EncodeToString(liberationsansregular.TTF), body)
	path := filepath.Join(t.TempDir(), "page.html")
	if err := os.WriteFile(path, []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chrome), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("font-render-hinting", "none"),
		chromedp.UserDataDir(t.TempDir()))
	defer cancelA()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancelT := context.WithTimeout(ctx, 30*time.Second)
	defer cancelT()
	cssW, cssH := int64((w+1)/2), int64((h+1)/2)
	err := chromedp.Do(ctx,
		chromedp.EmulateViewport(cssW, cssH, chromedp.EmulateScale(2)),
		chromedp.Navigate("file://"+path),
	)
	if err == nil {
		_, err = chromedp.Run(ctx, chromedp.Evaluate[bool](`document.fonts.ready.then(() => true)`, chromedp.EvalAwaitPromise))
	}
	var shot []byte
	if err == nil {
		shot, err = chromedp.Run(ctx, chromedp.CaptureScreenshot())
	}
	if err != nil {
		t.Fatalf("chromium: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func chromePath() string {
	if p := os.Getenv("CHROME_PATH"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

func TestBounds(t *testing.T) {
	ctx := context.Background()
	huge := []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="60000pt" height="40000pt" viewBox="0 0 60000 40000"><rect width="10" height="10"/></svg>`)
	_, err := raster.Draw(ctx, huge, raster.Options{})
	if !errors.Is(err, raster.ErrTooLarge) || !strings.Contains(err.Error(), "megapixels") {
		t.Fatalf("a 60000×40000pt drawing: err %v, want ErrTooLarge saying its size", err)
	}

	// Too big for 2× but fine at 1×: drawn smaller, and says so.
	mid := []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="300pt" height="300pt" viewBox="0 0 300 300"><rect width="300" height="300" fill="#ff0000"/></svg>`)
	res, err := raster.Draw(ctx, mid, raster.Options{MaxPixels: 500 * 500})
	if err != nil {
		t.Fatal(err)
	}
	if b := res.Image.Bounds(); b.Dx()*b.Dy() > 500*500 || !res.Reduced(2) || res.Scale < 0.5 {
		t.Fatalf("reduced drawing: %v at scale %v, want at most 500×500 px at 0.5 ≤ scale < 2", b, res.Scale)
	}
	if r, g, b, _ := res.Image.At(10, 10).RGBA(); r>>8 != 255 || g != 0 || b != 0 {
		t.Fatalf("the red square is %d,%d,%d", r>>8, g>>8, b>>8)
	}

	if _, err := raster.Draw(ctx, bytes.Repeat([]byte("x"), 100), raster.Options{MaxSVGBytes: 10}); !errors.Is(err, raster.ErrTooLarge) {
		t.Fatalf("oversized input: %v", err)
	}
	for _, bad := range []string{"", "not xml", "<html></html>", `<svg width="10" height="10"><g></svg>`, `<svg xmlns="http://www.w3.org/2000/svg"/>`} {
		if _, err := raster.Draw(ctx, []byte(bad), raster.Options{}); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}

	// Hostile shapes and text are drawn within bounds, or not at all, and
	// neither panic nor fail the picture. (Without the bounds the 1e9 pt
	// glyph alone took 3 s of a busy machine, and a 0.01 dash pattern
	// 0.4 s for one line.)
	hostile := []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="400pt" height="400pt" viewBox="0 0 400 400">
<path fill="none" stroke="black" stroke-dasharray="0.0001" d="M0,0 L400,400 L0,400 L400,0"/>
<path fill="none" stroke="black" stroke-width="1e12" d="M0,0 L400,400"/>
<text x="10" y="10" font-size="1e9">huge</text>
<text x="NaN" y="Inf" font-size="12">nowhere</text>
<polyline fill="none" stroke="red" points="1e30,1e30 -1e30,5"/>
</svg>`)
	done := make(chan error, 1)
	go func() { _, err := raster.Draw(ctx, hostile, raster.Options{}); done <- err }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("hostile SVG: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("hostile SVG: still drawing after 20 s")
	}

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := raster.Draw(cancelled, demoSVG(t, diagram.ViewServices), raster.Options{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
}

// Text is drawn where Graphviz put it, in the fill it asked for, and
// glyphs Liberation lacks (the legend's ━) come from the fallback font.
func TestText(t *testing.T) {
	svg := []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="200pt" height="60pt" viewBox="0 0 200 60">
<g transform="scale(1 1) rotate(0) translate(0 60)">
<text text-anchor="start" x="10" y="-30" font-family="Helvetica,sans-Serif" font-size="20.00" fill="#0000ff">HHHH</text>
<text text-anchor="start" x="110" y="-30" font-family="Helvetica" font-size="20.00" fill="#00a000">━━━</text>
</g></svg>`)
	res, err := raster.Draw(context.Background(), svg, raster.Options{})
	if err != nil {
		t.Fatal(err)
	}
	img := res.Image
	scale := 2 * 4.0 / 3 // px per user unit
	count := func(x0, x1, y0, y1 float64, want func(r, g, b uint32) bool) int {
		n := 0
		for y := int(y0 * scale); y < int(y1*scale); y++ {
			for x := int(x0 * scale); x < int(x1*scale); x++ {
				r, g, b, _ := img.At(x, y).RGBA()
				if want(r>>8, g>>8, b>>8) {
					n++
				}
			}
		}
		return n
	}
	isBlue := func(r, g, b uint32) bool { return b > 200 && r < 80 && g < 80 }
	blue := count(10, 100, 5, 31, isBlue)
	green := count(110, 200, 5, 35, func(r, g, b uint32) bool { return g > 120 && r < 80 && b < 80 })
	if blue < 300 || green < 200 {
		t.Fatalf("ink: %d blue pixels for HHHH, %d green for ━━━ (want hundreds)", blue, green)
	}
	// H stands on its baseline (y=30): no ink below it, none left of x=10.
	if n := count(10, 100, 32, 60, isBlue) + count(0, 9, 0, 60, isBlue); n != 0 {
		t.Fatalf("%d blue pixels off the text's place", n)
	}
}
