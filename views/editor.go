package views

import (
	"cmp"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// The model editor shows big models a page at a time: each section (and the
// placement matrix) has its own search, sort and page, sent as
// ?q=&sort=&dir=&page= and answered by the server with that section alone.
// The model tab's URL keeps each section's state under its name
// (?services.q=web&servers.sort=zone&servers.dir=desc), so a reload, the
// back button or a link shows the sections as they were. The page and every
// answer to an edit stay small whatever the size of the model.

// PageSize is the number of rows a section shows at once.
const PageSize = 25

// MatrixRows and MatrixCols bound the placement matrix: it shows the servers
// of one zone (or those matching a search), at most MatrixCols of them, for
// MatrixRows services at a time.
const (
	MatrixRows = 20
	MatrixCols = 16
)

// ListQuery is what a section is asked for.
type ListQuery struct {
	Q    string // search, case-insensitive, in every shown column
	Sort string // a column key; "-key" sorts descending
	Page int    // 1-based
	Zone string // the matrix only: the zone whose servers are columns
}

// Sections of the editor, as named in URLs and element ids.
const (
	SectionServices     = "services"
	SectionServers      = "servers"
	SectionPlacements   = "placements"
	SectionDependencies = "dependencies"
	SectionMatrix       = "matrix"
)

// Sections lists the sections whose state the model tab's URL keeps.
var Sections = []string{SectionServices, SectionServers, SectionPlacements, SectionDependencies, SectionMatrix}

// Values encodes the query, without empty parts: ?q=&sort=&dir=&page=&zone=
// (dir=desc for a descending sort).
func (q ListQuery) Values() url.Values {
	return q.PrefixedValues("")
}

// PrefixedValues encodes the query with each key prefixed: the model tab's
// URL keeps every section's state side by side ("services.q=web").
func (q ListQuery) PrefixedValues(prefix string) url.Values {
	v := url.Values{}
	if q.Q != "" {
		v.Set(prefix+"q", q.Q)
	}
	if col, desc := sortKey(q.Sort); col != "" {
		v.Set(prefix+"sort", col)
		if desc {
			v.Set(prefix+"dir", "desc")
		}
	}
	if q.Page > 1 {
		v.Set(prefix+"page", strconv.Itoa(q.Page))
	}
	if q.Zone != "" {
		v.Set(prefix+"zone", q.Zone)
	}
	return v
}

// QueryKeys are the keys of a section's state, as PrefixedValues writes them.
var QueryKeys = []string{"q", "sort", "dir", "page", "zone"}

// ParseListQuery reads a section's state from v, its keys prefixed as
// PrefixedValues writes them. "sort=-name" (the older form) is read as
// dir=desc; what is not understood is dropped, never refused, since it
// comes from links and bookmarks.
func ParseListQuery(v url.Values, prefix string) ListQuery {
	page, err := strconv.Atoi(v.Get(prefix + "page"))
	if err != nil || page < 1 {
		page = 0
	}
	q := ListQuery{
		Q:    strings.TrimSpace(v.Get(prefix + "q")),
		Sort: strings.TrimSpace(v.Get(prefix + "sort")),
		Page: page,
		Zone: v.Get(prefix + "zone"),
	}
	col, _ := sortKey(q.Sort)
	if len(col) > 20 || strings.ContainsAny(col, "-&=? ") {
		col = ""
	}
	switch {
	case col == "":
		q.Sort = ""
	case strings.EqualFold(v.Get(prefix+"dir"), "desc") || strings.HasPrefix(q.Sort, "-"):
		q.Sort = "-" + col
	default:
		q.Sort = col
	}
	return q
}

// PageQueries reads every section's state from the model tab's URL.
func PageQueries(v url.Values) map[string]ListQuery {
	out := map[string]ListQuery{}
	for _, s := range Sections {
		if q := ParseListQuery(v, s+"."); q != (ListQuery{}) {
			out[s] = q
		}
	}
	return out
}

// WithSection is the model tab's query v with one section's state
// replaced by q; the other sections' and any other keys are kept.
func WithSection(v url.Values, section string, q ListQuery) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	for _, k := range QueryKeys {
		out.Del(section + "." + k)
	}
	for k, vs := range q.PrefixedValues(section + ".") {
		out[k] = vs
	}
	return out
}

