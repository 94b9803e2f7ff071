package server

import (
	"database/sql"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Prometheus metrics of one server. Requests are labelled by their route
// pattern ("/w/:slug/diagram"), never by the path: a label per workspace
// slug or share token would leak them to whoever reads the metrics and let
// anyone grow the series without bound.
type metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// registerMetrics registers the server's metrics on reg: requests and their
// latency by route, the heavy-work queue, the diagram renderer, and the
// database pools.
func (s *Server) registerMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "archmap_http_requests_total",
			Help: "HTTP requests answered, by method, route pattern and status code.",
		}, []string{"method", "route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "archmap_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by method and route pattern.",
			Buckets: []float64{.001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"method", "route"}),
	}
	cs := []prometheus.Collector{
		m.requests, m.duration,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "archmap_heavy_work_in_progress",
			Help: "Model loads and diagram builds running now (bounded by the number of CPUs; more wait in line).",
		}, func() float64 { return float64(len(s.heavy.slots)) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "archmap_render_layouts_total",
			Help: "Diagram layouts done by the Graphviz workers.",
		}, func() float64 { return float64(s.renderer.Stats().Renders) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "archmap_render_cache_hits_total",
			Help: "Diagram layouts answered from the renderer's cache.",
		}, func() float64 { return float64(s.renderer.Stats().CacheHits) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "archmap_render_timeouts_total",
			Help: "Diagram layouts stopped at the time limit.",
		}, func() float64 { return float64(s.renderer.Stats().Timeouts) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "archmap_render_rejected_total",
			Help: "Diagram layouts refused because the render queue was full.",
		}, func() float64 { return float64(s.renderer.Stats().Rejected) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "archmap_layouts_after_write_total",
			Help: "Workspace revisions whose default views were laid out in the background after a write.",
		}, func() float64 { return float64(s.warmer.warmed.Load()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "archmap_layouts_after_write_dropped_total",
			Help: "Background layouts given up because a newer revision came, or not queued because the queue was full.",
		}, func() float64 { return float64(s.warmer.dropped.Load() + s.warmer.skipped.Load()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "archmap_response_cache_hits_total",
			Help: "Answers (diagram fragments, downloads, share pages, findings) served from the response cache.",
		}, func() float64 { return float64(s.responses.hits.Load()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "archmap_snapshot_loads_total",
			Help: "Models loaded and analysed (each revision once while it stays cached).",
		}, func() float64 { return float64(s.snapshots.loaded.Load()) }),
	}
	read, write := s.db.Pools()
	cs = append(cs, dbStats(read, "read"), dbStats(write, "write"))
	for _, c := range cs {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func dbStats(db *sql.DB, pool string) prometheus.Collector {
	return prometheus.WrapCollectorWith(prometheus.Labels{"pool": pool}, collectors.NewDBStatsCollector(db, "archmap"))
}

// observe counts and times one answered request. The request log calls
// it, where the status sent (errors included) and the matched route are
// known; requests that matched no route share one label.
func (m *metrics) observe(method, route string, status int, took time.Duration) {
	if route == "" || route == "/*" {
		route = "unmatched"
	}
	m.requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(method, route).Observe(took.Seconds())
}
