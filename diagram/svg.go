package diagram

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

const (
	svgNS   = "http://www.w3.org/2000/svg"
	xlinkNS = "http://www.w3.org/1999/xlink"
)

// standaloneElements are the elements Graphviz draws with; anything else
// (script, style, foreignObject, image, use…) is dropped with its content.
var standaloneElements = map[string]bool{
	"svg": true, "g": true, "title": true, "a": true, "path": true, "polygon": true,
	"polyline": true, "ellipse": true, "circle": true, "rect": true, "line": true,
	"text": true, "tspan": true,
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

// Standalone rewrites an SVG from Graphviz as a file that opens on its
// own in any browser or editor: well-formed XML, the SVG namespace, a
// <title> (title), the stylesheet inside, and nothing that reaches out —
// the DOCTYPE (it names an external DTD), comments, scripts, styles from
// elsewhere, event handlers and every href are dropped. Tooltips stay
// (xlink:title).
func Standalone(svg []byte, title string) ([]byte, error) {
	d := xml.NewDecoder(bytes.NewReader(svg))
	d.Strict = true
	var out bytes.Buffer
	out.Grow(len(svg) + len(standaloneCSS) + 256)
	out.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n")
	depth, skip := 0, 0
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
			if !standaloneElements[t.Name.Local] || (t.Name.Space != svgNS && t.Name.Space != "") {
				skip = 1
				continue
			}
			if depth == 1 {
				if t.Name.Local != "svg" {
					return nil, fmt.Errorf("diagram: the root element is <%s>, not <svg>", t.Name.Local)
				}
				root = true
			}
			out.WriteByte('<')
			out.WriteString(t.Name.Local)
			if depth == 1 {
				out.WriteString(` xmlns="` + svgNS + `" xmlns:xlink="` + xlinkNS + `"`)
			}
			for _, a := range t.Attr {
				name := a.Name.Local
				switch {
				case a.Name.Space == "xmlns" || (a.Name.Space == "" && name == "xmlns"):
					continue // written above for the root
				case a.Name.Space == xlinkNS && name == "title":
					name = "xlink:title"
				case a.Name.Space != "":
					continue
				case name == "href" || name == "style" || strings.HasPrefix(strings.ToLower(name), "on"):
					continue
				}
				out.WriteByte(' ')
				out.WriteString(name)
				out.WriteString(`="`)
				escapeAttr(&out, a.Value)
				out.WriteByte('"')
			}
			out.WriteByte('>')
			if depth == 1 {
				out.WriteString("\n<title>")
				escapeText(&out, title)
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
	}
	if !root {
		return nil, errors.New("diagram: no <svg> element")
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

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
			b.WriteString("&quot;")
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