// SectionURL is where a section of the editor is fetched, in the given state.
func SectionURL(slug, section string, q ListQuery) string {
	u := WorkspaceURL(slug, "model", section)
	if enc := q.Values().Encode(); enc != "" {
		u += "?" + enc
	}
	return u
}

// Pager is the result of paging a list.
type Pager struct {
	Page, Pages int
	Matched     int // rows matching the search
	Total       int // rows in the model
	First, Last int // 1-based positions shown
}

func paginate(n, total, page, size int) (Pager, int, int) {
	pages := max(1, (n+size-1)/size)
	page = min(max(page, 1), pages)
	from := (page - 1) * size
	to := min(from+size, n)
	return Pager{Page: page, Pages: pages, Matched: n, Total: total, First: from + 1, Last: to}, from, to
}

// matches reports whether any of the fields holds the search, ignoring case.
func matches(q string, fields ...string) bool {
	if q == "" {
		return true
	}
	q = strings.ToLower(q)
	for _, f := range fields {
		if strings.Contains(strings.ToLower(f), q) {
			return true
		}
	}
	return false
}

// sortKey splits "-name" into "name", true.
func sortKey(s string) (string, bool) {
	if k, ok := strings.CutPrefix(s, "-"); ok {
		return k, true
	}
	return s, false
}

// pageOf filters, sorts (stably, so equal keys keep the user's order) and
// pages rows; key returns the value of a column for sorting and fields what
// the search looks at.
func pageOf[T any](rows []T, q ListQuery, size int, fields func(T) []string, key func(T, string) (string, float64, bool)) ([]T, Pager) {
	var out []T
	for _, r := range rows {
		if matches(q.Q, fields(r)...) {
			out = append(out, r)
		}
	}
	if col, desc := sortKey(q.Sort); col != "" {
		slices.SortStableFunc(out, func(a, b T) int {
			as, an, anum := key(a, col)
			bs, bn, _ := key(b, col)
			var c int
			if anum {
				c = cmp.Compare(an, bn)
			} else {
				c = cmp.Compare(strings.ToLower(as), strings.ToLower(bs))
			}
			if desc {
				c = -c
			}
			return c
		})
	}
	p, from, to := paginate(len(out), len(rows), q.Page, size)
	return out[from:to], p
}

// ServicePage is the services shown.
func (e *Editor) ServicePage() ([]ServiceRow, Pager) {
	return pageOf(e.Services, e.Query[SectionServices], PageSize,
		func(s ServiceRow) []string {
			return []string{s.Name, string(s.Kind), s.Team, s.Tech, s.Description}
		},
		func(s ServiceRow, col string) (string, float64, bool) {
			switch col {
			case "kind":
				return string(s.Kind), 0, false
			case "team":
				return s.Team, 0, false
			case "tech":
				return s.Tech, 0, false
			}
			return s.Name, 0, false
		})
}

// ServerPage is the servers shown.
func (e *Editor) ServerPage() ([]ServerRow, Pager) {
	return pageOf(e.Servers, e.Query[SectionServers], PageSize,
		func(s ServerRow) []string { return []string{s.Name, string(s.Kind), s.Zone, s.Region} },
		func(s ServerRow, col string) (string, float64, bool) {
			switch col {
			case "kind":
				return string(s.Kind), 0, false
			case "zone":
				return s.Zone, 0, false
			case "region":
				return s.Region, 0, false
			case "services":
				return "", float64(e.ServerLoad(s.ID)), true
			}
			return s.Name, 0, false
		})
}

