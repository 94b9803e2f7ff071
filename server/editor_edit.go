package server

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/store"
	"github.com/archmap/archmap/topology"
	"github.com/archmap/archmap/views"
)

// The editor's answers. An edit answers with what it changed — a row, the
// add form it came from, a matrix cell — and, out of band, the counts, the
// findings badge and the revision; sections that show the change as well
// (the matrix after a new service) are asked to fetch themselves with an
// HX-Trigger event, in their own search, sort and page. So an answer's
// size does not grow with the model, and the page keeps its place.

// editorEvent is the HX-Trigger event a section's table listens to.
func editorEvent(section string) string { return "editor-" + section }

// editDone answers a successful edit: main (may be nil: the target goes
// away), the out-of-band updates with rev as the page's new revision, and
// events for the other sections that show what changed.
func (s *Server) editDone(c echo.Context, rev int64, section, notice string, main func(ed *views.Editor) templ.Component, names bool, refresh ...string) error {
	ed, _, err := s.loadEditor(c.Request().Context(), c.Param("slug"), nil)
	if err != nil {
		return err
	}
	// The revision of this write, not a later one someone else made
	// meanwhile: that one the page has not seen, and must be told about.
	ed.Revision = rev
	parts := []templ.Component{}
	if main != nil {
		parts = append(parts, main(ed))
	}
	parts = append(parts, views.EditUpdate(ed, section, notice))
	if names {
		refresh = append(refresh, "names")
	}
	if len(refresh) > 0 {
		c.Response().Header().Set("HX-Trigger", triggerHeader(refresh))
	}
	return render(c, http.StatusOK, join(parts...))
}

// lazyPrefix marks a section in editDone's refresh list that may wait
// until it is on screen (static/editor.js): one whose stale rows can only
// lack what was just added, never show what is gone.
const lazyPrefix = "lazy:"

// lazy marks a section's refresh as one that may wait until it is seen.
func lazy(section string) string { return lazyPrefix + section }

// triggerHeader is the HX-Trigger value naming the sections' events: a
// plain list, or JSON when some carry {"lazy": true} as their detail.
func triggerHeader(refresh []string) string {
	ev := make([]string, len(refresh))
	anyLazy := false
	for i, r := range refresh {
		name, isLazy := strings.CutPrefix(r, lazyPrefix)
		anyLazy = anyLazy || isLazy
		ev[i] = editorEvent(name)
	}
	if !anyLazy {
		return strings.Join(ev, ", ")
	}
	detail := map[string]map[string]bool{}
	for i, r := range refresh {
		detail[ev[i]] = map[string]bool{"lazy": strings.HasPrefix(r, lazyPrefix)}
	}
	b, _ := json.Marshal(detail) // a map of plain values always encodes
	return string(b)
}

// join renders components one after the other.
func join(parts ...templ.Component) templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		for _, p := range parts {
			if err := p.Render(ctx, w); err != nil {
				return err
			}
		}
		return nil
	})
}

// handleEditorSection answers a section's search, sort, page or reload
// with that section's table, and the current revision and counts.
func (s *Server) handleEditorSection(c echo.Context) error {
	section := c.Param("section")
	var table func(*views.Editor) templ.Component
	switch section {
	case views.SectionServices:
		table = views.ServicesTable
	case views.SectionServers:
		table = views.ServersTable
	case views.SectionPlacements:
		table = views.PlacementsTable
	case views.SectionDependencies:
		table = views.DependenciesTable
	case views.SectionMatrix:
		table = views.MatrixTable
	case "names":
		ed, _, err := s.loadEditor(c.Request().Context(), c.Param("slug"), nil)
		if err != nil {
			return err
		}
		return render(c, http.StatusOK, views.NameLists(ed))
	default:
		return topology.Errorf(topology.ENOTFOUND, "There is nothing at this address.")
	}
	q := views.ParseListQuery(c.QueryParams(), "")
	ed, _, err := s.loadEditor(c.Request().Context(), c.Param("slug"), map[string]views.ListQuery{section: q})
	if err != nil {
		return err
	}
	keepInURL(c, section, q)
	return render(c, http.StatusOK, join(table(ed), views.EditUpdate(ed, "", "")))
}

// keepInURL writes a section's new state into the model tab's URL (the page
// the browser is on, which htmx sends as HX-Current-URL), so that reload,
// back and a copied link show the section as it is now: a new history
// entry for a sort, page or zone, the same entry rewritten while a search
// is typed. A section fetching itself after an edit (the trigger is its own
// table) keeps the state it has, and leaves the URL alone.
func keepInURL(c echo.Context, section string, q views.ListQuery) {
	h := c.Request().Header
	if h.Get("HX-Request") == "" || h.Get("HX-Trigger") == section+"-table" {
		return
	}
	cur, err := url.Parse(h.Get("HX-Current-URL"))
	if err != nil || cur.Path != "/w/"+c.Param("slug") {
		return
	}
	old := cur.Query()
	next := views.WithSection(old, section, q)
	if next.Encode() == old.Encode() {
		return
	}
	u := cur.Path
	if enc := next.Encode(); enc != "" {
		u += "?" + enc
	}
	header := "HX-Push-Url"
	if onlySearchDiffers(views.ParseListQuery(old, section+"."), q) {
		header = "HX-Replace-Url"
	}
	c.Response().Header().Set(header, u)
}

// onlySearchDiffers reports whether a and b differ in their search alone
// (and so in the page, which a new search resets).
func onlySearchDiffers(a, b views.ListQuery) bool {
	if a.Q == b.Q {
		return false
	}
	a.Q, b.Q = "", ""
	a.Page, b.Page = 0, 0 // a new search starts at its first page
	return a == b
}

// staleAdd is the message of an add refused because the workspace changed.
const staleAdd = "Someone else changed this workspace meanwhile, so nothing was added. Reload this section to see their change, then send again: what you typed is kept."

// staleEdit is the message of a row edit refused for the same reason.
const staleEdit = "Someone else changed this workspace meanwhile, so nothing was saved. Reload this section to see their change, then edit again."

// handleEntityDelete answers a delete: the row goes, the section says so, and
// the sections that showed what the delete cascaded to fetch themselves.
func (s *Server) handleEntityDelete(section, kind string, remove func(ctx context.Context, slug string, id, expectedRevision int64) (*store.Workspace, error), refresh ...string) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, rev, err := idAndRevision(c)
		if err != nil {
			return err
		}
		ws, err := remove(c.Request().Context(), c.Param("slug"), id, rev)
		if err != nil {
			if topology.ErrorCode(err) == topology.EPRECONDITION {
				return render(c, http.StatusConflict, views.ConflictRow(c.Param("slug"), kind+"-"+itoa(id), section, 8))
			}
			return err
		}
		names := section == views.SectionServices || section == views.SectionServers
		// The section itself is fetched again too, in its own search and
		// page: a row moves up from the next page, or the empty message
		// comes back.
		return s.editDone(c, ws.Revision, section, "Deleted the "+kind+".", nil, names, append([]string{section}, refresh...)...)
	}
}
