package server

import (
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/store"
	"github.com/archmap/archmap/topology"
	"github.com/archmap/archmap/views"
)

var serviceFields = []string{"name", "kind", "team", "tech", "description"}

// serviceAddFields are the add form's own fields besides its lists: the
// service, whether new servers are made, and the lists' names for messages
// about a whole list.
var serviceAddFields = append(append([]string{}, serviceFields...), "new_servers", "new_server_kind", "runs_on", "calls")

func serviceFromForm(f *views.Form) topology.Service {
	return topology.Service{
		Name:        f.Values["name"],
		Kind:        topology.ServiceKind(f.Values["kind"]),
		Team:        f.Values["team"],
		Tech:        f.Values["tech"],
		Description: f.Values["description"],
	}
}

// maxListRows bounds the rows read from one list of the form: past the
// store's own bound, so that it is the store that says "at most".
const maxListRows = store.MaxAddLinks + 1

// listRows reads the rows of a list ("calls[3].to", "calls[3].mode", …)
// from the posted form: those whose key field is not empty, in the order
// of their indices, renumbered from 0 and written into f under their new
// numbers — so a removed or empty row leaves no gap, and a message about
// "calls[1].to" is about the second row the form shows again.
func listRows(form url.Values, f *views.Form, list, key string, fields ...string) []map[string]string {
	byIndex := map[int]map[string]string{}
	for name, vs := range form {
		rest, ok := strings.CutPrefix(name, list+"[")
		if !ok {
			continue
		}
		idx, field, ok := strings.Cut(rest, "].")
		i, err := strconv.Atoi(idx)
		if !ok || err != nil || i < 0 || i > 10_000 || !slices.Contains(fields, field) || len(vs) == 0 {
			continue
		}
		if byIndex[i] == nil {
			if len(byIndex) >= 2*maxListRows {
				continue
			}
			byIndex[i] = map[string]string{}
		}
		byIndex[i][field] = strings.TrimSpace(vs[0])
	}
	idx := make([]int, 0, len(byIndex))
	for i, row := range byIndex {
		if row[key] != "" {
			idx = append(idx, i)
		}
	}
	slices.Sort(idx)
	if len(idx) > maxListRows {
		idx = idx[:maxListRows]
	}
	rows := make([]map[string]string, len(idx))
	for n, i := range idx {
		rows[n] = byIndex[i]
		for _, field := range fields {
			f.Values[views.LinkField(list, n, field)] = byIndex[i][field]
		}
	}
	return rows
}

// newServiceFromForm reads the add form: the service, its "runs on" and its
// "calls". A number that is not one is a message on its field rather than
// a trip to the store.
func newServiceFromForm(c echo.Context, f *views.Form) (store.NewService, bool) {
	in := store.NewService{Service: serviceFromForm(f)}
	form, err := c.FormParams()
	if err != nil {
		return in, true // nothing posted beyond the fields newForm read
	}
	ok := true
	newServers := f.Values["new_servers"] != ""
	for i, row := range listRows(form, f, "runs_on", "server", "server", "instances") {
		r := store.RunsOn{Server: row["server"], NewServer: newServers, NewServerKind: topology.ServerKind(f.Values["new_server_kind"])}
		if v := row["instances"]; v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > topology.MaxInstances {
				f.Errors[views.LinkField("runs_on", i, "instances")] = "Enter a whole number of at least 1."
				ok = false
			}
			r.Instances = n
		}
		in.RunsOn = append(in.RunsOn, r)
	}
	for i, row := range listRows(form, f, "calls", "to", "to", "protocol", "mode", "calls_per_request") {
		d := topology.Dependency{To: row["to"], Protocol: topology.Protocol(row["protocol"]), Mode: topology.Mode(row["mode"])}
		if v := row["calls_per_request"]; v != "" {
			n, err := strconv.ParseFloat(v, 64)
			if err != nil || math.IsNaN(n) || math.IsInf(n, 0) || n < minCallsPerRequest || n > topology.MaxCallsPerRequest {
				f.Errors[views.LinkField("calls", i, "calls_per_request")] = "Enter a number of at least " + views.MinCallsPerRequest + ", such as 1 or 0.5."
				ok = false
			}
			d.CallsPerRequest = n
		}
		in.Calls = append(in.Calls, d)
	}
	return in, ok
}

