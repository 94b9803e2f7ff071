package server

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/access"
	"github.com/archmap/archmap/store"
	"github.com/archmap/archmap/topology"
	"github.com/archmap/archmap/views"
)

// roleKey holds the caller's role in the workspace of the request, once
// its route's guard let it through.
const roleKey = "workspace.role"

// may guards a route of one workspace (/w/:slug…, /api/v1/workspaces/:slug…)
// with the least action it takes (access.Action): the caller — a session's
// user, or an API token's owner — must be allowed it by their role in the
// workspace. Someone who is not a member gets the very answer of a
// workspace that does not exist (store.WorkspaceRole), so that nobody learns
// which slugs exist; a member whose role falls short gets 403. Instance
// admins are owners everywhere.
//
// Every such route declares its guard in routes.go; the access matrix
// (access_test.go) sends every route as every role and fails when one is
// missing or wrong.
func (s *Server) may(a access.Action) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			role, err := s.db.WorkspaceRole(r.Context(), c.Param("slug"), currentUser(c))
			if err != nil {
				return err
			}
			if !role.Can(a) {
				return refusal(role, a)
			}
			c.Set(roleKey, role)
			c.SetRequest(r.WithContext(views.WithRole(r.Context(), role)))
			return next(c)
		}
	}
}

// refusal says what a member's role does not allow, and who can change that.
func refusal(role access.Role, a access.Action) error {
	switch a {
	case access.Manage:
		return topology.Errorf(topology.EFORBIDDEN, "Only an owner of this workspace may manage its members or delete it; you are its %s.", role)
	case access.Share:
		return topology.Errorf(topology.EFORBIDDEN, "Only editors and owners of this workspace may manage its share links; you are its %s.", role)
	}
	return topology.Errorf(topology.EFORBIDDEN, "You can view this workspace but not change it; ask one of its owners for the editor role.")
}

// workspaceRole is the caller's role in the request's workspace ("" on
// routes without one).
func workspaceRole(c echo.Context) access.Role {
	r, _ := c.Get(roleKey).(access.Role)
	return r
}

// stillMay reports whether u may still take action a in the workspace
// (after a change of members that may have concerned u).
func (s *Server) stillMay(ctx context.Context, slug string, u *store.User, a access.Action) (bool, error) {
	role, err := s.db.WorkspaceRole(ctx, slug, u)
	if topology.ErrorCode(err) == topology.ENOTFOUND {
		return false, nil
	}
	return role.Can(a), err
}

// Read-only API tokens (token_auth.go) may send the methods that read,
// and the one POST that stores nothing.
func readOnlyAllows(c echo.Context) bool {
	switch c.Request().Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return true
	}
	return c.Path() == apiSimulatePath
}
