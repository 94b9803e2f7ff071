package server

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/archmap/archmap/diagram"
	"github.com/archmap/archmap/risk"
	"github.com/archmap/archmap/store"
	"github.com/archmap/archmap/topology"
)

// A snapshot is one revision of one workspace's model with its analysis,
// loaded once and then shared, read-only, by every request that reads that
// revision: diagrams, findings, share pages, side panels. A revision never
// changes, so a snapshot never goes stale; a write makes a new revision and
// with it a new key. Nothing may modify a snapshot's model or report.
type snapshot struct {
	key       string
	workspace *store.Workspace // as read with the model (a pinned link's: as it is now)
	revision  int64            // the revision model is at
	model     *topology.Model
	report    *risk.Report
}

// Cache keys. Every key of every cache starts with its workspace's scope,
// "w<id>:", so that deleting a workspace can drop all of them at once
// (forgetWorkspace). Workspace ids are never reused (AUTOINCREMENT), so a
// key can never name another object, even one created after a delete.

// workspaceScope is the prefix of every cache key of one workspace.
func workspaceScope(id int64) string { return fmt.Sprintf("w%d:", id) }

// workspaceKey names a revision of a workspace's model. Keys carry the UTC
// day too: an accepted risk lapses after its expiry date, so the findings
// (and every answer drawn from them) of one revision can change at midnight.
func workspaceKey(ws *store.Workspace, revision int64) string {
	return fmt.Sprintf("%sr%d:%s", workspaceScope(ws.ID), revision, analysisDay())
}

// analysisDay is the UTC day findings are computed for.
func analysisDay() string { return time.Now().UTC().Format(time.DateOnly) }

// pinnedKey names the frozen copy a pinned link shows: one per pinned
// revision of a workspace, shared by every link that pins it.
func pinnedKey(sh *store.Share) string {
	return fmt.Sprintf("%spin%d:%s", workspaceScope(sh.WorkspaceID), sh.PinnedRevision, analysisDay())
}

// weight approximates a snapshot's memory by its number of entities.
func (sn *snapshot) weight() int {
	m := sn.model
	return 1 + len(m.Services) + len(m.Servers) + len(m.Placements) + len(m.Dependencies) + len(sn.report.Findings)
}

// snapshotCache keeps the most recently used snapshots, bounded by their
// total weight, and loads each missing one once however many requests ask
// for it at the same time.
type snapshotCache struct {
	admit  *admission
	kept   *lru[*snapshot]
	loads  singleflight.Group
	loaded atomic.Int64 // loads done, for tests and figures
}

// snapshotCacheWeight bounds the snapshot cache: a 10 000-service model
// weighs about 60 000.
const snapshotCacheWeight = 400_000

func newSnapshotCache(maxWeight int, admit *admission) *snapshotCache {
	return &snapshotCache{admit: admit, kept: newLRU(maxWeight, (*snapshot).weight)}
}

