package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/access"
	"github.com/archmap/archmap/store"
	"github.com/archmap/archmap/topology"
	"github.com/archmap/archmap/views"
)

// The members tab of a workspace, for its owners (routes.go guards it with
// access.Manage): list, add by email with a role, change a role, remove.
// Each change answers htmx with the section, anything else with the page.

func (s *Server) handleMembersShow(c echo.Context) error {
	return s.renderMembers(c, http.StatusOK, &views.MembersData{})
}

func (s *Server) handleMemberAdd(c echo.Context) error {
	f := newForm(c, "email", "role")
	m, err := s.db.AddMember(c.Request().Context(), c.Param("slug"), f.Values["email"], access.Role(f.Values["role"]))
	if err != nil {
		if addError(f, err) {
			return s.renderMembers(c, statusOfForm(err), &views.MembersData{Add: f})
		}
		return err
	}
	s.auditMember(c, store.AuditMemberAdd, m.Email, m.Role)
	return s.renderMembers(c, http.StatusOK, &views.MembersData{Notice: "Added " + m.Email + " as " + string(m.Role) + "."})
}

func (s *Server) handleMemberUpdate(c echo.Context) error {
	id, err := parseID(c, "user_id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	m, err := s.db.SetMemberRole(ctx, c.Param("slug"), id, access.Role(c.FormValue("role")))
	if err != nil {
		return s.memberRefused(c, err)
	}
	s.auditMember(c, store.AuditMemberRole, m.Email, m.Role)
	return s.afterMemberChange(c, m.Email+" is now "+string(m.Role)+".")
}

func (s *Server) handleMemberRemove(c echo.Context) error {
	id, err := parseID(c, "user_id")
	if err != nil {
		return err
	}
	m, err := s.db.RemoveMember(c.Request().Context(), c.Param("slug"), id)
	if err != nil {
		return s.memberRefused(c, err)
	}
	s.auditMember(c, store.AuditMemberRemove, m.Email, m.Role)
	return s.afterMemberChange(c, "Removed "+m.Email+".")
}

// memberRefused shows why a change of a member was refused (the last owner,
// a role that does not exist, a member gone meanwhile) in the section.
func (s *Server) memberRefused(c echo.Context, err error) error {
	switch topology.ErrorCode(err) {
	case topology.ECONFLICT, topology.EINVALID, topology.ENOTFOUND:
		return s.renderMembers(c, statusOfForm(err), &views.MembersData{Error: sentence(topology.ErrorMessage(err))})
	}
	return err
}

// afterMemberChange shows the section again, unless the change took the
// caller's own right to manage members: then it leads to what they may
// still see.
func (s *Server) afterMemberChange(c echo.Context, notice string) error {
	slug, u := c.Param("slug"), currentUser(c)
	ctx := c.Request().Context()
	manage, err := s.stillMay(ctx, slug, u, access.Manage)
	if err != nil {
		return err
	}
	if manage {
		return s.renderMembers(c, http.StatusOK, &views.MembersData{Notice: notice})
	}
	read, err := s.stillMay(ctx, slug, u, access.Read)
	if err != nil {
		return err
	}
	if read {
		return redirect(c, views.WorkspaceURL(slug))
	}
	return redirect(c, "/")
}

// statusOfForm is the status of a form the user must fix: 409 for a
// conflict (already a member, the last owner), else 422.
func statusOfForm(err error) int {
	if topology.ErrorCode(err) == topology.ECONFLICT {
		return http.StatusConflict
	}
	return http.StatusUnprocessableEntity
}

func (s *Server) renderMembers(c echo.Context, status int, d *views.MembersData) error {
	ctx := c.Request().Context()
	ws, err := s.db.GetWorkspace(ctx, c.Param("slug"))
	if err != nil {
		return err
	}
	list, err := s.db.ListMembers(ctx, ws.Slug)
	if err != nil {
		return err
	}
	d.Slug, d.CSRF = ws.Slug, csrfToken(c)
	if d.Add == nil {
		d.Add = &views.Form{Values: map[string]string{"role": string(access.Viewer)}, Errors: map[string]string{}}
	}
	for _, m := range list {
		d.Members = append(d.Members, views.MemberRow{UserID: m.UserID, Email: m.Email, Role: string(m.Role)})
	}
	if isHTMX(c) {
		return render(c, status, views.MembersSection(d))
	}
	p := s.workspacePage(c, ws, "members")
	return render(c, status, views.Layout(p, views.MembersPage(p, d)))
}
