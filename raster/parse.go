package raster

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/srwiley/oksvg"
)

// doc is an SVG read for drawing: its size in CSS px, its viewBox, the
// SVG again without what oksvg must not see, and its text.
type doc struct {
	width, height float64
	viewBox       viewBox
	shapes        []byte
	texts         []text
}

type viewBox = struct{ X, Y, W, H float64 }

// text is one <text> element, its position in user units of the root.
type text struct {
	x, y   float64 // after the transforms of its ancestors
	m      matrix  // those transforms, for the font's scale
	anchor string  // start, middle, end
	family string
	size   float64 // user units before m
	bold   bool
	italic bool
	fill   string
	s      string
}

// skipped are left out of the SVG given to oksvg: text is drawn here,
// styles would be misread as presentation (oksvg knows no selectors past a
// class), titles and scripts draw nothing.
var skipped = map[string]bool{"text": true, "style": true, "title": true, "script": true, "foreignObject": true, "image": true}

// maxElements bounds the work of one drawing, whatever its pixel size.
const maxElements = 400_000

func parse(svg []byte) (*doc, error) {
	d := xml.NewDecoder(bytes.NewReader(svg))
	d.Strict = true
	d.Entity = xml.HTMLEntity
	var (
		out     bytes.Buffer
		dc      doc
		stack   []matrix // transforms of the open elements
		inherit []map[string]string
		skip    int // depth inside a skipped element
		cur     *text
		n       int
		root    bool
	)
	out.Grow(len(svg))
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("raster: the SVG is not well-formed: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if n++; n > maxElements {
				return nil, fmt.Errorf("the SVG has over %d elements: %w", maxElements, ErrTooLarge)
			}
			a := attrMap(t.Attr)
			if !root {
				if t.Name.Local != "svg" {
					return nil, fmt.Errorf("raster: the root element is <%s>, not <svg>", t.Name.Local)
				}
				root = true
				if err := dc.readRoot(a); err != nil {
					return nil, err
				}
			}
			m := identity
			if len(stack) > 0 {
				m = stack[len(stack)-1]
			}
			if tr := a["transform"]; tr != "" {
				m = m.mul(parseTransform(tr))
			}
			stack = append(stack, m)
			inh := map[string]string{}
			if len(inherit) > 0 {
				for k, v := range inherit[len(inherit)-1] {
					inh[k] = v
				}
			}
			for _, k := range []string{"font-family", "font-size", "font-weight", "font-style", "fill", "text-anchor"} {
				if v, ok := a[k]; ok {
					inh[k] = v
				}
			}
			inherit = append(inherit, inh)
			if skip > 0 || skipped[t.Name.Local] {
				skip++
				if t.Name.Local == "text" && skip == 1 {
					cur = newText(a, inh, m)
				}
				continue
			}
			name := t.Name.Local
			if name == "polyline" || name == "polygon" {
				// oksvg drops polylines of two points (Graphviz draws the
				// folds of its box3d, note and component shapes with
				// them): written as paths, they are drawn.
				t = asPath(t, name == "polygon")
				name = "path"
			}
			out.WriteByte('<')
			out.WriteString(name)
			for _, at := range t.Attr {
				if at.Name.Space != "" && at.Name.Space != "http://www.w3.org/2000/svg" {
					continue // xlink:title and such: nothing to draw
				}
				out.WriteByte(' ')
				out.WriteString(at.Name.Local)
				out.WriteString(`="`)
				_ = xml.EscapeText(&out, []byte(at.Value))
				out.WriteByte('"')
			}
			out.WriteByte('>')
		case xml.EndElement:
			stack = stack[:len(stack)-1]
			inherit = inherit[:len(inherit)-1]
			if skip > 0 {
				skip--
				if skip == 0 && cur != nil {
					cur.s = strings.TrimSpace(cur.s)
					if cur.s != "" {
						dc.texts = append(dc.texts, *cur)
					}
					cur = nil
				}
				continue
			}
			out.WriteString("</")
			if t.Name.Local == "polyline" || t.Name.Local == "polygon" {
				t.Name.Local = "path"
			}
			out.WriteString(t.Name.Local)
			out.WriteByte('>')
		case xml.CharData:
			if cur != nil {
				cur.s += string(t)
			}
		}
	}
	if !root {
		return nil, errors.New("raster: no <svg> element")
	}
	dc.shapes = out.Bytes()
	return &dc, nil
}

