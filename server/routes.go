package server

import (
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/archmap/archmap/access"
	"github.com/archmap/archmap/diagram"
	"github.com/archmap/archmap/views"
)

// routes declares every route of the server, in one place, in groups whose
// middleware says what guards them:
//
//	every request   recover → request log → security headers → HSTS
//	public          probes (/healthz, /livez, /readyz) and static files: nothing else
//	api             /api/v1: JSON errors → host gate → body limit → bearer token
//	share           /s/:token: share headers and error pages → low-priority renders → host gate → body limit → the share token
//	web             the browser app: host gate → body limit → session → CSRF;
//	                then the setup gate, then a signed-in user
//
// Every route of one workspace (a :slug in its path) names the least action
// it takes — read, edit, share or manage (access.Action) — and its guard
// (s.may, access.go) checks the caller's role in the workspace: 404 for a
// non-member as for a missing workspace, 403 for a role that falls short.
//
// The api's and the app's writes to a workspace queue its default views
// for layout in the background (layoutAfterWrite, prewarm.go).
//
// Each group also answers the unknown addresses under it (Echo registers a
// not-found route per group), so an unknown API address gets a JSON 401 or
// 404 and an unknown page the app's.
// apiSimulatePath is the one POST of the API that stores nothing: read-only
// tokens may send it (readOnlyAllows).
const apiSimulatePath = "/api/v1/workspaces/:slug/simulate"

