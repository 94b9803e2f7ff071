package server

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/diagram"
	"github.com/archmap/archmap/topology"
)

// handleAPIDiagram serves the diagram as a file of format f (the standalone
// SVG, or the DOT it is laid out from), with the options of the diagram
// page: view, focus, depth, group, team. Every bad option is a 400, a
// focus on a missing service or a missing team too: for the API it is a bad
// parameter, not a missing resource.
func (s *Server) handleAPIDiagram(f diagram.Format) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx := c.Request().Context()
		opts, err := diagram.ParseQuery(c.QueryParams())
		if err != nil {
			return err
		}
		// A diagram is a function of the model's revision and the options:
		// look it up before loading, analysing and drawing the model, which
		// cost far more than the layout cache saves.
		head, err := s.db.GetWorkspace(ctx, c.Param("slug"))
		if err != nil {
			return err
		}
		if b, ok := s.responses.get(diagramKey(workspaceKey(head, head.Revision), opts, f)); ok {
			return writeDiagram(c, b, f, head.Revision)
		}
		if f.LaysOut() {
			if err := s.knownTimeout(workspaceKey(head, head.Revision), c); err != nil {
				return err
			}
		}
		sn, err := s.snapshotOf(ctx, head)
		if err != nil {
			return err
		}
		if err := opts.CheckModel(sn.model); err != nil {
			// "focus: …" or "team: …", whichever names nothing.
			param := "team"
			if (diagram.Options{Focus: opts.Focus}).CheckModel(sn.model) != nil {
				param = "focus"
			}
			return topology.Errorf(topology.EINVALID, "%s: %s", param, topology.ErrorMessage(err))
		}
		return s.serveDiagram(c, sn, opts, f)
	}
}

// exporter draws this server's diagrams: the DOT under the bound on heavy
// work, the layout in the renderer's worker processes, refused at once when
// the same layout of the same revision timed out before (layouts).
func (s *Server) exporter(sk snapshotKey, opts diagram.Options) diagram.Exporter {
	return diagram.Exporter{
		Layout: rememberedLayout{r: s.renderer, lm: s.layouts, key: layoutKey(sk, opts)},
		Admit:  s.heavy.enter,
	}
}

// rememberedLayout is the renderer behind the memory of layouts that timed
// out: one that did would only time out again, so it is refused at once
// instead of holding a worker.
type rememberedLayout struct {
	r   *diagram.Renderer
	lm  *layoutMemory
	key answerKey
}

func (l rememberedLayout) Render(ctx context.Context, dot []byte, output string) ([]byte, error) {
	if err := l.lm.check(l.key); err != nil {
		return nil, err
	}
	out, err := l.r.Render(ctx, dot, output)
	if err != nil {
		l.lm.remember(l.key, err)
	}
	return out, err
}

// serveDiagram answers with the diagram as a file of format f — the same
// bytes `archmap render` writes — tagged with the revision of the model it
// shows, and keeps it for the next request for the same revision and
// options. Every diagram download (workspace, API, share link) ends here.
func (s *Server) serveDiagram(c echo.Context, sn *snapshot, opts diagram.Options, f diagram.Format) error {
	// Keyed by the revision that was loaded, so a write in between
	// cannot file newer output under an older revision; built once
	// however many ask at once.
	b, err := s.responses.load(diagramKey(sn.key, opts, f), func() ([]byte, error) {
		// Serves every waiter: the first one leaving must not cancel it.
		file, err := s.exporter(sn.key, opts).Export(context.WithoutCancel(c.Request().Context()), sn.model, sn.report.Findings, opts, f)
		if err != nil {
			return nil, err
		}
		return file.Bytes, nil
	})
	if err != nil {
		return err
	}
	return writeDiagram(c, b, f, sn.revision)
}

func writeDiagram(c echo.Context, b *cachedBody, f diagram.Format, revision int64) error {
	setETag(c, revision)
	return writeCached(c, http.StatusOK, f.ContentType, b)
}
