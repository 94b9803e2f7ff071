package diagram

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// The one SVG walker. Every SVG that leaves archmap — a downloaded file or
// a diagram inlined into a page — is parsed as XML and written anew from
// allow-lists: only the elements Graphviz draws with (no script, style,
// foreignObject, image, use, animate…) and the geometry and presentation
// attributes it writes (no event handlers, no style, no href of any kind),
// every text and attribute value escaped for XML and HTML alike. Whatever a
// bug upstream let through, what comes out can only draw shapes and text.
// Comments, processing instructions and the doctype (which names an
// external DTD) are dropped. The SVG comes from Graphviz laying out DOT in
// which every user string was escaped; this is the second line.
//
// Two profiles differ only in the frame: a standalone file (Standalone)
// and a fragment for a page (SanitizeInline).

const (
	svgNS   = "http://www.w3.org/2000/svg"
	xlinkNS = "http://www.w3.org/1999/xlink"
)

// svgElements are the elements Graphviz draws with; anything else is
// dropped with its content.
var svgElements = map[string]bool{
	"svg": true, "g": true, "title": true, "desc": true, "a": true,
	"polygon": true, "polyline": true, "ellipse": true, "circle": true, "path": true,
	"rect": true, "line": true, "text": true, "tspan": true,
	"defs": true, "linearGradient": true, "radialGradient": true, "stop": true,
}

// svgAttrs are the geometry and presentation attributes Graphviz writes.
var svgAttrs = map[string]bool{
	"id": true, "class": true,
	"x": true, "y": true, "x1": true, "y1": true, "x2": true, "y2": true,
	"cx": true, "cy": true, "r": true, "rx": true, "ry": true, "fx": true, "fy": true,
	"width": true, "height": true, "viewBox": true, "preserveAspectRatio": true,
	"points": true, "d": true, "transform": true,
	"fill": true, "fill-opacity": true, "fill-rule": true, "opacity": true,
	"stroke": true, "stroke-width": true, "stroke-dasharray": true, "stroke-opacity": true,
	"stroke-linecap": true, "stroke-linejoin": true, "stroke-miterlimit": true,
	"font-family": true, "font-size": true, "font-weight": true, "font-style": true,
	"text-anchor": true, "text-decoration": true, "dominant-baseline": true, "baseline-shift": true,
	"offset": true, "stop-color": true, "stop-opacity": true, "gradientUnits": true, "gradientTransform": true,
	"role": true, "aria-label": true,
}

// profile is what differs between a file and a page's fragment.
type profile struct {
	// file: an XML declaration, the xlink namespace declared, a <title>
	// and the stylesheet inside, the root's size kept, a final newline.
	// Else the root loses its fixed size so that CSS and pan/zoom size it.
	file  bool
	title string
}

// standaloneCSS is the stylesheet inside an exported SVG. The colours are
// attributes already, so it only adds what attributes cannot: the font
// fallbacks, a white page, and hover feedback.
const standaloneCSS = `
svg { background: #ffffff; }
text { font-family: Helvetica, Arial, "Liberation Sans", "Nimbus Sans", sans-serif; }
.node, .edge, .cluster { cursor: default; }
.node:hover > g > a > path, .node:hover > g > a > polygon, .node:hover > g > a > ellipse { stroke-width: 2.4px; }
.edge:hover > g > a > path { stroke-width: 3px; }
.edge:hover > g > a > polygon { stroke-width: 2px; }
.sev-high > g > a > path, .sev-high > g > a > polygon { stroke: #dc2626; }
.sev-medium > g > a > path, .sev-medium > g > a > polygon { stroke: #ea8c1a; }
.sev-low > g > a > path, .sev-low > g > a > polygon { stroke: #c9a204; }
.sev-info > g > a > path, .sev-info > g > a > polygon { stroke: #5b8fc7; }
`

// Standalone rewrites an SVG from Graphviz as a file that opens on its own
// in any browser or editor: well-formed XML, the SVG namespace, a <title>
// (title), the stylesheet inside, and nothing that reaches out. Tooltips
// stay (xlink:title).
func Standalone(svg []byte, title string) ([]byte, error) {
	return walk(svg, profile{file: true, title: title})
}

// SafeSVG is an SVG rewritten for inlining into an HTML page. Only
// SanitizeInline makes one, so a page that writes a SafeSVG unescaped
// writes what the walker produced and nothing else.
type SafeSVG struct{ markup string }

