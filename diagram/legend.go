package diagram

import (
	"fmt"
	"html"
	"strings"

	"github.com/archmap/archmap/risk"
)

// legend writes the graph's label: a small table at the bottom left that
// explains the severity colours used in this diagram and the line styles.
// It is an HTML-like label, the only one we write, and holds no user text.
func (sc *scene) legend() {
	var b strings.Builder
	b.WriteString(`<<TABLE BORDER="1" COLOR="#d5dde8" BGCOLOR="#ffffff" STYLE="rounded" CELLBORDER="0" CELLSPACING="1" CELLPADDING="3">`)
	if sc.d.Note != "" {
		var lines []string
		for _, l := range wrap(sc.d.Note, 64) {
			lines = append(lines, html.EscapeString(l))
		}
		row(&b, "", "", "<I>"+strings.Join(lines, `<BR ALIGN="LEFT"/>`)+`<BR ALIGN="LEFT"/></I>`)
	}
	for _, s := range risk.Severities {
		if sc.sevSeen[s] {
			row(&b, severityColors[s], "", string(s)+" risk")
		}
	}
	if sc.opts.View == ViewDeployment {
		row(&b, "", line(networkColor, false), "call across the network")
		row(&b, "", line(localColor, false), "call on one server")
		row(&b, "", line(unknownColor, false), "call to or from an unplaced service")
	} else {
		row(&b, "", line(edgeColor, false), "synchronous call")
	}
	row(&b, "", line(edgeColor, true), "asynchronous call")
	b.WriteString(`</TABLE>>`)
	a := attrs{}.
		plain("id", LegendID).
		plain("class", "legend").
		plain("shape", "plain").
		plain("tooltip", "Legend")
	sc.w.open("subgraph")
	sc.w.attr(attrs{}.plain("rank", "sink"))
	sc.w.stmt(plainString(LegendID), append(a, "label="+b.String()))
	sc.w.close()
}

// row writes a legend row: a colour swatch or a line sample, and a text.
func row(b *strings.Builder, swatch, sample, text string) {
	b.WriteString(`<TR>`)
	switch {
	case swatch != "":
		b.WriteString(`<TD WIDTH="26" HEIGHT="10" FIXEDSIZE="TRUE" BGCOLOR="` + swatch + `" STYLE="rounded"></TD>`)
	case sample != "":
		b.WriteString(`<TD WIDTH="26" FIXEDSIZE="FALSE">` + sample + `</TD>`)
	default:
		b.WriteString(`<TD></TD>`)
	}
	// Graphviz measures this text a little narrow; the explicit width keeps
	// it inside the frame.
	w := 0
	for _, l := range strings.Split(text, "<BR") {
		w = max(w, int(labelPoints(l, 10))+8)
	}
	fmt.Fprintf(b, `<TD ALIGN="LEFT" WIDTH="%d"><FONT POINT-SIZE="10" COLOR="%s">%s</FONT></TD></TR>`, w, inkColor, text)
}

func line(color string, dashed bool) string {
	s := "━━━"
	if dashed {
		s = "╍╍╍"
	}
	return `<FONT POINT-SIZE="9" COLOR="` + color + `">` + s + `</FONT>`
}

// wrap breaks s into lines of at most width characters at spaces.
func wrap(s string, width int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(s) {
		if line != "" && len(line)+1+len(w) > width {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	return append(lines, line)
}
