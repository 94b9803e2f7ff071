package server

import (
	"context"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/store"
)

// actorKey holds how the request's user is named in the history and the
// audit log: an email, or an email with the API token's name.
const actorKey = "actor"

// attributeChanges makes every write of the request recorded in the
// workspace's history, and every audited action, as done by u under name.
func attributeChanges(c echo.Context, u *store.User, name string) {
	c.Set(userKey, u)
	c.Set(actorKey, name)
	r := c.Request()
	c.SetRequest(r.WithContext(store.WithChange(r.Context(), store.Change{Author: name})))
}

// audit records that the request's user (if any) did action to target.
// It runs after the action succeeded and never fails the request: the
// action is done and its answer is due; a log that cannot be written is
// reported in the server log instead, with the event, so nothing is lost
// silently.
func (s *Server) audit(c echo.Context, action, target, detail string) {
	e := store.AuditEvent{Action: action, Target: target, Detail: detail, Address: c.RealIP()}
	if u := currentUser(c); u != nil {
		e.ActorID, e.Actor = u.ID, u.Email
	}
	if name, ok := c.Get(actorKey).(string); ok {
		e.Actor = name
	}
	// The request's context may end with the answer; the record must not.
	ctx := context.WithoutCancel(c.Request().Context())
	if err := s.db.RecordAudit(ctx, e); err != nil {
		s.log.Error("audit log", "action", action, "actor", e.Actor, "target", logPath(target), "err", err)
	}
}

// shareDetail and tokenDetail name a share link or an API token in the log
// by id: their secrets are stored nowhere, the log included.
func shareDetail(id int64) string { return "share " + strconv.FormatInt(id, 10) }

func tokenDetail(id int64) string { return "token " + strconv.FormatInt(id, 10) }
