package server

import (
	"context"
	"fmt"
	"os"
	"sync"
	"time"
)

// nodeName names this process among the nodes sharing the database, in the
// leases it holds: host and process id.
var nodeName = func() string {
	host, err := os.Hostname()
	if err != nil {
		host = "unknown"
	}
	return fmt.Sprintf("%s:%d", host, os.Getpid())
}()

// SessionPurgeInterval is how often a running server deletes expired
// sessions. An expired session already opens nothing (the lookup checks its
// expiry); the purge keeps the table from growing with every sign-in for as
// long as the database lives.
const SessionPurgeInterval = time.Hour

// StartHousekeeping runs the server's periodic chores — today the purge of
// expired sessions, once at start and then every interval — until ctx ends
// or the returned stop is called. stop waits for a purge in progress, so
// calling it before closing the database leaves no query behind.
func (s *Server) StartHousekeeping(ctx context.Context, interval time.Duration) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			s.purgeExpiredSessions(ctx, interval)
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return func() {
		cancel()
		wg.Wait()
	}
}

// purgeExpiredSessions purges on one node of those sharing the database:
// each node ticks, and the one that takes the purge's lease in the database
// purges for the period. The lease is a tenth shorter than the interval, so
// that a node's own next tick, a little early or late, finds it expired
// and one purge a period goes on whichever nodes are alive.
func (s *Server) purgeExpiredSessions(ctx context.Context, interval time.Duration) {
	_, n, err := s.db.DeleteExpiredSessionsOnce(ctx, nodeName, interval-interval/10)
	switch {
	case err != nil && ctx.Err() == nil:
		// The next tick tries again; nothing is lost meanwhile.
		s.log.Warn("could not purge expired sessions", "err", err)
	case n > 0:
		s.log.Info("purged expired sessions", "count", n)
	}
}
