package server

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// sanitizeSVG rewrites an SVG document for inlining into an HTML page.
//
// Why inlining is safe: the SVG comes from our own renderer, Graphviz laying
// out DOT that the diagram package generated with every user string escaped,
// and Graphviz escapes text again in its SVG. Still, the diagram is the one
// place a page holds markup that templ did not write, so it is rebuilt here
// from an allowlist rather than trusted: the document is parsed as XML and
// written out anew with only known drawing elements (no script, style,
// foreignObject, image, use, animate…) and known presentation attributes
// (no event handlers, no style, no href of any kind), every text and
// attribute value escaped for HTML. Whatever a bug upstream let through,
// what comes out can only draw shapes and text. Comments, processing
// instructions and the doctype are dropped; the root loses its fixed size so
// that CSS and pan/zoom can size it.
func sanitizeSVG(svg []byte) ([]byte, error) {
	d := xml.NewDecoder(bytes.NewReader(svg))
	d.Strict = true
	var out bytes.Buffer
	out.Grow(len(svg))
	depth, skip := 0, 0 // skip > 0: inside an element that is being dropped
	sawRoot := false
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("sanitize SVG: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if skip > 0 {
				skip++
				continue
			}
			name := t.Name.Local
			if !svgElements[name] || (t.Name.Space != "" && t.Name.Space != svgNS) {
				skip = 1
				continue
			}
			if depth == 1 {
				if name != "svg" {
					return nil, fmt.Errorf("sanitize SVG: root element is <%s>, not <svg>", name)
				}
				sawRoot = true
			}
			out.WriteByte('<')
			out.WriteString(name)
			if depth == 1 {
				out.WriteString(` xmlns="` + svgNS + `"`)
			}
			for _, a := range t.Attr {
				key, ok := allowedAttr(a.Name, depth == 1)
				if !ok {
					continue
				}
				out.WriteByte(' ')
				out.WriteString(key)
				out.WriteString(`="`)
				writeEscaped(&out, a.Value)
				out.WriteByte('"')
			}
			out.WriteByte('>')
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
			if skip > 0 || depth == 0 {
				continue
			}
			writeEscaped(&out, string(t))
		}
		// Comments, processing instructions and directives (the doctype)
		// carry nothing a picture needs.
	}
	if !sawRoot {
		return nil, errors.New("sanitize SVG: no <svg> element")
	}
	return out.Bytes(), nil
}

const (
	svgNS   = "http://www.w3.org/2000/svg"
	xlinkNS = "http://www.w3.org/1999/xlink"
)

// svgElements are the elements Graphviz draws with.
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

// allowedAttr returns the name to write an attribute under, or false to
// drop it. xlink:title (Graphviz's tooltip on <a>) is the one namespaced
// attribute kept; data-* attributes carry ids for the page's script.
func allowedAttr(n xml.Name, root bool) (string, bool) {
	switch {
	case n.Space == xlinkNS && n.Local == "title":
		return "xlink:title", true
	case n.Space != "":
		return "", false
	case root && (n.Local == "width" || n.Local == "height"):
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

// writeEscaped writes s escaped for HTML text and double- or single-quoted
// attribute values alike.
func writeEscaped(b *bytes.Buffer, s string) {
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
		default:
			b.WriteRune(r)
		}
	}
}