// handleServiceCreate adds a service, with the servers it runs on and the
// services it calls when the form lists them, as one change (one revision):
// the new rows are appended to their sections out of band, and the
// sections that show counts (matrix, servers) fetch themselves.
func (s *Server) handleServiceCreate(c echo.Context) error {
	slug := c.Param("slug")
	f := newForm(c, serviceAddFields...)
	rev, err := formRevision(c)
	if err != nil {
		return err
	}
	form := views.ServiceAddForm(slug, f)
	in, ok := newServiceFromForm(c, f)
	if !ok {
		return formFailed(c, "service-add", form)
	}
	got, ws, err := s.db.AddService(c.Request().Context(), slug, in, rev)
	if err != nil {
		return addFailed(c, f, err, "service-add", form)
	}
	fresh := &views.Form{Notice: addedNotice(got), Values: map[string]string{"new_servers": f.Values["new_servers"]}}
	// An add only adds: the matrix and the servers (their service counts,
	// new servers) may wait until the user looks at them.
	refresh := []string{lazy(views.SectionMatrix)}
	if len(got.Placements) > 0 {
		refresh = append(refresh, lazy(views.SectionServers))
	}
	return s.editDone(c, ws.Revision, views.SectionServices, "", func(ed *views.Editor) templ.Component {
		parts := []templ.Component{
			views.ServiceAddForm(slug, fresh),
			views.AppendRow(views.SectionServices, views.ServiceRowView(slug, views.ServiceRow{ID: got.Service.ID, Service: got.Service.Service}), len(ed.Services) == 1),
		}
		for i, p := range got.Placements {
			parts = append(parts, views.AppendRow(views.SectionPlacements, views.PlacementRowView(slug, placementRow(&p)), i == 0 && len(ed.Placements) == len(got.Placements)))
		}
		// The new names go into the page's typed-ahead lists here rather
		// than by a fetch of both whole lists.
		var servers []string
		for _, srv := range got.Servers {
			servers = append(servers, srv.Name)
		}
		parts = append(parts, views.NameOptions([]string{got.Service.Name}, servers))
		for i, d := range got.Dependencies {
			parts = append(parts, views.AppendRow(views.SectionDependencies, views.DependencyRowView(slug, views.DependencyRow{ID: d.ID, Dependency: d.Dependency}), i == 0 && len(ed.Dependencies) == len(got.Dependencies)))
		}
		return join(parts...)
	}, false, refresh...)
}

// addedNotice says what one add stored: “Added “search” on “app-1” ×2 and
// “search-2” (new), calling “db”.”
func addedNotice(got *store.AddedService) string {
	var b strings.Builder
	b.WriteString("Added the service “" + got.Service.Name + "”")
	made := map[int64]bool{}
	for _, s := range got.Servers {
		made[s.ID] = true
	}
	for i, p := range got.Placements {
		b.WriteString(listSep(i, len(got.Placements), " on "))
		b.WriteString("“" + p.Server + "”")
		if p.Instances > 1 {
			b.WriteString(" ×" + strconv.Itoa(p.Instances))
		}
		if made[p.ServerID] {
			b.WriteString(" (new)")
		}
	}
	for i, d := range got.Dependencies {
		b.WriteString(listSep(i, len(got.Dependencies), ", calling "))
		b.WriteString("“" + d.To + "”")
		if d.Mode == topology.ModeAsync {
			b.WriteString(" (async)")
		}
	}
	b.WriteString(".")
	return b.String()
}

// listSep is what goes before item i of n: first, then ", " … " and ".
func listSep(i, n int, first string) string {
	switch {
	case i == 0:
		return first
	case i == n-1:
		return " and "
	}
	return ", "
}
