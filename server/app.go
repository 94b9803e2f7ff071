// Package server is archmap's HTTP side: the Echo routes (routes.go), the
// handlers (one file per noun and verb: service_create.go), the middleware
// (sessions, CSRF, security headers) and the one error handler that maps
// domain error codes to statuses (error.go).
//
// Handlers only parse the request, call the store, risk or diagram package,
// and render a views component; the rules live in those packages.
package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/archmap/archmap/auth"
	"github.com/archmap/archmap/diagram"
	"github.com/archmap/archmap/store"
)

// Config is what the server needs from the program that runs it.
type Config struct {
	DB *store.DB
	// Renderer lays out diagrams (a pool of worker processes with a cache).
	Renderer *diagram.Renderer
	Logger   *slog.Logger // nil: discard
	// SecureCookies marks cookies Secure on every request; without it they
	// are Secure on requests that came over HTTPS (TLS to us, or a trusted
	// proxy's X-Forwarded-Proto, see transport.go).
	SecureCookies bool
	// BaseURL is the public origin ("https://archmap.example.com") used to
	// build share links. It overrides the one chosen at /setup; links are
	// never built from the request's Host.
	BaseURL string
	// TrustProxy takes the client address from X-Forwarded-For (for the
	// login rate limit and logs). Only set it behind a proxy that sets it.
	// Without TrustedProxies it trusts proxies on loopback and private
	// addresses.
	TrustProxy bool
	// TrustedProxies are the networks of the proxies whose X-Forwarded-For
	// and X-Forwarded-Proto are believed (a loopback peer always is for
	// X-Forwarded-Proto).
	TrustedProxies []netip.Prefix
	// HeavyWork bounds the model loads and diagram builds running at once
	// (0: the number of CPUs); HeavyWait is how long a request waits for
	// its turn before it gets 503 (0: 10 s).
	HeavyWork int
	HeavyWait time.Duration
	// Passwords hashes and checks account passwords; the zero Hasher has
	// the production cost. Tests pass a cheap one.
	Passwords auth.Hasher
	// Metrics, when set, receives the server's Prometheus metrics; the
	// caller serves them (archmap serve --metrics-addr).
	Metrics prometheus.Registerer
	// OIDC, when set, offers sign-in through an OpenID Connect provider.
	OIDC *OIDCConfig
	// NoPasswordSignIn turns the email and password form off (single
	// sign-on only); it needs OIDC, or nobody could sign in.
	NoPasswordSignIn bool
	// EmbedOrigins are the origins whose pages may frame embedded share
	// pages (/s/{token}?embed=1), canonical as ParseEmbedOrigins returns
	// them; none: nothing may frame archmap.
	EmbedOrigins []string
}

// maxConcurrentHashes bounds the memory password hashing takes: each hash
// holds its cost's memory (64 MiB in production) while it runs.
const maxConcurrentHashes = 4

// Server serves the web app. Build it with New.
type Server struct {
	metrics  *metrics // nil without Config.Metrics
	cfg      Config
	db       *store.DB
	renderer *diagram.Renderer
	log      *slog.Logger
	echo     *echo.Echo

	// hasUsers latches to true once an account exists, so the setup check
	// costs a query only until the first account is made.
	hasUsers atomic.Bool

	logins   *loginLimiter
	throttle *signInGuard  // password guessing, across nodes (signin_throttle.go)
	oidc     *oidcClient   // nil: single sign-on is off
	hashing  chan struct{} // bounds concurrent password hashing (memory-hard)

	// storedBaseURL caches the public address chosen at setup.
	storedBaseURL atomic.Value
	// crossOrigin refuses browser requests another site started (csrf.go).
	crossOrigin *http.CrossOriginProtection

	heavy     *admission     // bounds CPU-heavy work at once
	snapshots *snapshotCache // models and their analysis, by revision
	responses *responseCache // diagrams, findings, share pages, by revision
	layouts   *layoutMemory  // layouts that timed out, by revision and options
	warmer    *layoutWarmer  // lays out the default views after a write
}

// New builds the server and its routes.
func New(cfg Config) (*Server, error) {
	if cfg.DB == nil {
		return nil, errors.New("server: no database")
	}
	if cfg.Renderer == nil {
		return nil, errors.New("server: no diagram renderer")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.OIDC != nil {
		if err := cfg.OIDC.Validate(); err != nil {
			return nil, fmt.Errorf("server: %w", err)
		}
	}
	if cfg.NoPasswordSignIn && cfg.OIDC == nil {
		return nil, errors.New("server: password sign-in can only be turned off when OpenID Connect is configured: nobody could sign in")
	}
	s := &Server{
		cfg:      cfg,
		db:       cfg.DB,
		renderer: cfg.Renderer,
		log:      cfg.Logger,
		logins:   newLoginLimiter(),
		throttle: newSignInGuard(cfg.DB),
		hashing:  make(chan struct{}, maxConcurrentHashes),
	}
	if cfg.OIDC != nil {
		s.oidc = newOIDCClient(*cfg.OIDC)
	}
	s.crossOrigin = http.NewCrossOriginProtection()
	if cfg.BaseURL != "" {
		// Behind a proxy that rewrites Host, the browser's Origin is the
		// public address, not the Host we see.
		if err := s.crossOrigin.AddTrustedOrigin(strings.TrimRight(cfg.BaseURL, "/")); err != nil {
			return nil, fmt.Errorf("server: base URL: %w", err)
		}
	}
	if len(cfg.EmbedOrigins) > 0 {
		// Checked again here: a bad item would write its own directives
		// into the CSP header.
		origins, err := ParseEmbedOrigins(strings.Join(cfg.EmbedOrigins, " "))
		if err != nil {
			return nil, fmt.Errorf("server: embed origins: %w", err)
		}
		s.cfg.EmbedOrigins = origins
	}
	if cfg.HeavyWork <= 0 {
		cfg.HeavyWork = runtime.GOMAXPROCS(0)
	}
	if cfg.HeavyWait <= 0 {
		cfg.HeavyWait = 10 * time.Second
	}
	s.baseURL(context.Background()) // loads, and trusts, the stored public address
	s.heavy = newAdmission(cfg.HeavyWork, cfg.HeavyWait)
	s.snapshots = newSnapshotCache(snapshotCacheWeight, s.heavy)
	s.responses = newResponseCache(responseCacheBytes)
	s.layouts = newLayoutMemory()
	s.warmer = newLayoutWarmer()
	if cfg.Metrics != nil {
		m, err := s.registerMetrics(cfg.Metrics)
		if err != nil {
			return nil, fmt.Errorf("server: metrics: %w", err)
		}
		s.metrics = m
	}
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.HTTPErrorHandler = s.handleError
	switch {
	case len(cfg.TrustedProxies) > 0:
		opts := []echo.TrustOption{echo.TrustLoopback(true), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
		for _, p := range cfg.TrustedProxies {
			opts = append(opts, echo.TrustIPRange(prefixNet(p)))
		}
		e.IPExtractor = echo.ExtractIPFromXFFHeader(opts...)
	case cfg.TrustProxy:
		e.IPExtractor = echo.ExtractIPFromXFFHeader()
	default:
		e.IPExtractor = echo.ExtractIPDirect()
	}
	s.echo = e
	s.routes()
	return s, nil
}

func prefixNet(p netip.Prefix) *net.IPNet {
	p = p.Masked()
	return &net.IPNet{IP: p.Addr().AsSlice(), Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen())}
}

// Handler returns the http.Handler that serves every route.
func (s *Server) Handler() http.Handler { return s.echo }
