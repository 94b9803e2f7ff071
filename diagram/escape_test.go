package diagram

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzEscape: whatever a name holds, the DOT that carries it as a label and
// a tooltip parses, draws nothing but our node, and the SVG shows the string
// as typed (after the substitutions dotString documents: control characters
// and invalid UTF-8 become U+FFFD, tabs spaces).
//
//	go test ./diagram -run '^$' -fuzz FuzzEscape -fuzztime 60s
func FuzzEscape(f *testing.F) {
	for _, n := range hostileNames {
		f.Add(n)
	}
	f.Add("line 1\nline 2")
	f.Add("a\\\nb")
	f.Add("\\")
	f.Add("\xff\xfe")
	f.Fuzz(func(t *testing.T, s string) {
		want := expectedText(s)
		if strings.TrimSpace(want) == "" {
			// Names are never blank; go-graphviz replaces an empty label
			// with the node's name.
			t.Skip()
		}
		dot := "digraph g {\n\tn [id=\"n\" label=" + labelString(s) + " tooltip=" + tooltipString(s) + "];\n}\n"
		svg, err := RenderLocal(context.Background(), []byte(dot), OutputSVG)
		if err != nil {
			t.Fatalf("Graphviz rejects the DOT of %q: %v\n%s", s, err, dot)
		}
		checkNoInjection(t, svg)
		if got := strings.Join(nonBlank(normalizedTexts(parseSVG(t, svg))), "\n"); got != strings.Join(nonBlank(strings.Split(want, "\n")), "\n") {
			t.Errorf("label of %q drawn as %q", s, got)
		}
		tips := tooltips(t, svg)
		if len(tips) != 1 || strings.TrimSpace(tips[0]) != strings.TrimSpace(strings.ReplaceAll(want, "\u00a0", " ")) {
			t.Errorf("tooltip of %q is %q", s, tips)
		}
	})
}

// expectedText is s as dotString passes it on.
func expectedText(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == '\n':
			b.WriteByte('\n')
		case r == '\r':
		case r == '\t':
			b.WriteByte(' ')
		case r < 0x20 || r == 0x7f || r == utf8.RuneError && size == 1:
			b.WriteRune(utf8.RuneError)
		default:
			b.WriteRune(r)
		}
	}
	return strings.ReplaceAll(b.String(), "\u00a0", " ")
}

// nonBlank drops lines Graphviz draws nothing for.
func nonBlank(lines []string) []string {
	var out []string
	for _, l := range lines {
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out
}

func TestDOTStringEscapes(t *testing.T) {
	tests := []struct {
		name, in, label, tooltip string
	}{
		{"quote", `a"b`, `"a\"b"`, `"a\"b"`},
		{"backslash", `a\N`, `"a\\N"`, `"a\\\\N"`},
		{"ampersand", `&lt;`, `"&amp;lt;"`, `"&amp;lt;"`},
		{"newline", "a\nb", `"a\nb"`, `"a&#10;b"`},
		{"html-like", `<b>`, `"<b>"`, `"<b>"`},
		{"control", "a\x01b", "\"a\uFFFDb\"", "\"a\uFFFDb\""},
		{"invalid UTF-8", "a\xffb", "\"a\uFFFDb\"", "\"a\uFFFDb\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := labelString(tt.in); got != tt.label {
				t.Errorf("labelString(%q) = %s, want %s", tt.in, got, tt.label)
			}
			if got := tooltipString(tt.in); got != tt.tooltip {
				t.Errorf("tooltipString(%q) = %s, want %s", tt.in, got, tt.tooltip)
			}
		})
	}
}
