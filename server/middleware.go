package server

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/archmap/archmap/topology"
)

// The middleware of each route group is declared with the group in
// routes.go. The JSON API (/api/v1) authenticates with bearer tokens only,
// never with the session cookie; that is why it needs no CSRF token: a
// browser attaches cookies to a forged request, but never an Authorization
// header. Share pages (/s/{token}) are anonymous and read-only; their group
// adds its own stricter headers on top of securityHeaders.

// contentSecurityPolicy allows only our own scripts and styles. The diagram
// SVG is inline markup from our renderer, sanitized (svg_sanitize.go), and
// needs no script of its own; svg-pan-zoom and app.js set styles through the
// CSSOM, which CSP does not restrict.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// permissionsPolicy turns off the powerful browser features archmap never
// uses, so that no injected or framed content could ask for them.
const permissionsPolicy = "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), " +
	"magnetometer=(), microphone=(), midi=(), payment=(), publickey-credentials-get=(), screen-wake-lock=(), serial=(), usb=(), xr-spatial-tracking=()"

func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", permissionsPolicy)
		// Pages, downloads and API answers hold a signed-in user's models:
		// no cache may keep them (a shared proxy, the disk cache of a
		// shared computer). Static files, the one exception, say so.
		h.Set(echo.HeaderCacheControl, "no-store")
		return next(c)
	}
}

// requestLog logs one line per request. Paths go through logPath so that no
// share token reaches the log; query strings are not logged at all.
func (s *Server) requestLog() echo.MiddlewareFunc {
	logger := middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		HandleError: true,
		LogMethod:   true,
		LogURIPath:  true,
		LogStatus:   true,
		LogLatency:  true,
		LogRemoteIP: true,
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			level := slog.LevelInfo
			if v.Status >= 500 {
				level = slog.LevelError
			}
			if s.metrics != nil {
				s.metrics.observe(v.Method, c.Path(), v.Status, v.Latency)
			}
			s.log.LogAttrs(context.Background(), level, "request",
				slog.String("method", v.Method),
				slog.String("path", logPath(v.URIPath)),
				slog.Int("status", v.Status),
				slog.Duration("took", v.Latency),
				slog.String("ip", v.RemoteIP),
			)
			return nil
		},
	})
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		h := logger(next)
		return func(c echo.Context) error {
			// With HandleError the logger has already answered the error
			// through handleError (to log the status sent); passed on, it
			// would reach handleError a second time, with the response
			// committed, and be logged as an internal error.
			_ = h(c)
			return nil
		}
	}
}

// maxBodyBytes bounds every request body. Imports are bounded again, exactly,
// at topology.MaxInputSize; this outer bound leaves room for the form
// encoding around an upload.
const maxBodyBytes = "6M"

// setupGate sends every page to /setup while no account exists.
func (s *Server) setupGate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		need, err := s.needsSetup(c.Request().Context())
		if err != nil {
			return err
		}
		if need {
			return redirect(c, "/setup")
		}
		return next(c)
	}
}

func (s *Server) needsSetup(ctx context.Context) (bool, error) {
	if s.hasUsers.Load() {
		return false, nil
	}
	n, err := s.db.CountUsers(ctx)
	if err != nil {
		return false, err
	}
	if n > 0 {
		s.hasUsers.Store(true)
	}
	return n == 0, nil
}

// requireUser lets only signed-in users through; others go to the login
// page, which brings them back here afterwards.
func (s *Server) requireUser(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if currentUser(c) != nil {
			return next(c)
		}
		r := c.Request()
		if r.Method != http.MethodGet && !isHTMX(c) {
			return topology.Errorf(topology.EUNAUTHORIZED, "Your session has ended. Sign in again.")
		}
		back := r.URL.RequestURI()
		if isHTMX(c) {
			// Come back to the page the fragment was part of.
			back = "/"
			if cu, err := url.Parse(r.Header.Get("HX-Current-URL")); err == nil && cu.Path != "" {
				back = cu.RequestURI()
			}
		}
		return redirect(c, "/login?next="+url.QueryEscape(back))
	}
}
