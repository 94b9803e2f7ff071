package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/diagram"
	"github.com/archmap/archmap/topology"
	"github.com/archmap/archmap/views"
)

// handleAPIDiagram serves the diagram as SVG (standalone) or as the DOT it
// is laid out from, with the options of the diagram page: view, focus,
// depth, group. Every bad option is a 400, a focus on a missing service too:
// for the API it is a bad parameter, not a missing resource.
func (s *Server) handleAPIDiagram(format string) echo.HandlerFunc {
	return func(c echo.Context) error {
		m, ws, err := s.db.LoadModel(c.Request().Context(), c.Param("slug"))
		if err != nil {
			return err
		}
		opts, err := diagramOptions(c, m)
		if topology.ErrorCode(err) == topology.ENOTFOUND {
			return topology.Errorf(topology.EINVALID, "focus: %s", topology.ErrorMessage(err))
		}
		if err != nil {
			return err
		}
		return s.serveDiagram(c, m, opts, format, ws.Revision)
	}
}

// serveDiagram answers with the rendered diagram, tagged with the revision
// of the model it shows.
func (s *Server) serveDiagram(c echo.Context, m *topology.Model, opts views.DiagramOptions, format string, revision int64) error {
	_, out, err := s.renderDiagram(c.Request().Context(), m, opts, format)
	if err != nil {
		return err
	}
	ctype := "text/vnd.graphviz; charset=utf-8"
	if format == diagram.FormatSVG {
		ctype = "image/svg+xml"
	}
	setETag(c, revision)
	return c.Blob(http.StatusOK, ctype, out)
}
