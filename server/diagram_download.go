package server

import (
	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/diagram"
)

// handleDiagramDownload serves the diagram as a file: the standalone SVG
// (opens in any browser or editor) or its DOT source, as the API and
// `archmap render` give it.
func (s *Server) handleDiagramDownload(f diagram.Format) echo.HandlerFunc {
	return func(c echo.Context) error {
		sn, err := s.workspaceSnapshot(c.Request().Context(), c.Param("slug"))
		if err != nil {
			return err
		}
		opts, err := diagramOptions(c, sn.model)
		if err != nil {
			return err
		}
		attachment(c, opts.Filename(sn.workspace.Slug, f))
		return s.serveDiagram(c, sn, opts, f)
	}
}
