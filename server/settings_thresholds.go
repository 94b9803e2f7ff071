package server

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/store"
	"github.com/archmap/archmap/topology"
	"github.com/archmap/archmap/views"
)

// thresholdFields are the settings: fields the settings tab edits.
var thresholdFields = []string{"chatty_calls_per_request", "max_sync_chain", "blast_radius"}

// thresholdsForm shows stored thresholds in the form.
func thresholdsForm(set topology.Settings) *views.Form {
	return &views.Form{Values: map[string]string{
		"chatty_calls_per_request": strconv.FormatFloat(set.ChattyCallsPerRequest, 'g', -1, 64),
		"max_sync_chain":           strconv.Itoa(set.MaxSyncChain),
		"blast_radius":             strconv.Itoa(set.BlastRadius),
	}, Errors: map[string]string{}}
}

// parseThresholds reads the form into settings, putting a message next to
// each field that is not a number; the ranges are the model's to judge.
func parseThresholds(f *views.Form) (topology.Settings, bool) {
	var set topology.Settings
	ok := true
	if v, err := strconv.ParseFloat(f.Values["chatty_calls_per_request"], 64); err != nil {
		f.Errors["chatty_calls_per_request"] = "Enter a number greater than 0, like 5 or 2.5."
		ok = false
	} else {
		set.ChattyCallsPerRequest = v
	}
	for _, k := range []struct {
		field string
		dst   *int
	}{{"max_sync_chain", &set.MaxSyncChain}, {"blast_radius", &set.BlastRadius}} {
		v, err := strconv.Atoi(f.Values[k.field])
		if err != nil {
			f.Errors[k.field] = "Enter a whole number of at least 1."
			ok = false
			continue
		}
		*k.dst = v
	}
	return set, ok
}

// handleThresholdsUpdate sets the thresholds of the workspace's risk rules;
// the new revision makes every view compute its findings again.
func (s *Server) handleThresholdsUpdate(c echo.Context) error {
	ctx := c.Request().Context()
	slug := c.Param("slug")
	th := newForm(c, thresholdFields...)
	rev, err := formRevision(c)
	if err != nil {
		return err
	}
	if set, ok := parseThresholds(th); ok {
		ws, err := s.db.UpdateSettings(ctx, slug, set, rev)
		if err == nil {
			return redirect(c, views.WorkspaceURL(ws.Slug, "settings")+"?thresholds=saved#thresholds-title")
		}
		if topology.ErrorCode(err) == topology.EPRECONDITION {
			th.General = append(th.General, staleMessage)
		} else if !addError(th, err) {
			return err
		}
	}
	ws, err := s.db.GetWorkspace(ctx, slug)
	if err != nil {
		return err
	}
	f := &views.Form{Values: map[string]string{"name": ws.Name, "description": ws.Description}}
	return s.renderSettingsWith(c, http.StatusUnprocessableEntity, ws, f, false, &views.Form{}, th, false)
}

// renderSettingsWith renders the settings tab with every one of its forms.
func (s *Server) renderSettingsWith(c echo.Context, status int, ws *store.Workspace, f *views.Form, saved bool, del, th *views.Form, thSaved bool) error {
	p := s.workspacePage(c, ws, "settings")
	return render(c, status, views.Layout(p, views.SettingsPage(p, f, saved, del, th, thSaved)))
}
