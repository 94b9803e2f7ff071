package server

import (
	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/access"
)

// Until the audit log lands (store/audit.go), member changes are logged.
const (
	auditMemberAdded       = "member.added"
	auditMemberRoleChanged = "member.role_changed"
	auditMemberRemoved     = "member.removed"
)

func (s *Server) auditMember(c echo.Context, action, email string, role access.Role) {
	s.log.Info("workspace members", "action", action, "workspace", c.Param("slug"), "member", email, "role", string(role))
}
