package server

import (
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

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
// The api's and the app's writes to a workspace queue its default views
// for layout in the background (layoutAfterWrite, prewarm.go).
//
// Each group also answers the unknown addresses under it (Echo registers a
// not-found route per group), so an unknown API address gets a JSON 401 or
// 404 and an unknown page the app's.
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
	authed.GET("/workspaces", s.handleAPIWorkspaceList)
	authed.POST("/workspaces", s.handleAPIWorkspaceCreate)
	authed.GET("/workspaces/:slug", s.handleAPIWorkspaceGet)
	authed.DELETE("/workspaces/:slug", s.handleAPIWorkspaceDelete)
	authed.GET("/workspaces/:slug/model", s.handleAPIModelGet)
	authed.PUT("/workspaces/:slug/model", s.handleAPIModelPut)
	authed.PATCH("/workspaces/:slug/model", s.handleAPIModelPatch)
	authed.GET("/workspaces/:slug/findings", s.handleAPIFindings)
	authed.POST("/workspaces/:slug/simulate", s.handleAPISimulate)
	for _, f := range diagram.Formats() {
		authed.GET("/workspaces/:slug/diagram."+f.Name, s.handleAPIDiagram(f))
	}
	authed.GET("/workspaces/:slug/revisions", s.handleAPIRevisionList)
	authed.GET("/workspaces/:slug/revisions/:rev/model", s.handleAPIRevisionModel)
	authed.POST("/workspaces/:slug/revisions/:rev/restore", s.handleAPIRevisionRestore)
	authed.GET("/workspaces/:slug/diff", s.handleAPIDiff)
	authed.GET("/workspaces/:slug/shares", s.handleAPIShareList)
	authed.POST("/workspaces/:slug/shares", s.handleAPIShareCreate)
	authed.DELETE("/workspaces/:slug/shares/:id", s.handleAPIShareDelete)
	s.registerEntityAPIs(authed)

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

	app.GET("/", s.handleWorkspaceList)
	app.POST("/w", s.handleWorkspaceCreate)
	app.GET("/w/:slug", s.handleWorkspaceShow)
	app.GET("/w/:slug/model/:section", s.handleEditorSection)
	app.GET("/w/:slug/settings", s.handleWorkspaceSettings)
	app.POST("/w/:slug/settings", s.handleWorkspaceUpdate)
	app.POST("/w/:slug/settings/thresholds", s.handleThresholdsUpdate)
	app.GET("/w/:slug/findings", s.handleFindingsShow)
	app.POST("/w/:slug/findings/accept", s.handleFindingAccept)
	app.POST("/w/:slug/findings/withdraw", s.handleFindingWithdraw)
	app.POST("/w/:slug/delete", s.handleWorkspaceDelete)

	app.POST("/w/:slug/services", s.handleServiceCreate)
	app.GET("/w/:slug/services/:id", s.handleServiceRow)
	app.GET("/w/:slug/services/:id/edit", s.handleServiceEdit)
	app.POST("/w/:slug/services/:id", s.handleServiceUpdate)
	app.POST("/w/:slug/services/:id/delete", s.handleEntityDelete(views.SectionServices, "service", s.db.Services().Delete, views.SectionPlacements, views.SectionDependencies, views.SectionMatrix))

	app.POST("/w/:slug/servers", s.handleServerCreate)
	app.GET("/w/:slug/servers/:id", s.handleServerRow)
	app.GET("/w/:slug/servers/:id/edit", s.handleServerEdit)
	app.POST("/w/:slug/servers/:id", s.handleServerUpdate)
	app.POST("/w/:slug/servers/:id/delete", s.handleEntityDelete(views.SectionServers, "server", s.db.Servers().Delete, views.SectionPlacements, views.SectionMatrix))

	app.POST("/w/:slug/placements", s.handlePlacementCreate)
	app.POST("/w/:slug/placements/matrix/:service/:server", s.handlePlacementMatrix)
	app.GET("/w/:slug/placements/:id", s.handlePlacementRow)
	app.GET("/w/:slug/placements/:id/edit", s.handlePlacementEdit)
	app.POST("/w/:slug/placements/:id", s.handlePlacementUpdate)
	app.POST("/w/:slug/placements/:id/delete", s.handleEntityDelete(views.SectionPlacements, "placement", s.db.Placements().Delete, views.SectionMatrix, views.SectionServers))

	app.POST("/w/:slug/dependencies", s.handleDependencyCreate)
	app.GET("/w/:slug/dependencies/:id", s.handleDependencyRow)
	app.GET("/w/:slug/dependencies/:id/edit", s.handleDependencyEdit)
	app.POST("/w/:slug/dependencies/:id", s.handleDependencyUpdate)
	app.POST("/w/:slug/dependencies/:id/delete", s.handleEntityDelete(views.SectionDependencies, "dependency", s.db.Dependencies().Delete))

	app.GET("/w/:slug/import", s.handleModelImportShow)
	app.POST("/w/:slug/import", s.handleModelImport)
	app.GET("/w/:slug/model.yaml", s.handleModelExport("yaml"))
	app.GET("/w/:slug/model.json", s.handleModelExport("json"))

	app.GET("/w/:slug/history", s.handleHistoryShow)
	app.POST("/w/:slug/revisions/:rev/restore", s.handleRevisionRestore)
	app.GET("/w/:slug/compare", s.handleCompareShow)
	app.GET("/w/:slug/compare/fragment", s.handleCompareFragment)

	app.GET("/w/:slug/diagram", s.handleDiagramShow)
	app.GET("/w/:slug/diagram/fragment", s.handleDiagramFragment)
	for _, f := range diagram.Formats() {
		app.GET("/w/:slug/diagram."+f.Name, s.handleDiagramDownload(f))
	}
	app.GET("/w/:slug/diagram/panel", s.handleServicePanel)
	app.POST("/w/:slug/simulate", s.handleDiagramSimulate)

	app.GET("/w/:slug/shares", s.handleShareLinks)
	app.POST("/w/:slug/shares", s.handleShareLinkCreate)
	app.POST("/w/:slug/shares/:id/revoke", s.handleShareLinkRevoke)
}
