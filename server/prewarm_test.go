package server

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestLayoutAfterWrite: after an edit in the app (and an API write), the
// default views of the new revision are laid out in the background, so the
// first diagram request of each is answered from the cache: a response
// cache hit, and no layout by the renderer.
func TestLayoutAfterWrite(t *testing.T) {
	ts := newTestServer(t)
	type warm struct {
		rev int64
		ok  bool
	}
	done := make(chan warm, 16)
	ts.srv.warmer.done = func(_ string, rev int64, ok bool) { done <- warm{rev, ok} }
	wait := func(rev int64) {
		t.Helper()
		timeout := time.After(30 * time.Second)
		for {
			select {
			case w := <-done:
				if w.rev == rev && w.ok {
					return
				}
			case <-timeout:
				t.Fatalf("revision %d was not laid out in the background", rev)
			}
		}
	}
	head := func(slug string) int64 {
		ws, err := ts.db.GetWorkspace(context.Background(), slug)
		if err != nil {
			t.Fatal(err)
		}
		return ws.Revision
	}
	c := ts.signedIn(t)
	slug := c.importShop(t, "Shop")
	wait(head(slug))

	r := c.htmx("/w/"+slug+"/services", url.Values{"name": {"fresh-service"}, "revision": {itoa(head(slug))}})
	r.wantStatus(t, http.StatusOK)
	rev := head(slug)
	wait(rev)
	hits, layouts := ts.srv.responses.hits.Load(), ts.srv.renderer.Stats().Renders
	for _, view := range []string{"services", "deployment"} {
		p := c.get("/w/" + slug + "/diagram/fragment?view=" + view)
		p.wantStatus(t, http.StatusOK)
		if !strings.Contains(p.body, "fresh-service") {
			t.Errorf("%s: the fragment does not show the new service", view)
		}
	}
	if got := ts.srv.responses.hits.Load() - hits; got != 2 {
		t.Errorf("%d of the 2 first diagram requests after the write were cache hits", got)
	}
	if got := ts.srv.renderer.Stats().Renders - layouts; got != 0 {
		t.Errorf("the first diagram requests after the write took %d layouts", got)
	}

	// A refused write (a stale revision) and reads queue nothing.
	c.htmx("/w/"+slug+"/services", url.Values{"name": {"late"}, "revision": {"1"}})
	c.get("/w/" + slug + "/diagram")
	c.htmx("/w/"+slug+"/simulate", url.Values{"fail": {"server:app-1"}})
	select {
	case w := <-done:
		t.Errorf("revision %d laid out again after no write", w.rev)
	case <-time.After(300 * time.Millisecond):
	}

	// A write queued again while its workspace is laid out drops the rest
	// of the older revision's views.
	w := ts.srv.warmer
	w.mu.Lock()
	w.queued[slug] = true // as a newer write would
	w.mu.Unlock()
	dropped := w.dropped.Load()
	if _, ok := ts.srv.warmWorkspace(slug); ok || w.dropped.Load() != dropped+1 {
		t.Errorf("a requeued workspace was laid out to the end (dropped %d → %d)", dropped, w.dropped.Load())
	}
	w.mu.Lock()
	delete(w.queued, slug)
	w.mu.Unlock()
}

// The queue holds each workspace once and at most maxWarmQueue of them.
func TestLayoutQueueBounded(t *testing.T) {
	ts := newTestServer(t)
	w := ts.srv.warmer
	w.mu.Lock()
	w.running = true // no goroutine drains it: only the queue is tested
	w.mu.Unlock()
	for i := range maxWarmQueue + 10 {
		ts.srv.warmLayouts("ws-" + itoa(int64(i%(maxWarmQueue+5))))
		ts.srv.warmLayouts("ws-0")
	}
	if len(w.queue) != maxWarmQueue || w.skipped.Load() == 0 {
		t.Errorf("queue of %d, %d skipped; want %d and some", len(w.queue), w.skipped.Load(), maxWarmQueue)
	}
}
