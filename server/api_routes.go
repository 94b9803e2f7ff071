package server

import (
	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/store"
	"github.com/archmap/archmap/topology"
)

// registerEntityAPIs declares the entity-by-entity routes of the API
// (list, create, get, put, patch, delete of each kind) on the API group.
func (s *Server) registerEntityAPIs(g *echo.Group) {
	registerEntityRoutes(g, entityAPI[topology.Service, store.ServiceRecord]{
		db: s.db, plural: "services",
		entities: s.db.Services(),
		id:       func(r *store.ServiceRecord) int64 { return r.ID },
		value:    func(r *store.ServiceRecord) topology.Service { return r.Service },
	})
	registerEntityRoutes(g, entityAPI[topology.Server, store.ServerRecord]{
		db: s.db, plural: "servers",
		entities: s.db.Servers(),
		id:       func(r *store.ServerRecord) int64 { return r.ID },
		value:    func(r *store.ServerRecord) topology.Server { return r.Server },
	})
	registerEntityRoutes(g, entityAPI[topology.Placement, store.PlacementRecord]{
		db: s.db, plural: "placements",
		entities: s.db.Placements(),
		id:       func(r *store.PlacementRecord) int64 { return r.ID },
		value:    func(r *store.PlacementRecord) topology.Placement { return r.Placement },
	})
	registerEntityRoutes(g, entityAPI[topology.Dependency, store.DependencyRecord]{
		db: s.db, plural: "dependencies",
		entities: s.db.Dependencies(),
		id:       func(r *store.DependencyRecord) int64 { return r.ID },
		value:    func(r *store.DependencyRecord) topology.Dependency { return r.Dependency },
	})
}
