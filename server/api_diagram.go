package server

import (
	"context"
	"fmt"
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
		ctx := c.Request().Context()
		// A diagram is a function of the model's revision and the options:
		// look it up before loading, analysing and drawing the model, which
		// cost far more than the layout cache saves.
		head, err := s.db.GetWorkspace(ctx, c.Param("slug"))
		if err != nil {
			return err
		}
		if b, ok := s.responses.get(diagramKey(workspaceKey(head, head.Revision), c, format)); ok {
			return writeDiagram(c, b, format, head.Revision)
		}
		if format != diagram.FormatLaidOutDOT {
			if err := s.knownTimeout(workspaceKey(head, head.Revision), c); err != nil {
				return err
			}
		}
		sn, err := s.snapshotOf(ctx, head)
		if err != nil {
			return err
		}
		opts, err := diagramOptions(c, sn.model)
		if topology.ErrorCode(err) == topology.ENOTFOUND {
			return topology.Errorf(topology.EINVALID, "focus: %s", topology.ErrorMessage(err))
		}
		if err != nil {
			return err
		}
		return s.serveDiagram(c, sn, opts, format)
	}
}

// diagramKey names one rendering of one model snapshot: the snapshot's key
// (workspace, revision), the format and the raw diagram options. Only
// options that rendered successfully are ever stored, so raw values are safe.
func diagramKey(snapshotKey string, c echo.Context, format string) string {
	return snapshotKey + ":" + format + ":" + viewOptionsKey(c)
}

// viewOptionsKey is the part of a cache key that the diagram options of the
// query string make, raw.
func viewOptionsKey(c echo.Context) string {
	q := c.QueryParams()
	return fmt.Sprintf("%q:%q:%q:%q", q.Get("view"), q.Get("focus"), q.Get("depth"), q.Get("group"))
}

// serveDiagram answers with the rendered diagram, tagged with the revision
// of the model it shows, and keeps it for the next request for the same
// revision and options.
func (s *Server) serveDiagram(c echo.Context, sn *snapshot, opts views.DiagramOptions, format string) error {
	// Keyed by the revision that was loaded, so a write in between
	// cannot file newer output under an older revision; built once
	// however many ask at once.
	b, err := s.responses.load(diagramKey(sn.key, c, format), func() ([]byte, error) {
		// Serves every waiter: the first one leaving must not cancel it.
		_, out, err := s.renderDiagram(context.WithoutCancel(c.Request().Context()), sn, opts, format)
		return out, err
	})
	if err != nil {
		return err
	}
	return writeDiagram(c, b, format, sn.revision)
}

func writeDiagram(c echo.Context, b *cachedBody, format string, revision int64) error {
	ctype := "text/vnd.graphviz; charset=utf-8"
	if format == diagram.FormatSVG {
		ctype = "image/svg+xml"
	}
	setETag(c, revision)
	return writeCached(c, http.StatusOK, ctype, b)
}
