package server

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/access"
	"github.com/archmap/archmap/topology"
	"github.com/archmap/archmap/views"
)

// handleFindingsShow is the findings tab: the model's findings grouped by
// rule, filtered as its URL says, with the services diagram outlined to
// match.
func (s *Server) handleFindingsShow(c echo.Context) error {
	return s.renderFindings(c, http.StatusOK, "")
}

func (s *Server) renderFindings(c echo.Context, status int, errMsg string) error {
	sn, err := s.workspaceSnapshot(c.Request().Context(), c.Param("slug"))
	if err != nil {
		return err
	}
	ws := sn.workspace
	base := views.WorkspaceURL(ws.Slug)
	filter := parseFindingsFilter(func(k string) []string { return c.QueryParams()[k] })
	if errMsg != "" {
		// A refused action comes back with the filter it was made under.
		q, _ := url.ParseQuery(c.FormValue("back"))
		filter = parseFindingsFilter(func(k string) []string { return q[k] })
	}
	d := findingsData(sn.model, sn.report, filter, base)
	p := s.workspacePage(c, ws, "findings")
	d.Editable, d.CSRF, d.Revision, d.Error = workspaceRole(c).Can(access.Edit), p.CSRF, ws.Revision, errMsg
	if isHTMX(c) {
		// A filter change: the panel alone, which the page swaps in.
		return render(c, status, views.FindingsPanel(d))
	}
	if len(sn.model.Services) > 0 {
		d.DiagramURL = base + "/diagram/fragment?view=services"
	}
	return render(c, status, views.Layout(p, views.FindingsPage(p, d)))
}

// acceptedFromForm reads an accept or withdraw form: the finding it names
// by id, looked up among the workspace's current findings, and what the
// user typed. A finding that is gone (fixed, or the page is old) is
// ENOTFOUND.
func (s *Server) acceptedFromForm(c echo.Context) (topology.AcceptedRisk, error) {
	a := topology.AcceptedRisk{
		Reason:  strings.TrimSpace(c.FormValue("reason")),
		Owner:   strings.TrimSpace(c.FormValue("owner")),
		Expires: strings.TrimSpace(c.FormValue("expires")),
	}
	sn, err := s.workspaceSnapshot(c.Request().Context(), c.Param("slug"))
	if err != nil {
		return a, err
	}
	id := c.FormValue("finding")
	for _, f := range sn.report.Findings {
		if findingID(f) == id {
			a.Rule, a.Subjects = f.Rule, f.Subjects
			return a, nil
		}
	}
	return a, topology.Errorf(topology.ENOTFOUND, "that finding is no longer reported (the model changed); reload the page")
}

// backToFindings is the findings tab under the filter the form was sent
// from. Only a query is taken from the form, never a path, so the redirect
// stays on this workspace's page.
func backToFindings(c echo.Context, slug, anchor string) string {
	q, _ := url.ParseQuery(c.FormValue("back"))
	f := parseFindingsFilter(func(k string) []string { return q[k] })
	to := views.WorkspaceURL(slug, "findings")
	if enc := f.Query().Encode(); enc != "" {
		to += "?" + enc
	}
	if anchor != "" {
		to += "#" + anchor
	}
	return to
}

// handleFindingAccept accepts a finding with the reason given (owner and
// expiry optional) as part of the model; the finding moves to the
// accepted group.
func (s *Server) handleFindingAccept(c echo.Context) error {
	slug := c.Param("slug")
	rev, err := formRevision(c)
	if err != nil {
		return err
	}
	a, err := s.acceptedFromForm(c)
	if err != nil {
		return s.findingsRefused(c, "The risk was not accepted: ", err)
	}
	// A model file may hold a lapsed acceptance (it is then reported as
	// stale); accepting anew with a date already past is a slip.
	if a.Expires != "" && a.Expires < time.Now().UTC().Format(time.DateOnly) && a.Validate() == nil {
		return s.renderFindings(c, http.StatusUnprocessableEntity, "The risk was not accepted: the expiry date "+a.Expires+" has passed; leave it empty or choose a later day.")
	}
	_, err = s.db.AcceptRisk(c.Request().Context(), slug, a, rev)
	if err == nil {
		return redirect(c, backToFindings(c, slug, ""))
	}
	return s.findingsRefused(c, "The risk was not accepted: ", err)
}

// handleFindingWithdraw removes the acceptance of a finding.
func (s *Server) handleFindingWithdraw(c echo.Context) error {
	slug := c.Param("slug")
	rev, err := formRevision(c)
	if err != nil {
		return err
	}
	a, err := s.acceptedFromForm(c)
	if err != nil {
		return s.findingsRefused(c, "The acceptance was not withdrawn: ", err)
	}
	_, err = s.db.WithdrawAcceptance(c.Request().Context(), slug, a.Rule, a.Subjects, rev)
	if err == nil {
		return redirect(c, backToFindings(c, slug, ""))
	}
	return s.findingsRefused(c, "The acceptance was not withdrawn: ", err)
}

// findingsRefused answers an accept or withdraw that failed: the findings
// page with what went wrong, when the user can act on it; else the error.
func (s *Server) findingsRefused(c echo.Context, what string, err error) error {
	if msg, ok := userMessage(err); ok {
		return s.renderFindings(c, http.StatusUnprocessableEntity, what+msg)
	}
	return err
}

// userMessage is the message of an error the user can act on: invalid
// input (with the field named), a stale page, nothing to withdraw.
func userMessage(err error) (string, bool) {
	switch topology.ErrorCode(err) {
	case topology.EINVALID:
		return topology.ErrorMessage(err), true
	case topology.EPRECONDITION:
		return staleMessage, true
	case topology.ENOTFOUND:
		// The workspace itself exists (the form came from it): the
		// finding or its acceptance is what is gone.
		if msg := topology.ErrorMessage(err); strings.HasPrefix(msg, "that finding") {
			return msg, true
		}
		return "it is no longer accepted (someone withdrew it); reload the page", true
	}
	return "", false
}
