package server

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/diagram"
	"github.com/archmap/archmap/store"
	"github.com/archmap/archmap/topology"
	"github.com/archmap/archmap/views"
)

// handleAPIDiagram serves the diagram as SVG (standalone) or as the DOT it
// is laid out from, with the options of the diagram page: view, focus,
// depth, group. Every bad option is a 400, a focus on a missing service too:
// for the API it is a bad parameter, not a missing resource.
func (s *Server) handleAPIDiagram(format string) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx := c.Request().Context()
		// A diagram is a function of the model's revision and the options:
		// look it up before loading, analysing and drawing the model, which
		// cost far more than the layout cache saves (DESIGN §2b).
		head, err := s.db.GetWorkspace(ctx, c.Param("slug"))
		if err != nil {
			return err
		}
		if out, ok := s.renderer.Cached(diagramKey(head, c, format)); ok {
			return writeDiagram(c, out, format, head.Revision)
		}
		m, ws, err := s.db.LoadModel(ctx, c.Param("slug"))
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
		_, out, err := s.renderDiagram(ctx, m, opts, format)
		if err != nil {
			return err
		}
		// Keyed by the revision that was loaded, so a write in between
		// cannot file newer output under an older revision.
		s.renderer.Remember(diagramKey(ws, c, format), out)
		return writeDiagram(c, out, format, ws.Revision)
	}
}

// diagramKey names one rendering of one workspace's model: its identity
// (the id alone could be reused after a delete; with its creation time it
// cannot), the revision, the format and the raw diagram options. Only
// options that rendered successfully are ever stored, so raw values are safe.
func diagramKey(ws *store.Workspace, c echo.Context, format string) string {
	q := c.QueryParams()
	return fmt.Sprintf("ws:%d:%d:%d:%s:%q:%q:%q:%q", ws.ID, ws.CreatedAt.UnixNano(), ws.Revision, format,
		q.Get("view"), q.Get("focus"), q.Get("depth"), q.Get("group"))
}

// serveDiagram answers with the rendered diagram, tagged with the revision
// of the model it shows.
func (s *Server) serveDiagram(c echo.Context, m *topology.Model, opts views.DiagramOptions, format string, revision int64) error {
	_, out, err := s.renderDiagram(c.Request().Context(), m, opts, format)
	if err != nil {
		return err
	}
	return writeDiagram(c, out, format, revision)
}

func writeDiagram(c echo.Context, out []byte, format string, revision int64) error {
	ctype := "text/vnd.graphviz; charset=utf-8"
	if format == diagram.FormatSVG {
		ctype = "image/svg+xml"
	}
	setETag(c, revision)
	return c.Blob(http.StatusOK, ctype, out)
}