// PlacementPage is the placements shown in the list.
func (e *Editor) PlacementPage() ([]PlacementRow, Pager) {
	return pageOf(e.Placements, e.Query[SectionPlacements], PageSize,
		func(p PlacementRow) []string { return []string{p.Service, p.Server} },
		func(p PlacementRow, col string) (string, float64, bool) {
			switch col {
			case "server":
				return p.Server, 0, false
			case "instances":
				return "", float64(p.Instances), true
			}
			return p.Service, 0, false
		})
}

// DependencyPage is the dependencies shown.
func (e *Editor) DependencyPage() ([]DependencyRow, Pager) {
	return pageOf(e.Dependencies, e.Query[SectionDependencies], PageSize,
		func(d DependencyRow) []string {
			return []string{d.From, d.To, string(d.Protocol), string(d.Mode), d.Description}
		},
		func(d DependencyRow, col string) (string, float64, bool) {
			switch col {
			case "to":
				return d.To, 0, false
			case "protocol":
				return string(d.Protocol), 0, false
			case "mode":
				return string(d.Mode), 0, false
			case "calls":
				return "", d.CallsPerRequest, true
			}
			return d.From, 0, false
		})
}

// Zones lists the zones of the servers, sorted; "" stands for servers
// without a zone and is listed last when there are any.
func (e *Editor) Zones() []string {
	seen := map[string]bool{}
	var out []string
	none := false
	for _, s := range e.Servers {
		if s.Zone == "" {
			none = true
			continue
		}
		if !seen[s.Zone] {
			seen[s.Zone] = true
			out = append(out, s.Zone)
		}
	}
	slices.Sort(out)
	if none {
		out = append(out, "")
	}
	return out
}

// MatrixZone is the zone the matrix shows: the one asked for when it
// exists, else the first.
func (e *Editor) MatrixZone() string {
	zones := e.Zones()
	want := e.Query[SectionMatrix].Zone
	if slices.Contains(zones, want) {
		return want
	}
	if len(zones) > 0 {
		return zones[0]
	}
	return ""
}

// MatrixView is the part of the services × servers grid that is drawn.
type MatrixView struct {
	Services     []ServiceRow
	Servers      []ServerRow
	Rows         Pager
	MoreServers  int // servers of the zone (or search) not shown
	Zone         string
	ServerSearch bool // columns come from a search, not a zone
}

// Matrix returns the bounded grid: the servers of one zone, or those whose
// name matches the search (then in any zone), at most MatrixCols of them;
// services a page of MatrixRows at a time.
func (e *Editor) Matrix() MatrixView {
	q := e.Query[SectionMatrix]
	mv := MatrixView{Zone: e.MatrixZone(), ServerSearch: q.Q != ""}
	var cols []ServerRow
	for _, s := range e.Servers {
		if mv.ServerSearch && matches(q.Q, s.Name, s.Zone) || !mv.ServerSearch && s.Zone == mv.Zone {
			cols = append(cols, s)
		}
	}
	if len(cols) > MatrixCols {
		mv.MoreServers = len(cols) - MatrixCols
		cols = cols[:MatrixCols]
	}
	mv.Servers = cols
	p, from, to := paginate(len(e.Services), len(e.Services), q.Page, MatrixRows)
	mv.Services = e.Services[from:to]
	mv.Rows = p
	return mv
}

// SortLink is the state of a column header: the query that sorts by it
// and the mark of the current order.
func (e *Editor) SortLink(section, col string) (ListQuery, string) {
	q := e.Query[section]
	cur, desc := sortKey(q.Sort)
	next := q
	next.Page = 1
	mark := ""
	switch {
	case cur == col && !desc:
		next.Sort = "-" + col
		mark = "ascending"
	case cur == col && desc:
		next.Sort = col
		mark = "descending"
	default:
		next.Sort = col
	}
	return next, mark
}

// PageLink is the query of another page of a section.
func (e *Editor) PageLink(section string, page int) ListQuery {
	q := e.Query[section]
	q.Page = page
	return q
}
