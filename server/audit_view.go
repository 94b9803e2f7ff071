package server

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/store"
	"github.com/archmap/archmap/topology"
	"github.com/archmap/archmap/views"
)

// The audit log as admins read it: a page (/admin/audit) and the API
// (GET /api/v1/audit). Both page newest first and filter by action; the
// page also by user.

// auditPageSize is how many events the page shows at a time.
const auditPageSize = 50

// auditQuery reads ?action=&user=&offset=&limit= (limit: the API's).
func auditQuery(c echo.Context, defaultLimit int) (store.AuditQuery, error) {
	q := store.AuditQuery{Action: c.QueryParam("action"), Limit: defaultLimit}
	if v := c.QueryParam("user"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id < 1 {
			return q, topology.Errorf(topology.EINVALID, "user: want an account id, got %s", strconv.Quote(v))
		}
		q.ActorID = id
	}
	if v := c.QueryParam("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return q, topology.Errorf(topology.EINVALID, "offset: want a whole number of at least 0, got %s", strconv.Quote(v))
		}
		q.Offset = n
	}
	if v := c.QueryParam("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > store.MaxAuditPage {
			return q, topology.Errorf(topology.EINVALID, "limit: want a whole number from 1 to %d, got %s", store.MaxAuditPage, strconv.Quote(v))
		}
		q.Limit = n
	}
	return q, nil
}

func (s *Server) handleAdminAudit(c echo.Context) error {
	q, err := auditQuery(c, auditPageSize)
	if err != nil {
		return err
	}
	q.Limit = auditPageSize
	ctx := c.Request().Context()
	events, total, err := s.db.ListAudit(ctx, q)
	if err != nil {
		return err
	}
	actions, err := s.db.AuditActions(ctx)
	if err != nil {
		return err
	}
	users, err := s.db.ListUsers(ctx)
	if err != nil {
		return err
	}
	d := &views.AdminAuditData{Total: total, Offset: q.Offset, PageSize: q.Limit, Action: q.Action, ActorID: q.ActorID, Actions: actions}
	for _, e := range events {
		d.Events = append(d.Events, views.AuditRow{At: e.At, Actor: e.Actor, Action: e.Action, Target: e.Target, Detail: e.Detail, Address: e.Address})
	}
	for _, u := range users {
		d.Users = append(d.Users, views.UserOption{ID: u.ID, Email: u.Email})
	}
	p := s.page(c, "Audit log")
	return render(c, http.StatusOK, views.Layout(p, views.AdminAuditPage(p, d)))
}

type auditPage struct {
	Events []store.AuditEvent `json:"events"`
	Total  int                `json:"total"`
}

// handleAPIAudit answers a page of the audit log to an admin's token; any
// other token gets 403 (it is valid, it may not do this).
func (s *Server) handleAPIAudit(c echo.Context) error {
	if u := currentUser(c); u == nil || !u.Admin {
		return topology.Errorf(topology.EFORBIDDEN, "the audit log is for admins only")
	}
	q, err := auditQuery(c, auditPageSize)
	if err != nil {
		return err
	}
	events, total, err := s.db.ListAudit(c.Request().Context(), q)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, auditPage{events, total})
}