// SanitizeInline rewrites an SVG from Graphviz for inlining into a page.
func SanitizeInline(svg []byte) (SafeSVG, error) {
	out, err := walk(svg, profile{})
	if err != nil {
		return SafeSVG{}, err
	}
	return SafeSVG{markup: string(out)}, nil
}

// Render writes the markup: a SafeSVG is a templ.Component, so a view
// writes it with @svg and needs no templ.Raw.
func (s SafeSVG) Render(_ context.Context, w io.Writer) error {
	_, err := io.WriteString(w, s.markup)
	return err
}

func walk(svg []byte, p profile) ([]byte, error) {
	d := xml.NewDecoder(bytes.NewReader(svg))
	d.Strict = true
	var out bytes.Buffer
	out.Grow(len(svg) + len(standaloneCSS) + 256)
	if p.file {
		out.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n")
	}
	depth, skip := 0, 0 // skip > 0: inside an element that is being dropped
	root := false
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("diagram: the SVG is not well-formed: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if skip > 0 {
				skip++
				continue
			}
			name := t.Name.Local
			if !svgElements[name] || (t.Name.Space != svgNS && t.Name.Space != "") {
				skip = 1
				continue
			}
			if depth == 1 {
				if name != "svg" {
					return nil, fmt.Errorf("diagram: the root element is <%s>, not <svg>", name)
				}
				root = true
			}
			out.WriteByte('<')
			out.WriteString(name)
			if depth == 1 {
				out.WriteString(` xmlns="` + svgNS + `"`)
				if p.file {
					out.WriteString(` xmlns:xlink="` + xlinkNS + `"`)
				}
			}
			for _, a := range t.Attr {
				key, ok := allowedAttr(a.Name, depth == 1 && !p.file)
				if !ok {
					continue
				}
				out.WriteByte(' ')
				out.WriteString(key)
				out.WriteString(`="`)
				escapeAttr(&out, a.Value)
				out.WriteByte('"')
			}
			out.WriteByte('>')
			if depth == 1 && p.file {
				out.WriteString("\n<title>")
				escapeText(&out, p.title)
				out.WriteString("</title>\n<style type=\"text/css\">")
				out.WriteString(standaloneCSS)
				out.WriteString("</style>\n")
			}
		case xml.EndElement:
			depth--
			if skip > 0 {
				skip--
				continue
			}
			out.WriteString("</")
			out.WriteString(t.Name.Local)
			out.WriteByte('>')
		case xml.CharData:
			if skip == 0 && depth > 0 {
				escapeText(&out, string(t))
			}
		}
		// Comments, processing instructions and directives (the doctype)
		// carry nothing a picture needs.
	}
	if !root {
		return nil, errors.New("diagram: no <svg> element")
	}
	if p.file {
		out.WriteByte('\n')
	}
	return out.Bytes(), nil
}

// allowedAttr returns the name to write an attribute under, or false to
// drop it. xlink:title (Graphviz's tooltip on <a>) is the one namespaced
// attribute kept; data-* attributes carry ids for the page's script.
// dropSize drops the root's fixed size.
func allowedAttr(n xml.Name, dropSize bool) (string, bool) {
	switch {
	case n.Space == xlinkNS && n.Local == "title":
		return "xlink:title", true
	case n.Space != "":
		return "", false
	case dropSize && (n.Local == "width" || n.Local == "height"):
		return "", false
	case svgAttrs[n.Local]:
		return n.Local, true
	case strings.HasPrefix(n.Local, "data-") && isDataName(n.Local[len("data-"):]):
		return n.Local, true
	}
	return "", false
}

func isDataName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

// escapeText escapes character data for XML and HTML.
func escapeText(b *bytes.Buffer, s string) {
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		default:
			b.WriteRune(r)
		}
	}
}

// escapeAttr escapes an attribute value for XML and HTML, double- or
// single-quoted alike. Line breaks and tabs are written as references so
// that an XML reader does not fold them into spaces (tooltips keep their
// lines).
func escapeAttr(b *bytes.Buffer, s string) {
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '"':
			b.WriteString("&#34;")
		case '\'':
			b.WriteString("&#39;")
		case '\n':
			b.WriteString("&#10;")
		case '\r':
			b.WriteString("&#13;")
		case '\t':
			b.WriteString("&#9;")
		default:
			b.WriteRune(r)
		}
	}
}
