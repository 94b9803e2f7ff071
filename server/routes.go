package server

import (
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
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
	e.Use(middleware.BodyLimit(maxBodyBytes))
	e.Use(s.loadSession)
	e.Use(s.setupGate)
	e.Use(s.csrf())

	e.GET("/healthz", s.handleHealth)
	e.GET("/static/*", s.handleStatic)

	e.GET("/setup", s.handleSetupShow)
	e.POST("/setup", s.handleSetupCreate)
	e.GET("/login", s.handleLoginShow)
	e.POST("/login", s.handleLogin)
	e.POST("/logout", s.handleLogout)

	// Everything else in the browser app needs a signed-in user. (The JSON
	// API under /api/v1 and the share pages under /s/{token} get groups of
	// their own with bearer-token and share-token middleware; they never
	// use this group.)
	app := e.Group("", s.requireUser)
	s.registerWorkspaceRoutes(app)
}

func (s *Server) registerWorkspaceRoutes(g *echo.Group) {
	g.GET("/", s.handleWorkspaceList)
	g.POST("/w", s.handleWorkspaceCreate)
}
