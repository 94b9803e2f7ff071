package server

import (
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/diagram"
	"github.com/archmap/archmap/topology"
)

// layoutMemory remembers the layouts that ran past the renderer's time
// limit, by model snapshot and view options. A revision never changes, so
// the same layout would only time out again — holding a worker for the
// whole limit each time someone reloads the page or follows a share link.
// Instead the same request is answered at once with the same message.
type layoutMemory struct {
	failed *lru[string] // layoutKey → the message of the timeout
}

// layoutMemoryEntries bounds the memory: an entry is a key and a sentence.
const layoutMemoryEntries = 10_000

func newLayoutMemory() *layoutMemory {
	return &layoutMemory{failed: newLRU(layoutMemoryEntries, func(string) int { return 1 })}
}

// layoutKey names one layout: a snapshot's key (its workspace's scope
// first, so that forgetWorkspace drops it) and the parsed options.
func layoutKey(snapshotKey string, o diagram.Options) string {
	return snapshotKey + ":layout:" + o.Key()
}

// check returns the remembered timeout of this layout, if any.
func (lm *layoutMemory) check(key string) error {
	msg, ok := lm.failed.get(key)
	if !ok {
		return nil
	}
	return topology.Errorf(topology.ETIMEOUT, "%s", msg)
}

// remember files err under key when it is a timeout.
func (lm *layoutMemory) remember(key string, err error) {
	if topology.ErrorCode(err) != topology.ETIMEOUT {
		return
	}
	// The renderer's sentence says the limit, then "try a focus…"; the
	// way forward is said here in full.
	what, _, _ := strings.Cut(topology.ErrorMessage(err), ";")
	lm.failed.add(key, sentence(what)+" It is not tried again until the model changes: focus on one service, or group the services by team, to draw a smaller diagram.")
}

// knownTimeout is the remembered timeout of the layout the request asks
// for, checked before the model is loaded: a model too big to lay out in
// time is also one whose loading costs most. Options that do not parse
// were never remembered.
func (s *Server) knownTimeout(snapshotKey string, c echo.Context) error {
	opts, err := diagram.ParseQuery(c.QueryParams())
	if err != nil {
		return nil
	}
	return s.layouts.check(layoutKey(snapshotKey, opts))
}
