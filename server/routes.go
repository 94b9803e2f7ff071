package server

import (
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/archmap/archmap/diagram"
	"github.com/archmap/archmap/views"
)

// routes declares every route of the web app, with its middleware, in one
// place.
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
	e.Use(s.hostGate)
	e.Use(middleware.BodyLimit(maxBodyBytes))
	e.Use(s.loadSession)
	e.Use(s.setupGate)
	e.Use(s.csrf)

	e.GET("/healthz", s.handleHealth)
	e.GET("/livez", s.handleLive)
	e.GET("/readyz", s.handleReady)
	e.GET("/static/*", s.handleStatic)

	e.GET("/setup", s.handleSetupShow)
	e.POST("/setup", s.handleSetupCreate)
	e.GET("/login", s.handleLoginShow)
	e.POST("/login", s.handleLogin)
	e.POST("/logout", s.handleLogout)
	s.registerAccountRoutes(e)

	// The JSON API (api_routes.go) authenticates by bearer token, never by
	// session; share pages (share_routes.go) by the share token in the path.
	s.registerAPIRoutes(e)
	s.registerShareRoutes(e)

	// Everything else in the browser app needs a signed-in user. (The JSON
	// API under /api/v1 and the share pages under /s/{token} get groups of
	// their own with bearer-token and share-token middleware; they never
	// use this group.)
	app := e.Group("", s.requireUser)
	s.registerWorkspaceRoutes(app)
	s.registerServiceRoutes(app)
	s.registerServerRoutes(app)
	s.registerPlacementRoutes(app)
	s.registerDependencyRoutes(app)
	s.registerModelRoutes(app)
	s.registerDiagramRoutes(app)
}

// Browser routes change state only with POST (never GET), each answered
// with the editor or a page; the JSON API has the REST verbs.

func (s *Server) registerWorkspaceRoutes(g *echo.Group) {
	g.GET("/", s.handleWorkspaceList)
	g.POST("/w", s.handleWorkspaceCreate)
	g.GET("/w/:slug", s.handleWorkspaceShow)
	g.GET("/w/:slug/model/:section", s.handleEditorSection)
	g.GET("/w/:slug/settings", s.handleWorkspaceSettings)
	g.POST("/w/:slug/settings", s.handleWorkspaceUpdate)
	g.POST("/w/:slug/delete", s.handleWorkspaceDelete)
}

func (s *Server) registerServiceRoutes(g *echo.Group) {
	g.POST("/w/:slug/services", s.handleServiceCreate)
	g.GET("/w/:slug/services/:id", s.handleServiceRow)
	g.GET("/w/:slug/services/:id/edit", s.handleServiceEdit)
	g.POST("/w/:slug/services/:id", s.handleServiceUpdate)
	g.POST("/w/:slug/services/:id/delete", s.handleEntityDelete(views.SectionServices, "service", s.db.DeleteService, views.SectionPlacements, views.SectionDependencies, views.SectionMatrix))
}

func (s *Server) registerServerRoutes(g *echo.Group) {
	g.POST("/w/:slug/servers", s.handleServerCreate)
	g.GET("/w/:slug/servers/:id", s.handleServerRow)
	g.GET("/w/:slug/servers/:id/edit", s.handleServerEdit)
	g.POST("/w/:slug/servers/:id", s.handleServerUpdate)
	g.POST("/w/:slug/servers/:id/delete", s.handleEntityDelete(views.SectionServers, "server", s.db.DeleteServer, views.SectionPlacements, views.SectionMatrix))
}

func (s *Server) registerPlacementRoutes(g *echo.Group) {
	g.POST("/w/:slug/placements", s.handlePlacementCreate)
	g.POST("/w/:slug/placements/matrix/:service/:server", s.handlePlacementMatrix)
	g.GET("/w/:slug/placements/:id", s.handlePlacementRow)
	g.GET("/w/:slug/placements/:id/edit", s.handlePlacementEdit)
	g.POST("/w/:slug/placements/:id", s.handlePlacementUpdate)
	g.POST("/w/:slug/placements/:id/delete", s.handleEntityDelete(views.SectionPlacements, "placement", s.db.DeletePlacement, views.SectionMatrix, views.SectionServers))
}

func (s *Server) registerDependencyRoutes(g *echo.Group) {
	g.POST("/w/:slug/dependencies", s.handleDependencyCreate)
	g.GET("/w/:slug/dependencies/:id", s.handleDependencyRow)
	g.GET("/w/:slug/dependencies/:id/edit", s.handleDependencyEdit)
	g.POST("/w/:slug/dependencies/:id", s.handleDependencyUpdate)
	g.POST("/w/:slug/dependencies/:id/delete", s.handleEntityDelete(views.SectionDependencies, "dependency", s.db.DeleteDependency))
}

func (s *Server) registerModelRoutes(g *echo.Group) {
	g.GET("/w/:slug/import", s.handleModelImportShow)
	g.POST("/w/:slug/import", s.handleModelImport)
	g.GET("/w/:slug/model.yaml", s.handleModelExport("yaml"))
	g.GET("/w/:slug/model.json", s.handleModelExport("json"))
	g.GET("/w/:slug/history", s.handleHistoryShow)
	g.POST("/w/:slug/revisions/:rev/restore", s.handleRevisionRestore)
	g.GET("/w/:slug/compare", s.handleCompareShow)
	g.GET("/w/:slug/compare/fragment", s.handleCompareFragment)
}

func (s *Server) registerDiagramRoutes(g *echo.Group) {
	g.GET("/w/:slug/diagram", s.handleDiagramShow)
	g.GET("/w/:slug/diagram/fragment", s.handleDiagramFragment)
	g.GET("/w/:slug/diagram.svg", s.handleDiagramDownload(diagram.FormatSVG))
	g.GET("/w/:slug/diagram.dot", s.handleDiagramDownload(diagram.FormatLaidOutDOT))
	g.GET("/w/:slug/diagram/panel", s.handleServicePanel)
	g.POST("/w/:slug/simulate", s.handleDiagramSimulate)
}
