// Package views holds the templ components of the web app: the layout, the
// pages and the partials that htmx swaps in. Components take plain view
// types (this file) so that they know nothing of HTTP or SQL; the server
// fills them from the store.
//
// Everything user-given is written through templ's escaping. The only raw
// HTML is the diagram SVG, which the server sanitizes first (see
// server/svg_sanitize.go) and hands over as a SafeSVG.
package views

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/archmap/archmap/topology"
)

// Page is what the layout needs on every page.
type Page struct {
	Title string
	User  string // the signed-in user's email; "" when signed out
	Admin bool   // the signed-in user is an admin: the layout links the admin pages
	// CSRF is the token forms carry as _csrf and htmx sends as X-CSRF-Token.
	CSRF string
	// Workspace is set on pages under /w/{slug} for the breadcrumb and tabs.
	Workspace *WorkspaceRef
	// Notice is a message shown at the top of the page on arrival (a link
	// that asked for something no longer there).
	Notice string
	// Tab is the active workspace tab: "model", "diagram" or "import".
	Tab string
}

// WorkspaceRef names a workspace in links.
type WorkspaceRef struct {
	Slug     string
	Name     string
	Revision int64
}

// WorkspaceSummary is one card on the home page.
type WorkspaceSummary struct {
	Slug        string
	Name        string
	Description string
	Revision    int64
	UpdatedAt   time.Time
}

// Form carries what the user typed and what was wrong with it, so a form
// that failed validation comes back with the values kept and each message
// next to its field.
type Form struct {
	Values map[string]string
	Errors map[string]string
	// General holds messages that belong to no single field (a conflict, a
	// duplicate pair).
	General []string
	// Notice says what the last write did ("Added service “web”."), next to
	// the form, where the user is looking.
	Notice string
	// Stale is set when a write was refused because the workspace changed:
	// the form offers to reload its section.
	Stale bool
}

// Value returns the typed value of a field.
func (f *Form) Value(field string) string {
	if f == nil {
		return ""
	}
	return f.Values[field]
}

// Error returns the message for a field, "" when it is fine.
func (f *Form) Error(field string) string {
	if f == nil {
		return ""
	}
	return f.Errors[field]
}

// HasErrors reports whether any message is set.
func (f *Form) HasErrors() bool {
	return f != nil && (len(f.Errors) > 0 || len(f.General) > 0)
}

// WorkspaceURL returns the path of a workspace page plus optional parts:
// WorkspaceURL("shop", "services", "3") is "/w/shop/services/3".
func WorkspaceURL(slug string, parts ...string) string {
	var b strings.Builder
	b.WriteString("/w/")
	b.WriteString(url.PathEscape(slug))
	for _, p := range parts {
		b.WriteByte('/')
		b.WriteString(url.PathEscape(p))
	}
	return b.String()
}

// isolate wraps user text for a plain-text sentence shown on screen (a
// confirmation dialog), where no <bdi> can stand: between U+2068 FIRST
// STRONG ISOLATE and U+2069 POP DIRECTIONAL ISOLATE a right-to-left name
// cannot reorder the words around it. Names themselves may hold no bidi
// control (topology.ValidateName), so none can end the isolation early.
func isolate(s string) string { return "\u2068" + s + "\u2069" }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func formatNumber(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

func kindOptions[T ~string](kinds []T) []string {
	out := make([]string, len(kinds))
	for i, k := range kinds {
		out[i] = string(k)
	}
	return out
}

var (
	serviceKinds = kindOptions(topology.ServiceKinds)
	serverKinds  = kindOptions(topology.ServerKinds)
	protocols    = kindOptions(topology.Protocols)
	modes        = kindOptions(topology.Modes)
)

func timeAgo(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	d := time.Since(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return plural(int(d/time.Minute), "minute") + " ago"
	case d < 24*time.Hour:
		return plural(int(d/time.Hour), "hour") + " ago"
	case d < 30*24*time.Hour:
		return plural(int(d/(24*time.Hour)), "day") + " ago"
	}
	return t.Format("2 Jan 2006")
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}
