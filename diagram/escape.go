package diagram

import (
	"strings"
	"unicode/utf8"
)

// Graphviz reads a user string in up to three passes, and each one has its
// own escapes:
//
//  1. the DOT lexer, inside a double-quoted string, turns \" into " and drops
//     a backslash before a newline (a line continuation);
//  2. escString attributes (label, tooltip, …) expand \N \G \E \T \H \L and
//     turn \\ into \; a tooltip goes through this pass twice, so its
//     backslashes are doubled again;
//  3. plain labels are decoded as HTML entities (&amp; → &), and the SVG
//     writer copies any entity it finds verbatim instead of escaping its &.
//
// So a backslash is written as \\ in a label and \\\\ in a tooltip, every &
// becomes &amp;, and line breaks are spelled as escapes, never as raw
// newlines. Values are always quoted, so an HTML-like label (<…>) can never
// start. The SVG then carries the string exactly as typed (Graphviz writes
// runs of spaces as space/no-break-space pairs so that they survive XML
// whitespace rules; that is its only change).

// labelString quotes s for a label or xlabel attribute; newlines in s start
// new centred lines.
func labelString(s string) string { return dotString(s, 1, `\n`) }

// tooltipString quotes s for a tooltip attribute; newlines in s become line
// breaks in the SVG's xlink:title.
func tooltipString(s string) string { return dotString(s, 2, "&#10;") }

// dotString quotes s, writing each backslash as 2^passes backslashes and
// each newline as nl. Tabs become spaces, other control characters and
// invalid UTF-8 become U+FFFD.
func dotString(s string, passes int, nl string) string {
	backslash := strings.Repeat(`\`, 1<<passes)
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(backslash)
		case r == '&':
			b.WriteString("&amp;")
		case r == '\n':
			b.WriteString(nl)
		case r == '\r':
			// \r\n is one line break; a lone \r is dropped.
		case r == '\t':
			b.WriteByte(' ')
		case r < 0x20 || r == 0x7f || r == utf8.RuneError && size == 1:
			b.WriteRune(utf8.RuneError)
		default:
			b.WriteString(s[i-size : i])
		}
	}
	b.WriteByte('"')
	return b.String()
}

// plainString quotes one of our own values (colours, shapes, ids, class
// lists): they never hold user text, but are quoted all the same.
func plainString(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}
