package server

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/access"
	"github.com/archmap/archmap/store"
)

// The members of a workspace through the API, for its owners (routes.go
// guards them with access.Manage).

type memberInput struct {
	Email string      `json:"email"`
	Role  access.Role `json:"role"`
}

func (s *Server) handleAPIMemberList(c echo.Context) error {
	list, err := s.db.ListMembers(c.Request().Context(), c.Param("slug"))
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, listBody[store.Member]{Items: list, Total: len(list)})
}

// handleAPIMemberAdd adds the account with that email → 201 with the
// member (its user_id names it in the member's address).
func (s *Server) handleAPIMemberAdd(c echo.Context) error {
	var in memberInput
	if err := decodeJSON(c, &in, false); err != nil {
		return err
	}
	m, err := s.db.AddMember(c.Request().Context(), c.Param("slug"), in.Email, in.Role)
	if err != nil {
		return err
	}
	s.auditMember(c, store.AuditMemberAdd, m.Email, m.Role)
	c.Response().Header().Set(echo.HeaderLocation, apiWorkspacePath(c.Param("slug"), "members", strconv.FormatInt(m.UserID, 10)))
	return writeJSON(c, http.StatusCreated, m)
}

// handleAPIMemberUpdate changes a member's role (`{"role"}`; an email, if
// sent, is ignored: the address names the member).
func (s *Server) handleAPIMemberUpdate(c echo.Context) error {
	id, err := parseID(c, "user_id")
	if err != nil {
		return err
	}
	var in memberInput
	if err := decodeJSON(c, &in, false); err != nil {
		return err
	}
	m, err := s.db.SetMemberRole(c.Request().Context(), c.Param("slug"), id, in.Role)
	if err != nil {
		return err
	}
	s.auditMember(c, store.AuditMemberRole, m.Email, m.Role)
	return writeJSON(c, http.StatusOK, m)
}

func (s *Server) handleAPIMemberRemove(c echo.Context) error {
	id, err := parseID(c, "user_id")
	if err != nil {
		return err
	}
	m, err := s.db.RemoveMember(c.Request().Context(), c.Param("slug"), id)
	if err != nil {
		return err
	}
	s.auditMember(c, store.AuditMemberRemove, m.Email, m.Role)
	return c.NoContent(http.StatusNoContent)
}