// get returns the snapshot filed under key, or loads it. load may return a
// newer revision than key names (a write came in between); it is filed
// under its own key and returned all the same, since it is what the
// database holds now.
func (c *snapshotCache) get(ctx context.Context, key string, load func(context.Context) (*snapshot, error)) (*snapshot, error) {
	if sn, ok := c.kept.get(key); ok {
		return sn, nil
	}
	ch := c.loads.DoChan(key, func() (any, error) {
		if sn, ok := c.kept.get(key); ok {
			return sn, nil // filed while this call was being set up
		}
		// The load is shared by every request waiting for it, so one of
		// them going away must not cancel it for the others.
		ctx := context.WithoutCancel(ctx)
		release, err := c.admit.enter(ctx)
		if err != nil {
			return nil, err
		}
		defer release()
		sn, err := load(ctx)
		if err != nil {
			return nil, err
		}
		c.loaded.Add(1)
		return c.kept.add(sn.key, sn), nil
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return nil, r.Err
		}
		return r.Val.(*snapshot), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// newSnapshot analyses m, the model of ws at revision, as the snapshot
// named key.
func newSnapshot(key string, ws *store.Workspace, revision int64, m *topology.Model) *snapshot {
	return &snapshot{key: key, workspace: ws, revision: revision, model: m, report: risk.Analyze(m)}
}

// workspaceSnapshot returns the workspace's model at its current revision.
func (s *Server) workspaceSnapshot(ctx context.Context, slug string) (*snapshot, error) {
	head, err := s.db.GetWorkspace(ctx, slug)
	if err != nil {
		return nil, err
	}
	return s.snapshotOf(ctx, head)
}

// snapshotOf returns the model of head's workspace at head's revision, or
// at a newer one if it was written since.
func (s *Server) snapshotOf(ctx context.Context, head *store.Workspace) (*snapshot, error) {
	return s.snapshots.get(ctx, workspaceKey(head, head.Revision), func(ctx context.Context) (*snapshot, error) {
		m, ws, err := s.db.LoadModel(ctx, head.Slug)
		if err != nil {
			return nil, err
		}
		return newSnapshot(workspaceKey(ws, ws.Revision), ws, ws.Revision, m), nil
	})
}

// shareKey is the key of the snapshot a resolved share link shows.
func shareKey(l *store.SharedLink) string {
	if l.Pinned() {
		return pinnedKey(l.Share)
	}
	return workspaceKey(l.Workspace, l.Revision)
}

// shareSnapshot returns the model a share link shows. A live link shares its
// snapshots with the workspace's own pages and API.
func (s *Server) shareSnapshot(ctx context.Context, l *store.SharedLink) (*snapshot, error) {
	return s.snapshots.get(ctx, shareKey(l), func(ctx context.Context) (*snapshot, error) {
		sm, err := s.db.LoadSharedModel(ctx, l)
		if err != nil {
			return nil, err
		}
		key := pinnedKey(l.Share)
		if !l.Pinned() {
			key = workspaceKey(sm.Workspace, sm.Revision)
		}
		// The workspace as read with the model: a live link's snapshot
		// serves the workspace's own pages too, which show its name.
		return newSnapshot(key, sm.Workspace, sm.Revision, sm.Model), nil
	})
}

// admission bounds the CPU-heavy work (loading and analysing a model,
// generating a diagram's DOT) running at once, so that a burst of it queues
// instead of starving every other request, /healthz included. A request
// that cannot get in within wait is refused with 503 and Retry-After.
// Low-priority work (anonymous share traffic, diagram.WithLowPriority)
// holds at most all slots but one, as with the render workers.
type admission struct {
	slots chan struct{}
	low   chan struct{}
	wait  time.Duration
}

func newAdmission(n int, wait time.Duration) *admission {
	n = max(1, n)
	return &admission{slots: make(chan struct{}, n), low: make(chan struct{}, max(1, n-1)), wait: wait}
}

// enter waits for a slot; the caller must call release when done.
func (a *admission) enter(ctx context.Context) (release func(), err error) {
	if !diagram.IsLowPriority(ctx) {
		return a.enterSlot(ctx, a.slots)
	}
	releaseLow, err := a.enterSlot(ctx, a.low)
	if err != nil {
		return nil, err
	}
	releaseSlot, err := a.enterSlot(ctx, a.slots)
	if err != nil {
		releaseLow()
		return nil, err
	}
	return func() { releaseSlot(); releaseLow() }, nil
}

func (a *admission) enterSlot(ctx context.Context, slots chan struct{}) (release func(), err error) {
	select {
	case slots <- struct{}{}:
		return func() { <-slots }, nil
	default:
	}
	t := time.NewTimer(a.wait)
	defer t.Stop()
	select {
	case slots <- struct{}{}:
		return func() { <-slots }, nil
	case <-t.C:
		return nil, topology.Errorf(topology.EUNAVAILABLE, "The server is busy with other large models; try again in a few seconds.")
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// forgetWorkspace drops everything cached for a deleted workspace: its
// snapshots (live and pinned), its cached answers and its remembered
// layout timeouts. Keys are never reused, so nothing could be served from
// them anyway; this gives their memory back at once.
func (s *Server) forgetWorkspace(id int64) {
	scope := workspaceScope(id)
	s.snapshots.kept.dropPrefix(scope)
	s.responses.bodies.dropPrefix(scope)
	s.layouts.failed.dropPrefix(scope)
}
