package diagram

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
	"golang.org/x/text/width"
)

// Graphviz compiled to WebAssembly has no font library: it sizes text from
// built-in Helvetica metrics that cover ASCII only and count every byte of
// any other character as a space. Ü (two bytes) comes out a little narrow,
// 日 (three bytes) a lot, so a non-ASCII label would spill out of its box.
// textWidth estimates what a browser draws instead (Helvetica, Arial and
// Liberation Sans share these widths), and a node whose label Graphviz
// underestimates gets an explicit minimum width.

// helvetica holds the advance widths of ASCII 32…126 in 1/1000 em.
var helvetica = [95]int16{
	278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // space … /
	556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, // 0 … ?
	1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, // @ … O
	667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, // P … _
	333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, // ` … o
	556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, // p … ~
}

// special holds characters that do not decompose to an ASCII letter.
var special = map[rune]int16{
	'ß': 611, 'æ': 889, 'Æ': 1000, 'ø': 611, 'Ø': 778, 'œ': 944, 'Œ': 1000,
	'ð': 556, 'Ð': 722, 'þ': 556, 'Þ': 667, 'đ': 556, 'ł': 222, 'Ł': 556, 'ı': 278,
	'—': 1000, '–': 556, '…': 1000, '‘': 222, '’': 222, '“': 333, '”': 333, '„': 333,
	'«': 556, '»': 556, '‹': 333, '›': 333, '•': 350, '·': 278, '€': 556, '£': 556,
	'¥': 556, '©': 737, '®': 737, '°': 400, '±': 584, '×': 584, '÷': 584, '™': 1000,
	'\u00a0': 278, '¿': 611, '¡': 333, '§': 556, '¶': 537, '†': 556, '‡': 556,
}

// textWidth estimates the width of one line of s in 1/1000 em, erring wide.
func textWidth(s string) int {
	w := 0
	for _, r := range s {
		w += runeWidth(r)
	}
	return w
}

func runeWidth(r rune) int {
	if r >= ' ' && r <= '~' {
		return int(helvetica[r-' '])
	}
	if w, ok := special[r]; ok {
		return int(w)
	}
	switch {
	case unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf):
		return 0 // combining marks and invisible formatting
	case r >= 0x1F000:
		return 1250 // emoji and other pictographs
	case r >= 0x2190 && r <= 0x2BFF:
		return 1000 // arrows, maths, technical symbols, dingbats
	}
	if k := width.LookupRune(r).Kind(); k == width.EastAsianWide || k == width.EastAsianFullwidth {
		return 1000
	}
	// A letter with marks (Ü, é, ő) is about as wide as its base letter.
	if d := norm.NFD.String(string(r)); d != "" && d[0] < 0x80 && d[0] >= ' ' {
		return int(helvetica[d[0]-' '])
	}
	if unicode.IsUpper(r) {
		return 760
	}
	return 640
}

// graphvizWidth is Graphviz's own estimate of the same line: ASCII from the
// same table, every byte of anything else as wide as a space.
func graphvizWidth(s string) int {
	w := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= ' ' && c <= '~' {
			w += int(helvetica[c-' '])
		} else {
			w += int(helvetica[0])
		}
	}
	return w
}

// widerThanGraphviz returns how many points wider than Graphviz thinks the
// widest line of a label set at fontSize points really is; 0 when Graphviz
// is right or errs wide.
func widerThanGraphviz(label string, fontSize float64) float64 {
	extra := 0
	for line := range strings.SplitSeq(label, "\n") {
		extra = max(extra, textWidth(line)-graphvizWidth(line))
	}
	return float64(extra) * fontSize / 1000
}

// labelPoints is the estimated width in points of the widest line of label.
func labelPoints(label string, fontSize float64) float64 {
	w := 0
	for line := range strings.SplitSeq(label, "\n") {
		w = max(w, textWidth(line))
	}
	return float64(w) * fontSize / 1000
}