func (s *Server) routes() {
	e := s.echo
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			s.log.Error("panic", "path", logPath(c.Request().URL.Path), "err", err, "stack", string(stack))
			return err
		},
	}))
	e.Use(s.requestLog())
	e.Use(securityHeaders)
	e.Use(s.transportHeaders)
	bodyLimit := middleware.BodyLimit(maxBodyBytes)
	read, edit, sharing, manage := s.may(access.Read), s.may(access.Edit), s.may(access.Share), s.may(access.Manage)

	// Public: what load balancers and browsers fetch without credentials.
	e.GET("/healthz", s.handleHealth)
	e.GET("/livez", s.handleLive)
	e.GET("/readyz", s.handleReady)
	e.GET("/static/*", s.handleStatic)

	// The JSON API: a bearer token, never the session cookie (which is why
	// it needs no CSRF token: a forged request carries no credentials).
	api := e.Group("/api/v1", errorsAsJSON, s.hostGate, bodyLimit)
	api.GET("/openapi.json", s.handleAPIOpenAPI)
	authed := api.Group("", s.requireToken, s.layoutAfterWrite)
	// Any token's owner may list the workspaces they are a member of and
	// create one (becoming its owner); a read-only token only lists.
	authed.GET("/workspaces", s.handleAPIWorkspaceList)
	authed.POST("/workspaces", s.handleAPIWorkspaceCreate)
	authed.GET("/workspaces/:slug", s.handleAPIWorkspaceGet, read)
	authed.DELETE("/workspaces/:slug", s.handleAPIWorkspaceDelete, manage)
	authed.GET("/workspaces/:slug/model", s.handleAPIModelGet, read)
	authed.PUT("/workspaces/:slug/model", s.handleAPIModelPut, edit)
	authed.PATCH("/workspaces/:slug/model", s.handleAPIModelPatch, edit)
	authed.GET("/workspaces/:slug/findings", s.handleAPIFindings, read)
	authed.POST(strings.TrimPrefix(apiSimulatePath, "/api/v1"), s.handleAPISimulate, read)
	for _, f := range diagram.Formats() {
		authed.GET("/workspaces/:slug/diagram."+f.Name, s.handleAPIDiagram(f), read)
	}
	authed.GET("/workspaces/:slug/revisions", s.handleAPIRevisionList, read)
	authed.GET("/workspaces/:slug/revisions/:rev/model", s.handleAPIRevisionModel, read)
	authed.POST("/workspaces/:slug/revisions/:rev/restore", s.handleAPIRevisionRestore, edit)
	authed.GET("/workspaces/:slug/diff", s.handleAPIDiff, read)
	authed.GET("/workspaces/:slug/shares", s.handleAPIShareList, sharing)
	authed.POST("/workspaces/:slug/shares", s.handleAPIShareCreate, sharing)
	authed.DELETE("/workspaces/:slug/shares/:id", s.handleAPIShareDelete, sharing)
	authed.GET("/workspaces/:slug/members", s.handleAPIMemberList, manage)
	authed.POST("/workspaces/:slug/members", s.handleAPIMemberAdd, manage)
	authed.PUT("/workspaces/:slug/members/:user_id", s.handleAPIMemberUpdate, manage)
	authed.DELETE("/workspaces/:slug/members/:user_id", s.handleAPIMemberRemove, manage)
	authed.GET("/audit", s.handleAPIAudit) // admins' tokens only: 403 for others
	s.registerEntityAPIs(authed, read, edit)

	// Share pages: the token in the path opens one workspace's model for
	// reading and nothing else; no session, no CSRF (the one POST, the
	// simulation, stores nothing). The addresses mirror the workspace's
	// diagram page so that the same components serve both.
	// Visitors of share links are anonymous: their layouts never take the
	// last render worker from the app's signed-in users.
	share := e.Group("/s/:token", s.shareHeaders, lowPriorityRenders, s.hostGate, bodyLimit, s.resolveShare(newFailureLimiter(shareFailureBurst, shareFailureEvery)))
	share.GET("", s.handleShareShow)
	share.GET("/diagram", s.handleShareShow)
	share.GET("/diagram/fragment", s.handleShareFragment)
	share.GET("/diagram/panel", s.handleSharePanel)
	for _, f := range diagram.Formats() {
		share.GET("/diagram."+f.Name, s.handleShareDownload(f))
	}
	share.POST("/simulate", s.handleShareSimulate)
	share.GET("/findings", s.handleShareFindings)

	// The browser app: the session cookie, and a CSRF token on every
	// state-changing request. Browser routes change state only with POST.
	web := e.Group("", s.hostGate, bodyLimit, s.loadSession, s.csrf)
	web.GET("/setup", s.handleSetupShow)
	web.POST("/setup", s.handleSetupCreate)
	// Until the first account exists, every other page leads to /setup.
	ready := web.Group("", s.setupGate)
	ready.GET("/login", s.handleLoginShow)
	ready.POST("/login", s.handleLogin) // 403 when password sign-in is off (Config.NoPasswordSignIn)
	ready.POST("/logout", s.handleLogout)
	// A one-time password link works signed out: it signs its holder in.
	ready.GET("/password/:token", s.handlePasswordLinkShow)
	ready.POST("/password/:token", s.handlePasswordLinkSet)
	// Single sign-on (404 unless Config.OIDC is set). Both are GETs, so no
	// CSRF token: the start is a link (a form posting to it could not
	// redirect to the provider under our CSP's form-action 'self'), and
	// changes nothing but its own flow cookie; the callback is the
	// provider's redirect, and its state parameter, which must match the
	// one derived from this browser's flow cookie, is its protection
	// against forged callbacks (auth_oidc.go).
	ready.GET("/auth/oidc/start", s.handleOIDCStart)
	ready.GET(OIDCCallbackPath, s.handleOIDCCallback)

	app := ready.Group("", s.requireUser, s.layoutAfterWrite)
	app.GET("/account", s.handleAccountShow)
	app.POST("/account/tokens", s.handleTokenCreate)
	app.POST("/account/tokens/:id/delete", s.handleTokenDelete)
	app.POST("/account/password", s.handlePasswordChange)

	// Administration: admins only; anyone else gets 404, as for an
	// address that does not exist.
	admin := app.Group("/admin", s.requireAdmin)
	admin.GET("/users", s.handleAdminUsers)
	admin.POST("/users", s.handleAdminUserCreate)
	admin.POST("/users/:id/disable", s.handleAdminUserDisabled(true))
	admin.POST("/users/:id/enable", s.handleAdminUserDisabled(false))
	admin.POST("/users/:id/admin", s.handleAdminUserAdmin)
	admin.POST("/users/:id/reset", s.handleAdminUserReset)
	admin.GET("/audit", s.handleAdminAudit)

	app.GET("/", s.handleWorkspaceList)
	app.POST("/w", s.handleWorkspaceCreate)
	app.GET("/w/:slug", s.handleWorkspaceShow, read)
	app.GET("/w/:slug/model/:section", s.handleEditorSection, read)
	app.GET("/w/:slug/settings", s.handleWorkspaceSettings, edit)
	app.POST("/w/:slug/settings", s.handleWorkspaceUpdate, edit)
	app.POST("/w/:slug/settings/thresholds", s.handleThresholdsUpdate, edit)
	app.GET("/w/:slug/findings", s.handleFindingsShow, read)
	app.POST("/w/:slug/findings/accept", s.handleFindingAccept, edit)
	app.POST("/w/:slug/findings/withdraw", s.handleFindingWithdraw, edit)
	app.POST("/w/:slug/delete", s.handleWorkspaceDelete, manage)

	app.POST("/w/:slug/services", s.handleServiceCreate, edit)
	app.GET("/w/:slug/services/:id", s.handleServiceRow, read)
	app.GET("/w/:slug/services/:id/edit", s.handleServiceEdit, edit)
	app.POST("/w/:slug/services/:id", s.handleServiceUpdate, edit)
	app.POST("/w/:slug/services/:id/delete", s.handleEntityDelete(views.SectionServices, "service", s.db.Services().Delete, views.SectionPlacements, views.SectionDependencies, views.SectionMatrix), edit)

	app.POST("/w/:slug/servers", s.handleServerCreate, edit)
	app.GET("/w/:slug/servers/:id", s.handleServerRow, read)
	app.GET("/w/:slug/servers/:id/edit", s.handleServerEdit, edit)
	app.POST("/w/:slug/servers/:id", s.handleServerUpdate, edit)
	app.POST("/w/:slug/servers/:id/delete", s.handleEntityDelete(views.SectionServers, "server", s.db.Servers().Delete, views.SectionPlacements, views.SectionMatrix), edit)

	app.POST("/w/:slug/placements", s.handlePlacementCreate, edit)
	app.POST("/w/:slug/placements/matrix/:service/:server", s.handlePlacementMatrix, edit)
	app.GET("/w/:slug/placements/:id", s.handlePlacementRow, read)
	app.GET("/w/:slug/placements/:id/edit", s.handlePlacementEdit, edit)
	app.POST("/w/:slug/placements/:id", s.handlePlacementUpdate, edit)
	app.POST("/w/:slug/placements/:id/delete", s.handleEntityDelete(views.SectionPlacements, "placement", s.db.Placements().Delete, views.SectionMatrix, views.SectionServers), edit)

	app.POST("/w/:slug/dependencies", s.handleDependencyCreate, edit)
	app.GET("/w/:slug/dependencies/:id", s.handleDependencyRow, read)
	app.GET("/w/:slug/dependencies/:id/edit", s.handleDependencyEdit, edit)
	app.POST("/w/:slug/dependencies/:id", s.handleDependencyUpdate, edit)
	app.POST("/w/:slug/dependencies/:id/delete", s.handleEntityDelete(views.SectionDependencies, "dependency", s.db.Dependencies().Delete), edit)

	app.GET("/w/:slug/import", s.handleModelImportShow, read)
	app.POST("/w/:slug/import", s.handleModelImport, edit)
	app.GET("/w/:slug/model.yaml", s.handleModelExport("yaml"), read)
	app.GET("/w/:slug/model.json", s.handleModelExport("json"), read)

	app.GET("/w/:slug/history", s.handleHistoryShow, read)
	app.POST("/w/:slug/revisions/:rev/restore", s.handleRevisionRestore, edit)
	app.GET("/w/:slug/compare", s.handleCompareShow, read)
	app.GET("/w/:slug/compare/fragment", s.handleCompareFragment, read)

	app.GET("/w/:slug/diagram", s.handleDiagramShow, read)
	app.GET("/w/:slug/diagram/fragment", s.handleDiagramFragment, read)
	for _, f := range diagram.Formats() {
		app.GET("/w/:slug/diagram."+f.Name, s.handleDiagramDownload(f), read)
	}
	app.GET("/w/:slug/diagram/panel", s.handleServicePanel, read)
	app.POST("/w/:slug/simulate", s.handleDiagramSimulate, read)

	app.GET("/w/:slug/shares", s.handleShareLinks, sharing)
	app.POST("/w/:slug/shares", s.handleShareLinkCreate, sharing)
	app.POST("/w/:slug/shares/:id/revoke", s.handleShareLinkRevoke, sharing)

	app.GET("/w/:slug/members", s.handleMembersShow, manage)
	app.POST("/w/:slug/members", s.handleMemberAdd, manage)
	app.POST("/w/:slug/members/:user_id", s.handleMemberUpdate, manage)
	app.POST("/w/:slug/members/:user_id/delete", s.handleMemberRemove, manage)
}
