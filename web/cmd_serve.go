package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/archmap/archmap/diagram"
	"github.com/archmap/archmap/server"
	"github.com/archmap/archmap/store"
	"github.com/archmap/archmap/topology"
)

func init() {
	register(&command{name: "serve", summary: "serve the web app and the JSON API (the default)", run: runServe})
}

type serveConfig struct {
	addr          string
	db            *dbFlags
	metricsAddr   string
	logFormat     string
	noDemo        bool
	secureCookies bool
	baseURL       string
	trustProxy    bool
	// trustedProxies is --trusted-proxies: comma-separated CIDRs.
	trustedProxies string
	// embedOrigins is --embed-origins: origins that may frame embedded
	// share pages, separated by spaces or commas.
	embedOrigins  string
	renderWorkers int
	renderTimeout time.Duration
	oidc          oidcFlags
	// passwordSignIn is --password-signin: on or off.
	passwordSignIn string
	// ready, when set, learns the address actually listened on (tests use :0).
	ready func(addr string)
}

func runServe(ctx context.Context, e *env, args []string) error {
	var cfg serveConfig
	fs := newFlagSet(e, "serve", "serve [--addr 127.0.0.1:8080] [--db archmap.db] [--no-demo]")
	fs.StringVar(&cfg.addr, "addr", "127.0.0.1:8080", "address to listen on (use :8080 to listen on every interface)")
	cfg.db = addDBFlags(fs, "path of the SQLite database file (created when missing)")
	fs.StringVar(&cfg.metricsAddr, "metrics-addr", "", "serve Prometheus metrics at /metrics on this address (e.g. 127.0.0.1:9090); off when empty")
	fs.StringVar(&cfg.logFormat, "log-format", "text", "log lines as text or json")
	fs.BoolVar(&cfg.noDemo, "no-demo", false, "do not create the \"Demo shop\" workspace in a new database")
	fs.BoolVar(&cfg.secureCookies, "secure-cookies", false, "mark cookies Secure on every request (without it: on requests that came over HTTPS, directly or through a trusted proxy)")
	fs.StringVar(&cfg.baseURL, "base-url", "", "public origin used in share links, e.g. https://archmap.example.com (overrides the one chosen at setup)")
	fs.BoolVar(&cfg.trustProxy, "trust-proxy", false, "take client addresses from X-Forwarded-For of proxies on private addresses (only behind a proxy that sets it)")
	fs.StringVar(&cfg.trustedProxies, "trusted-proxies", "", "comma-separated networks (CIDR) of the proxies whose X-Forwarded-For and X-Forwarded-Proto are believed; a proxy on loopback always is for X-Forwarded-Proto")
	fs.StringVar(&cfg.embedOrigins, "embed-origins", "", "origins whose pages may frame embedded share pages (/s/TOKEN?embed=1), separated by spaces or commas, e.g. https://wiki.example.com; none: nothing may frame archmap")
	fs.IntVar(&cfg.renderWorkers, "render-workers", 0, "Graphviz worker processes (default: the number of CPUs, at most 4)")
	fs.DurationVar(&cfg.renderTimeout, "render-timeout", diagram.DefaultTimeout, "time limit of one diagram layout; past it the layout is stopped")
	cfg.oidc.add(fs)
	fs.StringVar(&cfg.passwordSignIn, "password-signin", "on", "on, or off to offer single sign-on only (needs --oidc-issuer)")
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("serve takes no arguments, got %q", fs.Args())
	}
	if cfg.baseURL != "" {
		if _, msg := server.CheckBaseURL(cfg.baseURL); msg != "" {
			return usageError("--base-url %q: %s", cfg.baseURL, msg)
		}
	}
	if _, err := parsePrefixes(cfg.trustedProxies); err != nil {
		return usageError("--trusted-proxies: %v", err)
	}
	if _, err := server.ParseEmbedOrigins(cfg.embedOrigins); err != nil {
		return usageError("--embed-origins: %v", err)
	}
	if cfg.logFormat != "text" && cfg.logFormat != "json" {
		return usageError("--log-format %q: want text or json", cfg.logFormat)
	}
	if cfg.passwordSignIn != "on" && cfg.passwordSignIn != "off" {
		return usageError("--password-signin %q: want on or off", cfg.passwordSignIn)
	}
	if _, err := cfg.oidc.config(cfg.baseURL); err != nil {
		return err
	}
	if cfg.passwordSignIn == "off" && cfg.oidc.issuer == "" {
		return usageError("--password-signin off needs single sign-on (--oidc-issuer and the other --oidc-* flags): nobody could sign in")
	}
	return serve(ctx, e, cfg)
}

// parsePrefixes reads a comma-separated list of networks; a bare address is
// a network of one.
func parsePrefixes(v string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, part := range strings.Split(v, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if !strings.Contains(part, "/") {
			a, err := netip.ParseAddr(part)
			if err != nil {
				return nil, fmt.Errorf("%q is not an address or a network such as 10.0.0.0/8", part)
			}
			part = netip.PrefixFrom(a, a.BitLen()).String()
		}
		p, err := netip.ParsePrefix(part)
		if err != nil {
			return nil, fmt.Errorf("%q is not a network such as 10.0.0.0/8", part)
		}
		out = append(out, p)
	}
	return out, nil
}

