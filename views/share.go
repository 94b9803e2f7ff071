package views

import (
	"html"
	"strings"
)

// url is the share's address, absolute when archmap knows its public one.
func (i ShareInfo) url() string { return i.Origin + i.Path }

// IframeSnippet is the HTML that frames the embedded share page. The name
// is escaped for the attribute it lands in.
func (i ShareInfo) IframeSnippet() string {
	return `<iframe src="` + html.EscapeString(i.url()+"?embed=1") + `" title="` + html.EscapeString(i.Name) +
		`" width="100%" height="600" style="border:0" loading="lazy"></iframe>`
}

// markdownText escapes what would end a Markdown link's text early or
// start markup in it.
var markdownText = strings.NewReplacer(`\`, `\\`, `[`, `\[`, `]`, `\]`, "\n", " ", "\r", " ", "`", "\\`", "*", `\*`, "_", `\_`, "<", `\<`)

// MarkdownImage is a Markdown image of the share's PNG that links to the
// share page.
func (i ShareInfo) MarkdownImage() string {
	name := markdownText.Replace(i.Name)
	if name == "" {
		name = "Diagram"
	}
	return "[![" + name + "](" + i.url() + "/diagram.png)](" + i.url() + ")"
}
