package raster

import (
	_ "embed"
	"image"
	"image/color"
	"math"
	"strconv"
	"strings"
	"sync"

	"codeberg.org/go-fonts/liberation/liberationmonobold"
	"codeberg.org/go-fonts/liberation/liberationmonoregular"
	"codeberg.org/go-fonts/liberation/liberationsansbold"
	"codeberg.org/go-fonts/liberation/liberationsansbolditalic"
	"codeberg.org/go-fonts/liberation/liberationsansitalic"
	"codeberg.org/go-fonts/liberation/liberationsansregular"
	"codeberg.org/go-fonts/liberation/liberationserifbold"
	"codeberg.org/go-fonts/liberation/liberationserifregular"
	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

// matrix is an SVG affine transform (a b c d e f).
type matrix struct{ A, B, C, D, E, F float64 }

var identity = matrix{A: 1, D: 1}

// mul is m then n applied inside it (n's coordinates are m's children's).
func (m matrix) mul(n matrix) matrix {
	return matrix{
		A: m.A*n.A + m.C*n.B, B: m.B*n.A + m.D*n.B,
		C: m.A*n.C + m.C*n.D, D: m.B*n.C + m.D*n.D,
		E: m.A*n.E + m.C*n.F + m.E, F: m.B*n.E + m.D*n.F + m.F,
	}
}

func (m matrix) apply(x, y float64) (float64, float64) {
	return m.A*x + m.C*y + m.E, m.B*x + m.D*y + m.F
}

// parseTransform reads an SVG transform list; what it cannot read counts
// as identity (Graphviz writes "scale(s s) rotate(0) translate(x y)").
func parseTransform(s string) matrix {
	m := identity
	for {
		open := strings.IndexByte(s, '(')
		end := strings.IndexByte(s, ')')
		if open < 0 || end < open {
			return m
		}
		name := strings.TrimSpace(strings.Trim(s[:open], " ,\t\n"))
		var v []float64
		for _, f := range strings.Fields(strings.ReplaceAll(s[open+1:end], ",", " ")) {
			x, err := strconv.ParseFloat(f, 64)
			if err != nil {
				return m
			}
			v = append(v, x)
		}
		s = s[end+1:]
		arg := func(i int, def float64) float64 {
			if i < len(v) {
				return v[i]
			}
			return def
		}
		var n matrix
		switch name {
		case "matrix":
			if len(v) != 6 {
				return m
			}
			n = matrix{v[0], v[1], v[2], v[3], v[4], v[5]}
		case "translate":
			n = matrix{A: 1, D: 1, E: arg(0, 0), F: arg(1, 0)}
		case "scale":
			sx := arg(0, 1)
			n = matrix{A: sx, D: arg(1, sx)}
		case "rotate":
			r := arg(0, 0) * math.Pi / 180
			cx, cy := arg(1, 0), arg(2, 0)
			n = matrix{A: 1, D: 1, E: cx, F: cy}.
				mul(matrix{A: math.Cos(r), B: math.Sin(r), C: -math.Sin(r), D: math.Cos(r)}).
				mul(matrix{A: 1, D: 1, E: -cx, F: -cy})
		default:
			n = identity
		}
		m = m.mul(n)
	}
}

// dejaVuSans draws what Liberation has no glyph for: the legend's line
// samples (━ ╍), arrows, and scripts Liberation lacks. From Debian's
// fonts-dejavu-core; its licence (fonts/DejaVuSans-LICENSE.txt) allows
// embedding and redistribution.
//
//go:embed fonts/DejaVuSans.ttf
var dejaVuSans []byte

const fallbackKey = "fallback"

// The fonts, parsed once.
var fonts = sync.OnceValue(func() map[string]*opentype.Font {
	out := map[string]*opentype.Font{}
	for name, ttf := range map[string][]byte{
		"sans": liberationsansregular.TTF, "sans-bold": liberationsansbold.TTF,
		"sans-italic": liberationsansitalic.TTF, "sans-bold-italic": liberationsansbolditalic.TTF,
		"serif": liberationserifregular.TTF, "serif-bold": liberationserifbold.TTF,
		"mono": liberationmonoregular.TTF, "mono-bold": liberationmonobold.TTF,
		fallbackKey: dejaVuSans,
	} {
		f, err := opentype.Parse(ttf)
		if err != nil {
			panic("raster: a shipped font does not parse: " + err.Error())
		}
		out[name] = f
	}
	return out
})

// fontKey picks the Liberation face standing for a CSS font-family list:
// the first family it recognises, sans-serif else.
func fontKey(family string, bold, italic bool) string {
	key := "sans"
family:
	for _, f := range strings.Split(family, ",") {
		switch strings.ToLower(strings.Trim(strings.TrimSpace(f), `"'`)) {
		case "helvetica", "arial", "liberation sans", "nimbus sans", "sans-serif", "sans", "dejavu sans", "verdana":
			break family
		case "times", "times new roman", "times-roman", "liberation serif", "serif":
			key = "serif"
			break family
		case "courier", "courier new", "liberation mono", "monospace", "mono":
			key = "mono"
			break family
		}
	}
	switch {
	case bold && italic && key == "sans":
		return "sans-bold-italic"
	case bold:
		return key + "-bold"
	case italic && key == "sans":
		return "sans-italic"
	}
	return key
}

type faceKey struct {
	font string
	size float64
}

// faceCache holds the faces of one drawing (a face is not safe for
// concurrent use).
type faceCache map[faceKey]font.Face

func newFaceCache() faceCache { return faceCache{} }

func (fc faceCache) get(key string, px float64) font.Face {
	px = math.Round(px*8) / 8
	k := faceKey{key, px}
	if f, ok := fc[k]; ok {
		return f
	}
	f, err := opentype.NewFace(fonts()[key], &opentype.FaceOptions{Size: px, DPI: 72, Hinting: font.HintingNone})
	if err != nil {
		return nil
	}
	fc[k] = f
	return f
}

// drawText draws t; toPx maps root user units to pixels and scale is the
// pixels per unit of t's own coordinates.
func drawText(img *image.RGBA, faces faceCache, t text, toPx func(x, y float64) (float64, float64), scale float64) {
	r, g, b, a, ok := textColor(t.fill)
	if !ok || a == 0 {
		return
	}
	px := t.size * scale
	if !(px >= 0.5 && px <= maxTextPx) || math.IsNaN(t.x) || math.IsInf(t.x, 0) || math.IsNaN(t.y) || math.IsInf(t.y, 0) {
		return // unreadable, absurd or nowhere
	}
	runs := splitRuns(fontKey(t.family, t.bold, t.italic), t.s)
	x, y := toPx(t.x, t.y)
	d := font.Drawer{Dst: img, Src: image.NewUniform(color.NRGBA{r, g, b, a})}
	var w fixed.Int26_6
	for _, r := range runs {
		if d.Face = faces.get(r.font, px); d.Face != nil {
			w += d.MeasureString(r.s)
		}
	}
	switch t.anchor {
	case "middle":
		x -= float64(w) / 128
	case "end":
		x -= float64(w) / 64
	}
	d.Dot = fixed.Point26_6{X: fixed.Int26_6(math.Round(x * 64)), Y: fixed.Int26_6(math.Round(y * 64))}
	for _, r := range runs {
		if d.Face = faces.get(r.font, px); d.Face != nil {
			d.DrawString(r.s) // advances Dot
		}
	}
}

type run struct{ font, s string }

// splitRuns cuts s into runs of one font: key's, or the fallback's where
// key's font has no glyph and the fallback has one.
func splitRuns(key, s string) []run {
	var buf sfnt.Buffer
	main, fb := fonts()[key], fonts()[fallbackKey]
	var out []run
	for _, c := range s {
		k := key
		if gi, err := main.GlyphIndex(&buf, c); (err != nil || gi == 0) && c > ' ' {
			if gi, err := fb.GlyphIndex(&buf, c); err == nil && gi != 0 {
				k = fallbackKey
			}
		}
		if n := len(out); n > 0 && out[n-1].font == k {
			out[n-1].s += string(c)
		} else {
			out = append(out, run{k, string(c)})
		}
	}
	return out
}
