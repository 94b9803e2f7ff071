package server

import (
	"fmt"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/diagram"
	"github.com/archmap/archmap/store"
)

// Cache keys, all built here from identifiers that are never reused and
// from parsed, canonical options — never from a raw query string, so that
// `?view=` and no view are one entry, and an option forgotten in a key
// cannot serve another diagram. Each cache takes one key type, made only by
// these functions.
//
// Every key starts with its workspace's scope, "w<id>:", so that deleting a
// workspace drops everything cached for it at once (forgetWorkspace).
// Workspace ids are never reused (AUTOINCREMENT), so a key can never name
// another object, even one created after a delete.
type (
	// snapshotKey names one revision of one workspace's model with its
	// analysis (the snapshot cache).
	snapshotKey string
	// answerKey names one answer drawn from a snapshot: a diagram, the
	// findings, a page, a remembered timeout (the response cache and the
	// layout memory).
	answerKey string
)

// workspaceScope is the prefix of every cache key of one workspace.
func workspaceScope(id int64) string { return fmt.Sprintf("w%d:", id) }

// workspaceKey names a revision of a workspace's model. Keys carry the UTC
// day too: an accepted risk lapses after its expiry date, so the findings
// (and every answer drawn from them) of one revision can change at midnight.
func workspaceKey(ws *store.Workspace, revision int64) snapshotKey {
	return snapshotKey(fmt.Sprintf("%sr%d:%s", workspaceScope(ws.ID), revision, analysisDay()))
}

// analysisDay is the UTC day findings are computed for.
func analysisDay() string { return time.Now().UTC().Format(time.DateOnly) }

// pinnedKey names the frozen copy a pinned link shows: one per pinned
// revision of a workspace, shared by every link that pins it.
func pinnedKey(sh *store.Share) snapshotKey {
	return snapshotKey(fmt.Sprintf("%spin%d:%s", workspaceScope(sh.WorkspaceID), sh.PinnedRevision, analysisDay()))
}

// shareKey is the key of the snapshot a resolved share link shows.
func shareKey(l *store.SharedLink) snapshotKey {
	if l.Pinned() {
		return pinnedKey(l.Share)
	}
	return workspaceKey(l.Workspace, l.Revision)
}

// compareKey names the drawing of two revisions compared (the History
// tab); revisions never change, so neither does it.
func compareKey(ws *store.Workspace, from, to int64) snapshotKey {
	return snapshotKey(workspaceScope(ws.ID) + "compare:" + strconv.FormatInt(from, 10) + ":" + strconv.FormatInt(to, 10))
}

// diagramKey names one export of one model snapshot: the format and the
// options' canonical key.
func diagramKey(sk snapshotKey, opts diagram.Options, f diagram.Format) answerKey {
	return answerKey(string(sk) + ":" + f.Name + ":" + opts.Key())
}

// findingsKey names the findings JSON of a snapshot.
func findingsKey(sk snapshotKey) answerKey { return answerKey(string(sk) + ":findings") }

// layoutKey names one layout of a snapshot, for the layout memory.
func layoutKey(sk snapshotKey, o diagram.Options) answerKey {
	return answerKey(string(sk) + ":layout:" + o.Key())
}

// pageKey names one HTML answer of a kind ("fragment", "sharepage",
// "compare") for one snapshot: the address (its links repeat it) and the
// request's diagram options, canonical.
func pageKey(kind string, sk snapshotKey, c echo.Context) answerKey {
	return pageKeyOf(kind, sk, c.Request().URL.Path, viewOptionsKey(c))
}

// pageKeyOf is pageKey of the address path and the options' key, for an
// answer made without a request (the layouts after a write, prewarm.go).
func pageKeyOf(kind string, sk snapshotKey, path, optionsKey string) answerKey {
	return answerKey(fmt.Sprintf("%s:%s:%q:%s", sk, kind, path, optionsKey))
}

// viewOptionsKey is the canonical key of the request's diagram options.
// Options that do not parse never render, so nothing is stored under
// "invalid".
func viewOptionsKey(c echo.Context) string {
	o, err := diagram.ParseQuery(c.QueryParams())
	if err != nil {
		return "invalid"
	}
	return o.Key()
}
