package server

import (
	"mime"
	"net/http"
	"path"

	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/static"
)

// handleStatic serves the embedded assets under their content-hashed names.
// A name changes whenever its content does, so the answer can be cached
// forever.
func (s *Server) handleStatic(c echo.Context) error {
	a, ok := static.Lookup(c.Param("*"))
	if !ok {
		return echo.ErrNotFound
	}
	h := c.Response().Header()
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	ctype := mime.TypeByExtension(path.Ext(a.Name))
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	return c.Blob(http.StatusOK, ctype, a.Content)
}

// handleLive answers 200 while the process serves requests at all: the
// liveness probe, which restarts a node only when it is wedged.
func (s *Server) handleLive(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// handleReady answers 200 when the node can serve: the database answers and
// its schema is migrated; else 503, and the load balancer sends traffic to
// other nodes.
func (s *Server) handleReady(c echo.Context) error {
	if err := s.db.Ready(c.Request().Context()); err != nil {
		s.log.Error("readiness check failed", "err", err)
		return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// handleHealth answers 200 while the database answers a query, else 503.
func (s *Server) handleHealth(c echo.Context) error {
	if err := s.db.Ping(c.Request().Context()); err != nil {
		s.log.Error("health check failed", "err", err)
		return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}
