package topology

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// Names are what people read in diagrams, lists and confirmation
// sentences, so two names must not look the same while being different
// strings, and a name must not change how the text around it is shown.
//
//   - Noncharacters (U+FDD0–U+FDEF and the last two code points of every
//     plane) are for a program's internal use; Graphviz refuses them, so one
//     in a name broke every diagram of the workspace.
//   - Bidi controls (embeddings, overrides, isolates and the implicit marks)
//     reorder the text after them: an override in a name reverses the rest
//     of "Delete the service … and its placements?".
//   - Default-ignorable code points (zero-width space and joiners, soft
//     hyphen, variation selectors…) and case make `pay\u200bments` and
//     `Payments` look like `payments`; NameKey folds them away, and two names
//     of one kind with the same key are one name.

// isNoncharacter reports whether r is one of Unicode's 66 noncharacters.
func isNoncharacter(r rune) bool {
	return (r >= 0xFDD0 && r <= 0xFDEF) || (r&0xFFFE == 0xFFFE && r <= unicode.MaxRune)
}

// isBidiControl reports whether r is a bidirectional formatting character
// (Unicode's Bidi_Control property: LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI,
// PDI, LRM, RLM and ALM).
func isBidiControl(r rune) bool {
	return unicode.Is(unicode.Bidi_Control, r)
}

// isDefaultIgnorable reports whether r has Unicode's derived property
// Default_Ignorable_Code_Point: Other_Default_Ignorable_Code_Point, format
// characters (Cf) and variation selectors, less white space, the
// interlinear annotation characters, the Egyptian hieroglyph format controls
// and the prepended concatenation marks (DerivedCoreProperties.txt). The
// standard library has every table of that definition but not its result.
func isDefaultIgnorable(r rune) bool {
	if !(unicode.Is(unicode.Other_Default_Ignorable_Code_Point, r) || unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Variation_Selector, r)) {
		return false
	}
	switch {
	case unicode.Is(unicode.White_Space, r), r >= 0xFFF9 && r <= 0xFFFB, r >= 0x13430 && r <= 0x1343F,
		unicode.Is(unicode.Prepended_Concatenation_Mark, r):
		return false
	}
	return true
}

// textProblem returns what is wrong with a character of a user text, or "".
// names and one-line labels (oneLine) refuse bidi controls as well as
// noncharacters; descriptions, multi-line prose in any script, keep them.
func textProblem(r rune, oneLine bool) string {
	switch {
	case isNoncharacter(r):
		return fmt.Sprintf("contains the Unicode noncharacter %U, which is not text", r)
	case oneLine && isBidiControl(r):
		return fmt.Sprintf("contains the invisible bidi control %U, which would reorder the text around it", r)
	}
	return ""
}

// NameKey is what a name looks like: default-ignorable code points removed,
// case folded, composed (NFC, so that "é" typed as e + U+0301 is "é"). Two
// names of one kind with the same key are the same name to a reader.
func NameKey(name string) string {
	// Plain ASCII, most names, has no default-ignorable code point and
	// nothing to compose: its key is its lower case, at a tenth of the cost.
	ascii := true
	for i := 0; i < len(name); i++ {
		if name[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(name)
	}
	stripped := strings.Map(func(r rune) rune {
		if isDefaultIgnorable(r) {
			return -1
		}
		return r
	}, name)
	return norm.NFC.String(cases.Fold().String(stripped))
}

// LooksTheSame is the message for a name whose NameKey is another's.
func LooksTheSame(other string) string {
	return fmt.Sprintf("looks the same as %q; names may not differ only in case or invisible characters", other)
}
