// Package raster turns the SVG that Graphviz writes (as diagram.Standalone
// leaves it) into a PNG, in the process and without a browser.
//
// go-graphviz's own PNG output is broken (its issues #106 and #113), and a
// browser is too heavy to run per request, so the shapes are drawn by
// github.com/srwiley/oksvg and rasterx (pure Go: paths, polygons, ellipses,
// strokes, dashes) and the text, which oksvg skips, is drawn here with
// golang.org/x/image's OpenType rasteriser in Liberation Sans, shipped as a
// Go module (codeberg.org/go-fonts/liberation, SIL OFL). Liberation Sans
// has the metrics of Helvetica/Arial, the font the DOT names and Graphviz
// measured the labels with, so text fills its boxes as Graphviz planned.
//
// Graphviz SVG is a small dialect: one transform on the top group, shapes
// with presentation attributes, and <text> with x, y, text-anchor,
// font-family, font-size, font-weight and fill. That is what this package
// draws; CSS (hover effects) is not applied.
package raster

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"

	"github.com/srwiley/oksvg"
	"github.com/srwiley/rasterx"
)

// Options choose the size of the picture and its bounds.
type Options struct {
	// Scale is the device pixel ratio: 2 draws every CSS pixel of the SVG
	// at its natural size (1pt = 4/3 CSS px) as 2×2 pixels. ≤ 0 means 2.
	Scale float64
	// MaxPixels bounds width×height of the picture; a bigger drawing is
	// drawn at a smaller scale, down to MinScale, and refused below it.
	// ≤ 0 means DefaultMaxPixels.
	MaxPixels int
	// MinScale is the smallest scale a drawing may be reduced to before it
	// is refused. ≤ 0 means 0.5: 12 pt labels are then 8 px, still legible
	// when zoomed, where anything smaller is a picture of nothing.
	MinScale float64
	// MaxSVGBytes bounds the input. ≤ 0 means DefaultMaxSVGBytes.
	MaxSVGBytes int
}

// Bounds. 24 megapixels is 96 MB of RGBA while drawing: a 300-service
// diagram at 2× fits, and the memory of a few concurrent exports stays
// within what the server's render admission allows for a layout.
const (
	DefaultMaxPixels   = 24 << 20
	DefaultMaxSVGBytes = 16 << 20
)

// Bounds of one shape or text, against hostile SVG: a stroke wider than
// any picture, a dash pattern finer than a pixel (every dash is a shape
// for the stroker), a glyph bigger than any picture (its mask is
// allocated whole).
const (
	maxStrokePx     = 4096
	minDashPeriodPx = 1
	maxTextPx       = 2048
)

// ErrTooLarge is wrapped by the error of a drawing too big to rasterise
// even at MinScale, or an SVG over MaxSVGBytes.
var ErrTooLarge = errors.New("too large to draw as PNG")

// Result is a drawn picture.
type Result struct {
	Image *image.RGBA
	// Scale is the device pixel ratio used: Options.Scale, or less when the
	// drawing was reduced to stay under MaxPixels.
	Scale float64
}

// Reduced reports whether the picture was drawn smaller than asked.
func (r *Result) Reduced(asked float64) bool { return r.Scale < asked-1e-9 }

func (o Options) withDefaults() Options {
	if o.Scale <= 0 {
		o.Scale = 2
	}
	if o.MaxPixels <= 0 {
		o.MaxPixels = DefaultMaxPixels
	}
	if o.MinScale <= 0 {
		o.MinScale = 0.5
	}
	o.MinScale = min(o.MinScale, o.Scale)
	if o.MaxSVGBytes <= 0 {
		o.MaxSVGBytes = DefaultMaxSVGBytes
	}
	return o
}

// PNG draws svg and encodes it as PNG. See Draw.
func PNG(ctx context.Context, svg []byte, opts Options) ([]byte, *Result, error) {
	res, err := Draw(ctx, svg, opts)
	if err != nil {
		return nil, nil, err
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, res.Image); err != nil {
		return nil, nil, err
	}
	return buf.Bytes(), res, nil
}

// Draw rasterises svg on a white page. It stops with ctx's error between
// shapes when ctx is done; a drawing over opts' bounds is an error wrapping
// ErrTooLarge that says how big it is.
func Draw(ctx context.Context, svg []byte, opts Options) (*Result, error) {
	opts = opts.withDefaults()
	if len(svg) > opts.MaxSVGBytes {
		return nil, fmt.Errorf("the SVG is %d MB, over the limit of %d MB: %w", len(svg)>>20, opts.MaxSVGBytes>>20, ErrTooLarge)
	}
	doc, err := parse(svg)
	if err != nil {
		return nil, err
	}
	if doc.width <= 0 || doc.height <= 0 || doc.viewBox.W <= 0 || doc.viewBox.H <= 0 {
		return nil, errors.New("raster: the SVG has no size")
	}
	scale := opts.Scale
	area := func(s float64) float64 { return math.Ceil(doc.width*s) * math.Ceil(doc.height*s) }
	if area(scale) > float64(opts.MaxPixels) {
		scale = math.Sqrt(float64(opts.MaxPixels)/(doc.width*doc.height)) * 0.999
		if scale < opts.MinScale {
			return nil, fmt.Errorf("the drawing is %.0f×%.0f px: at %gx it would be %.0f megapixels, over the limit of %d; draw a focus or the team overview instead: %w",
				doc.width, doc.height, opts.MinScale, area(opts.MinScale)/(1<<20), opts.MaxPixels>>20, ErrTooLarge)
		}
	}
	w, h := int(math.Ceil(doc.width*scale)), int(math.Ceil(doc.height*scale))
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)

	// The shapes, by oksvg from the SVG without its text and styles.
	icon, err := oksvg.ReadIconStream(bytes.NewReader(doc.shapes), oksvg.IgnoreErrorMode)
	if err != nil {
		return nil, fmt.Errorf("raster: %w", err)
	}
	icon.ViewBox = doc.viewBox
	icon.SetTarget(0, 0, float64(w), float64(h))
	dasher := rasterx.NewDasher(w, h, newBoxScanner(img))
	// oksvg strokes in pixels: widths and dashes are scaled here.
	k := math.Sqrt(float64(w) / doc.viewBox.W * float64(h) / doc.viewBox.H)
	for i := range icon.SVGPaths {
		if i%64 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		p := &icon.SVGPaths[i]
		p.LineWidth = min(p.LineWidth*k, maxStrokePx)
		dash := make([]float64, len(p.Dash))
		period := 0.0
		for j, v := range p.Dash {
			dash[j] = v * k
			period += math.Abs(dash[j])
		}
		if period < minDashPeriodPx || math.IsNaN(period) {
			dash = nil // a pattern finer than a pixel is a solid line, and would be millions of dashes
		}
		p.Dash, p.DashOffset = dash, p.DashOffset*k
		p.DrawTransformed(dasher, 1, icon.Transform)
	}

	// The text, in user units mapped like the shapes.
	sx, sy := float64(w)/doc.viewBox.W, float64(h)/doc.viewBox.H
	toPx := func(x, y float64) (float64, float64) {
		return (x - doc.viewBox.X) * sx, (y - doc.viewBox.Y) * sy
	}
	faces := newFaceCache()
	for i, t := range doc.texts {
		if i%64 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		drawText(img, faces, t, toPx, math.Sqrt(math.Abs(t.m.A*t.m.D-t.m.B*t.m.C)*sx*sy))
	}
	return &Result{Image: img, Scale: scale}, nil
}
