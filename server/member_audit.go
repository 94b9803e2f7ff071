package server

import (
	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/access"
)

// auditMember records a change of members in the audit log: the workspace
// is the target, the member and role (the new one; for a removal, the one
// they had) the detail.
func (s *Server) auditMember(c echo.Context, action, email string, role access.Role) {
	s.audit(c, action, c.Param("slug"), email+" as "+string(role))
}
