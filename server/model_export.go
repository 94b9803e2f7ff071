package server

import (
	"mime"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/topology"
)

// handleModelExport downloads the workspace's model as YAML or JSON, in the
// canonical form `archmap export` writes.
func (s *Server) handleModelExport(format string) echo.HandlerFunc {
	return func(c echo.Context) error {
		m, ws, err := s.db.LoadModel(c.Request().Context(), c.Param("slug"))
		if err != nil {
			return err
		}
		var (
			data  []byte
			ctype string
		)
		switch format {
		case "json":
			data, err = topology.EncodeJSON(m)
			ctype = "application/json"
		default:
			data, err = topology.EncodeYAML(m)
			ctype = "application/yaml"
		}
		if err != nil {
			return err
		}
		attachment(c, ws.Slug+"."+format)
		c.Response().Header().Set("ETag", `"`+itoa(ws.Revision)+`"`)
		return c.Blob(http.StatusOK, ctype+"; charset=utf-8", data)
	}
}

// attachment makes the response a download named filename.
func attachment(c echo.Context, filename string) {
	c.Response().Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": filename}))
}