func serve(ctx context.Context, e *env, cfg serveConfig) error {
	var log *slog.Logger
	if cfg.logFormat == "json" {
		log = slog.New(slog.NewJSONHandler(e.stderr, nil))
	} else {
		log = slog.New(slog.NewTextHandler(e.stderr, nil))
	}
	db, isNew, dbName, err := openServeDB(ctx, cfg.db)
	if err != nil {
		return err
	}
	defer db.Close()
	if isNew && !cfg.noDemo {
		if err := seedDemo(ctx, db); err != nil {
			return err
		}
		log.Info("created the Demo shop workspace in the new database", "db", dbName)
	}

	// Diagrams are laid out in worker processes of this same binary, so a
	// runaway layout can be killed without taking the server with it.
	renderer, err := diagram.NewRenderer(diagram.RendererConfig{
		Workers: cfg.renderWorkers,
		Timeout: cfg.renderTimeout,
		Stderr:  e.stderr,
	})
	if err != nil {
		return fmt.Errorf("start the diagram renderer: %w", err)
	}
	defer renderer.Close()

	proxies, err := parsePrefixes(cfg.trustedProxies)
	if err != nil {
		return usageError("--trusted-proxies: %v", err)
	}
	embedOrigins, err := server.ParseEmbedOrigins(cfg.embedOrigins)
	if err != nil {
		return usageError("--embed-origins: %v", err)
	}
	var reg *prometheus.Registry
	if cfg.metricsAddr != "" {
		reg = prometheus.NewRegistry()
		reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	oidcCfg, err := cfg.oidc.config(cfg.baseURL)
	if err != nil {
		return err
	}
	srv, err := server.New(server.Config{
		Metrics:          registerer(reg),
		DB:               db,
		Renderer:         renderer,
		Logger:           log,
		SecureCookies:    cfg.secureCookies,
		BaseURL:          cfg.baseURL,
		TrustProxy:       cfg.trustProxy,
		TrustedProxies:   proxies,
		EmbedOrigins:     embedOrigins,
		OIDC:             oidcCfg,
		NoPasswordSignIn: cfg.passwordSignIn == "off",
	})
	if err != nil {
		return err
	}
	if oidcCfg != nil {
		// Not fatal: the provider may start after us. Sign-ins retry it.
		if err := srv.CheckOIDC(ctx); err != nil {
			log.Error("single sign-on: the provider cannot be reached yet; sign-ins will retry", "err", err)
		} else {
			log.Info("single sign-on is on", "issuer", oidcCfg.Issuer, "redirect_url", oidcCfg.RedirectURL, "password_signin", cfg.passwordSignIn)
		}
	}
	// Deferred after db.Close, so it stops (and waits for a purge in
	// progress) before the database closes.
	stopHousekeeping := srv.StartHousekeeping(ctx, server.SessionPurgeInterval)
	defer stopHousekeeping()
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return &exitError{code: 1, err: err}
	}
	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second, // imports of up to 5 MiB on a slow link
		WriteTimeout:      60 * time.Second, // above the render time limit
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	addr := ln.Addr().String()
	log.Info("archmap is serving", "url", "http://"+addr, "db", dbName)
	if cfg.ready != nil {
		cfg.ready(addr)
	}
	errc := make(chan error, 2)
	go func() { errc <- hs.Serve(ln) }()
	if reg != nil {
		ms, err := serveMetrics(cfg.metricsAddr, reg, log, errc)
		if err != nil {
			return &exitError{code: 1, err: err}
		}
		defer ms.Close()
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing requests in flight")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

func seedDemo(ctx context.Context, db *store.DB) error {
	m := topology.Demo()
	_, _, err := db.ImportModel(ctx, "demo-shop", m)
	return err
}

// registerer is reg as a prometheus.Registerer, nil when metrics are off
// (a nil *Registry in the interface would not be nil).
func registerer(reg *prometheus.Registry) prometheus.Registerer {
	if reg == nil {
		return nil
	}
	return reg
}

// serveMetrics serves /metrics on an address of its own, so that the
// metrics can be kept off the public listener (and out of reach of the
// people the app serves).
func serveMetrics(addr string, reg *prometheus.Registry, log *slog.Logger, errc chan<- error) (*http.Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--metrics-addr: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	ms := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	log.Info("serving metrics", "url", "http://"+ln.Addr().String()+"/metrics")
	go func() {
		if err := ms.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errc <- err
		}
	}()
	return ms, nil
}

// openServeDB opens the server's database and says whether it is new (the
// demo workspace goes into a new one only) and how to name it in logs. A
// SQLite database is new when its file did not exist; a PostgreSQL one when
// this process applied its first migration — of several nodes started at
// once on an empty database, exactly one.
func openServeDB(ctx context.Context, f *dbFlags) (db *store.DB, isNew bool, name string, err error) {
	if f.postgres() {
		db, err = f.open(ctx)
		if err != nil {
			return nil, false, "", err
		}
		created := db.Created()
		return db, created, redactURL(f.url), nil
	}
	dbPath, err := f.sqlitePath()
	if err != nil {
		return nil, false, "", err
	}
	_, statErr := os.Stat(dbPath)
	isNew = errors.Is(statErr, os.ErrNotExist)
	db, err = store.Open(ctx, dbPath)
	return db, isNew, dbPath, err
}
