package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/diagram"
	"github.com/archmap/archmap/views"
)

// handleDiagramDownload serves the diagram as a file: the SVG (standalone,
// opens in any browser or editor) or its DOT source.
func (s *Server) handleDiagramDownload(format string) echo.HandlerFunc {
	return func(c echo.Context) error {
		sn, err := s.workspaceSnapshot(c.Request().Context(), c.Param("slug"))
		if err != nil {
			return err
		}
		m, ws := sn.model, sn.workspace
		opts, err := diagramOptions(c, m)
		if err != nil {
			return err
		}
		_, out, err := s.renderDiagram(c.Request().Context(), sn, opts, format)
		if err != nil {
			return err
		}
		ctype := "text/vnd.graphviz; charset=utf-8"
		if format == diagram.FormatSVG {
			ctype = "image/svg+xml"
			// The file must open on its own: its stylesheet inside, a title,
			// nothing that reaches out (as `archmap render` writes it).
			if out, err = diagram.Standalone(out, m.Name+" — "+opts.View); err != nil {
				return err
			}
		}
		attachment(c, diagramFilename(ws.Slug, opts, format))
		return c.Blob(http.StatusOK, ctype, out)
	}
}

func diagramFilename(slug string, o views.DiagramOptions, ext string) string {
	name := slug + "-" + o.View
	if o.Group != "" {
		name += "-by-" + o.Group
	}
	return name + "." + ext
}
