package server

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/diagram"
	"github.com/archmap/archmap/views"
)

// Layout after each write: once a request has changed a workspace's model,
// its default views (the diagram tab's services and deployment views) are
// laid out in the background, so that the first look at the new revision
// finds its diagram cached instead of waiting for Graphviz.
//
// The work never competes with people: it runs one workspace at a time, at
// low priority (diagram.WithLowPriority: at most the renderer's low-priority
// workers and the low slots of the heavy-work admission), from a bounded
// queue that holds each workspace once; a write that comes while its
// workspace is being laid out queues it again and the older revision's
// remaining views are dropped.

// warmViews are the views laid out after a write: what the diagram tab
// shows first, and its other tab.
var warmViews = []diagram.Options{{View: diagram.ViewServices}, {View: diagram.ViewDeployment}}

// maxWarmQueue bounds the workspaces waiting for their layouts; past it a
// write's layouts are not queued (its first view lays out on demand).
const maxWarmQueue = 64

// maxWarmServices bounds the models laid out after a write: building the
// DOT of tens of thousands of services takes hundreds of megabytes, too
// much to spend on every edit of a model nobody may look at. Past it the
// diagram lays out when asked for, as before.
const maxWarmServices = 3000

type layoutWarmer struct {
	mu      sync.Mutex
	queue   []string        // slugs in the order written
	queued  map[string]bool // slugs in queue
	running bool            // a goroutine drains the queue

	warmed, dropped, skipped atomic.Int64
	// done, set by tests before any request, learns each workspace
	// revision laid out (or given up: ok false).
	done func(slug string, rev int64, ok bool)
}

func newLayoutWarmer() *layoutWarmer { return &layoutWarmer{queued: map[string]bool{}} }

// layoutAfterWrite queues the workspace of a request that changed it
// (method other than GET or HEAD, answered without error) for layout.
func (s *Server) layoutAfterWrite(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		err := next(c)
		m := c.Request().Method
		if err != nil || m == http.MethodGet || m == http.MethodHead || c.Response().Status >= 400 ||
			strings.HasSuffix(c.Path(), "/simulate") { // a POST that reads
			return err
		}
		if slug := c.Param("slug"); slug != "" {
			s.warmLayouts(slug)
		}
		return nil
	}
}

// warmLayouts queues slug's default views for layout and starts the
// goroutine that drains the queue when none runs. No goroutine lives on
// while the queue is empty.
func (s *Server) warmLayouts(slug string) {
	w := s.warmer
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.queued[slug] {
		return
	}
	if len(w.queue) >= maxWarmQueue {
		w.skipped.Add(1)
		return
	}
	w.queue = append(w.queue, slug)
	w.queued[slug] = true
	if !w.running {
		w.running = true
		go s.drainWarmQueue()
	}
}

func (s *Server) drainWarmQueue() {
	w := s.warmer
	for {
		w.mu.Lock()
		if len(w.queue) == 0 {
			w.running = false
			w.mu.Unlock()
			return
		}
		slug := w.queue[0]
		w.queue = w.queue[1:]
		delete(w.queued, slug)
		w.mu.Unlock()
		rev, ok := s.warmWorkspace(slug)
		if w.done != nil {
			w.done(slug, rev, ok)
		}
	}
}

// requeued is true when slug was written again since it left the queue:
// the revision being laid out is no longer the one anybody will look at.
func (w *layoutWarmer) requeued(slug string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.queued[slug]
}

// warmWorkspace lays out the default views of slug's current revision into
// the response cache under the keys the diagram tab asks for. It returns
// the revision and whether every view was laid out.
func (s *Server) warmWorkspace(slug string) (int64, bool) {
	w := s.warmer
	ctx := diagram.WithLowPriority(context.Background())
	head, err := s.db.GetWorkspace(ctx, slug)
	if err != nil {
		return 0, false // deleted meanwhile
	}
	sn, err := s.snapshotOf(ctx, head)
	if err != nil || len(sn.model.Services) == 0 || len(sn.model.Services) > maxWarmServices {
		return head.Revision, false
	}
	base := views.WorkspaceURL(slug)
	for _, opts := range warmViews {
		if w.requeued(slug) {
			w.dropped.Add(1)
			return sn.revision, false
		}
		opts, _ = opts.Normalize()
		key := pageKeyOf("fragment", sn.key, base+"/diagram/fragment", opts.Key())
		if _, ok := s.responses.bodies.Get(key); ok {
			continue // a request was quicker (or the write changed no model)
		}
		_, err := s.responses.load(key, func() ([]byte, error) {
			frag, err := s.diagramFragment(ctx, sn, opts, base)
			if err != nil {
				return nil, err
			}
			var buf bytes.Buffer
			if err := frag.Render(ctx, &buf); err != nil {
				return nil, err
			}
			return buf.Bytes(), nil
		})
		if err != nil {
			// Too slow or the renderer busy: the view lays out on demand,
			// and the layout memory already knows a timeout.
			s.log.Info("background layout", "workspace", slug, "view", opts.View, "err", err)
			return sn.revision, false
		}
	}
	w.warmed.Add(1)
	return sn.revision, true
}
