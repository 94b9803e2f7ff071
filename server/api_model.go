package server

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/topology"
)

// mimeYAML is the media type of YAML answers (RFC 9512).
const mimeYAML = "application/yaml"

// handleAPIModelGet answers with the whole model, as JSON or, when the
// client accepts it, YAML, tagged with the revision it is at.
func (s *Server) handleAPIModelGet(c echo.Context) error {
	m, ws, err := s.db.LoadModel(c.Request().Context(), c.Param("slug"))
	if err != nil {
		return err
	}
	setETag(c, ws.Revision)
	c.Response().Header().Add(echo.HeaderVary, echo.HeaderAccept)
	if c.Request().Header.Get("If-None-Match") == etag(ws.Revision) {
		return c.NoContent(http.StatusNotModified)
	}
	return writeModel(c, m)
}

// writeModel answers with a model file: YAML when the client prefers it,
// else JSON.
func writeModel(c echo.Context, m *topology.Model) error {
	if wantsYAML(c) {
		b, err := topology.EncodeYAML(m)
		if err != nil {
			return err
		}
		return c.Blob(http.StatusOK, mimeYAML+"; charset=utf-8", b)
	}
	b, err := topology.EncodeJSON(m)
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, b)
}

// handleAPIModelPut replaces the whole model in one transaction. The body
// is JSON or YAML as its Content-Type says; If-Match, when given, must name
// the current revision.
func (s *Server) handleAPIModelPut(c echo.Context) error {
	expected, err := ifMatch(c)
	if err != nil {
		return err
	}
	mt := mediaType(c.Request().Header.Get(echo.HeaderContentType))
	if mt != echo.MIMEApplicationJSON && !isYAMLType(mt) {
		return echo.NewHTTPError(http.StatusUnsupportedMediaType,
			"Content-Type "+strconv.Quote(mt)+" is not accepted here; send the model as application/json or application/yaml")
	}
	data, err := topology.ReadAllBounded(c.Request().Body, topology.MaxInputSize)
	if err != nil {
		return err
	}
	// topology.Parse reads YAML and JSON alike; a body sent as JSON must
	// really be JSON, so that a client's mistake is not read as YAML.
	if mt == echo.MIMEApplicationJSON && !json.Valid(data) {
		var v any
		return jsonError(json.Unmarshal(data, &v))
	}
	m, err := topology.Parse(data)
	if err != nil {
		return err
	}
	ws, err := s.db.ReplaceModel(c.Request().Context(), c.Param("slug"), m, expected)
	if err != nil {
		return err
	}
	setETag(c, ws.Revision)
	return writeJSON(c, http.StatusOK, ws)
}
