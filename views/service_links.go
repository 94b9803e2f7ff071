package views

import (
	"strconv"
	"strings"
)

// LinkRows are the indices of a list's rows in f ("runs_on[0].server",
// "runs_on[1].server", …), as the handler numbered them: 0, 1, … up to the
// first missing one. A list with no rows shows one empty row to type in.
func LinkRows(f *Form, list, field string) []string {
	var out []string
	for i := 0; f != nil; i++ {
		if _, ok := f.Values[LinkField(list, i, field)]; !ok {
			break
		}
		out = append(out, strconv.Itoa(i))
	}
	if len(out) == 0 {
		out = []string{"0"}
	}
	return out
}

// LinkField is the form name of a field of a list's row: "calls[1].to".
func LinkField(list string, i int, field string) string {
	var b strings.Builder
	b.WriteString(list)
	b.WriteByte('[')
	b.WriteString(strconv.Itoa(i))
	b.WriteString("].")
	b.WriteString(field)
	return b.String()
}