func attrMap(as []xml.Attr) map[string]string {
	m := make(map[string]string, len(as))
	for _, a := range as {
		if a.Name.Space == "" || a.Name.Space == "http://www.w3.org/2000/svg" {
			m[a.Name.Local] = a.Value
		}
	}
	// style="a: b; c: d" is presentation too, and wins.
	for _, decl := range strings.Split(m["style"], ";") {
		k, v, ok := strings.Cut(decl, ":")
		if ok {
			m[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return m
}

// readRoot takes the size (in CSS px) and viewBox of the root element.
func (dc *doc) readRoot(a map[string]string) error {
	if vb := strings.Fields(strings.ReplaceAll(a["viewBox"], ",", " ")); len(vb) == 4 {
		var v [4]float64
		for i, s := range vb {
			f, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return fmt.Errorf("raster: bad viewBox %q", a["viewBox"])
			}
			v[i] = f
		}
		dc.viewBox = viewBox{v[0], v[1], v[2], v[3]}
	}
	dc.width, dc.height = length(a["width"]), length(a["height"])
	switch {
	case dc.width <= 0 && dc.height <= 0:
		dc.width, dc.height = dc.viewBox.W, dc.viewBox.H
	case dc.width <= 0 && dc.viewBox.H > 0:
		dc.width = dc.height * dc.viewBox.W / dc.viewBox.H
	case dc.height <= 0 && dc.viewBox.W > 0:
		dc.height = dc.width * dc.viewBox.H / dc.viewBox.W
	}
	if dc.viewBox.W <= 0 || dc.viewBox.H <= 0 {
		dc.viewBox = viewBox{0, 0, dc.width, dc.height}
	}
	return nil
}

// length is an SVG length in CSS px (1pt = 4/3 px, as browsers draw it);
// 0 for none or a percentage.
func length(s string) float64 {
	s = strings.TrimSpace(s)
	unit := 1.0
	for _, u := range []struct {
		suffix string
		px     float64
	}{{"pt", 4.0 / 3}, {"px", 1}, {"in", 96}, {"cm", 96 / 2.54}, {"mm", 96 / 25.4}, {"pc", 16}} {
		if strings.HasSuffix(s, u.suffix) {
			s, unit = strings.TrimSuffix(s, u.suffix), u.px
			break
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 {
		return 0
	}
	return f * unit
}

func newText(a, inh map[string]string, m matrix) *text {
	x, _ := strconv.ParseFloat(firstField(a["x"]), 64)
	y, _ := strconv.ParseFloat(firstField(a["y"]), 64)
	size, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSuffix(inh["font-size"], "px"), "pt"), 64)
	if err != nil || size <= 0 {
		size = 14 // Graphviz's default
	}
	w := inh["font-weight"]
	ux, uy := m.apply(x, y)
	return &text{
		x: ux, y: uy, m: m,
		anchor: inh["text-anchor"],
		family: inh["font-family"],
		size:   size,
		bold:   w == "bold" || w == "bolder" || w >= "600" && w <= "999",
		italic: inh["font-style"] == "italic" || inh["font-style"] == "oblique",
		fill:   inh["fill"],
	}
}

func firstField(s string) string {
	if f := strings.Fields(strings.ReplaceAll(s, ",", " ")); len(f) > 0 {
		return f[0]
	}
	return ""
}

// textColor is the fill of a text; black when unset or unreadable.
func textColor(fill string) (r, g, b, a uint8, ok bool) {
	switch fill {
	case "none", "transparent":
		return 0, 0, 0, 0, false
	case "":
		return 0, 0, 0, 255, true
	}
	c, err := oksvg.ParseSVGColor(fill)
	if err != nil || c == nil {
		return 0, 0, 0, 255, true
	}
	cr, cg, cb, ca := c.RGBA()
	return uint8(cr >> 8), uint8(cg >> 8), uint8(cb >> 8), uint8(ca >> 8), true
}

// asPath turns a polyline or polygon element into the path it draws.
func asPath(t xml.StartElement, closed bool) xml.StartElement {
	out := xml.StartElement{Name: xml.Name{Local: "path"}}
	for _, a := range t.Attr {
		if a.Name.Local != "points" || a.Name.Space != "" {
			out.Attr = append(out.Attr, a)
			continue
		}
		f := strings.Fields(strings.ReplaceAll(a.Value, ",", " "))
		var d strings.Builder
		for i := 0; i+1 < len(f); i += 2 {
			if i == 0 {
				d.WriteString("M")
			} else {
				d.WriteString(" L")
			}
			d.WriteString(f[i] + "," + f[i+1])
		}
		if closed && d.Len() > 0 {
			d.WriteString(" Z")
		}
		out.Attr = append(out.Attr, xml.Attr{Name: xml.Name{Local: "d"}, Value: d.String()})
	}
	return out
}
