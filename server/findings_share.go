package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/views"
)

// handleShareFindings is the findings panel of a share page: the same
// grouped, filtered findings and outlined diagram as the workspace's tab,
// read-only (no accept or withdraw).
func (s *Server) handleShareFindings(c echo.Context) error {
	sn, err := s.sharedSnapshot(c)
	if err != nil {
		return err
	}
	base := sharePath(c)
	filter := parseFindingsFilter(func(k string) []string { return c.QueryParams()[k] })
	d := findingsData(sn.model, sn.report, filter, base)
	if isHTMX(c) {
		return render(c, http.StatusOK, views.FindingsPanel(d))
	}
	if len(sn.model.Services) > 0 {
		d.DiagramURL = base + "/diagram/fragment?view=services"
	}
	info := views.ShareInfo{Name: sn.model.Name, Description: sn.model.Description, Revision: sn.revision, Pinned: sharedLink(c).Pinned()}
	return render(c, http.StatusOK, views.ShareLayout(info.Name, views.ShareFindingsPage(info, d)))
}
