package server

import (
	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/diagram"
	"github.com/archmap/archmap/store"
	"github.com/archmap/archmap/topology"
)

// registerAPIRoutes declares the JSON API of docs/api.md under /api/v1. Every
// route but the OpenAPI document needs a bearer token (requireToken); the
// session cookie counts for nothing here. The group's middleware also
// answers unknown /api/v1 addresses, so they get a JSON 404 (or 401) rather
// than the browser app's login redirect.
func (s *Server) registerAPIRoutes(e *echo.Echo) {
	e.GET("/api/v1/openapi.json", s.handleAPIOpenAPI)

	g := e.Group("/api/v1", s.requireToken)
	g.GET("/workspaces", s.handleAPIWorkspaceList)
	g.POST("/workspaces", s.handleAPIWorkspaceCreate)
	g.GET("/workspaces/:slug", s.handleAPIWorkspaceGet)
	g.DELETE("/workspaces/:slug", s.handleAPIWorkspaceDelete)

	g.GET("/workspaces/:slug/model", s.handleAPIModelGet)
	g.PUT("/workspaces/:slug/model", s.handleAPIModelPut)
	g.PATCH("/workspaces/:slug/model", s.handleAPIModelPatch)
	g.GET("/workspaces/:slug/findings", s.handleAPIFindings)
	g.POST("/workspaces/:slug/simulate", s.handleAPISimulate)
	g.GET("/workspaces/:slug/diagram.svg", s.handleAPIDiagram(diagram.FormatSVG))
	g.GET("/workspaces/:slug/diagram.dot", s.handleAPIDiagram(diagram.FormatLaidOutDOT))

	g.GET("/workspaces/:slug/revisions", s.handleAPIRevisionList)
	g.GET("/workspaces/:slug/revisions/:rev/model", s.handleAPIRevisionModel)
	g.POST("/workspaces/:slug/revisions/:rev/restore", s.handleAPIRevisionRestore)
	g.GET("/workspaces/:slug/diff", s.handleAPIDiff)

	g.GET("/workspaces/:slug/shares", s.handleAPIShareList)
	g.POST("/workspaces/:slug/shares", s.handleAPIShareCreate)
	g.DELETE("/workspaces/:slug/shares/:id", s.handleAPIShareDelete)

	registerEntityRoutes(g, entityAPI[topology.Service, store.ServiceRecord]{
		db: s.db, plural: "services",
		list: s.db.ListServicesPage, get: s.db.GetService,
		create: s.db.CreateService, update: s.db.UpdateService, remove: s.db.DeleteService,
		id:    func(r *store.ServiceRecord) int64 { return r.ID },
		value: func(r *store.ServiceRecord) topology.Service { return r.Service },
	})
	registerEntityRoutes(g, entityAPI[topology.Server, store.ServerRecord]{
		db: s.db, plural: "servers",
		list: s.db.ListServersPage, get: s.db.GetServer,
		create: s.db.CreateServer, update: s.db.UpdateServer, remove: s.db.DeleteServer,
		id:    func(r *store.ServerRecord) int64 { return r.ID },
		value: func(r *store.ServerRecord) topology.Server { return r.Server },
	})
	registerEntityRoutes(g, entityAPI[topology.Placement, store.PlacementRecord]{
		db: s.db, plural: "placements",
		list: s.db.ListPlacementsPage, get: s.db.GetPlacement,
		create: s.db.CreatePlacement, update: s.db.UpdatePlacement, remove: s.db.DeletePlacement,
		id:    func(r *store.PlacementRecord) int64 { return r.ID },
		value: func(r *store.PlacementRecord) topology.Placement { return r.Placement },
	})
	registerEntityRoutes(g, entityAPI[topology.Dependency, store.DependencyRecord]{
		db: s.db, plural: "dependencies",
		list: s.db.ListDependenciesPage, get: s.db.GetDependency,
		create: s.db.CreateDependency, update: s.db.UpdateDependency, remove: s.db.DeleteDependency,
		id:    func(r *store.DependencyRecord) int64 { return r.ID },
		value: func(r *store.DependencyRecord) topology.Dependency { return r.Dependency },
	})
}
