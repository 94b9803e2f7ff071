package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/topology"
	"github.com/archmap/archmap/views"
)

// statusOf maps a domain error code to its HTTP status. It is the only place
// that does.
func statusOf(code string) int {
	switch code {
	case topology.EINVALID:
		return http.StatusBadRequest
	case topology.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case topology.EFORBIDDEN:
		return http.StatusForbidden
	case topology.ENOTFOUND:
		return http.StatusNotFound
	case topology.ECONFLICT:
		return http.StatusConflict
	case topology.EPRECONDITION:
		return http.StatusPreconditionFailed
	case topology.ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	case topology.EUNAVAILABLE:
		return http.StatusServiceUnavailable
	case topology.ETIMEOUT:
		// Our render workers are the "upstream" that did not answer in time;
		// unlike 503 this says retrying the same request will not help.
		return http.StatusGatewayTimeout
	}
	return http.StatusInternalServerError
}

// retryAfterSeconds is sent with 503: the render queue drains in seconds.
const retryAfterSeconds = "5"

// setRetryAfter tells a client that got 503 when to come back.
func setRetryAfter(c echo.Context, status int) {
	if status == http.StatusServiceUnavailable {
		c.Response().Header().Set("Retry-After", retryAfterSeconds)
	}
}

// handleError is Echo's HTTPErrorHandler: every error a handler or
// middleware returns ends here. Users see the message of a domain error or a
// generic text; the cause of anything internal goes to the log only.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		s.log.Error("error after the response started", "method", c.Request().Method, "path", logPath(c.Request().URL.Path), "err", err)
		return
	}
	status, msg := s.describe(err, c)
	if importTooLarge(c, status) {
		return
	}
	setRetryAfter(c, status)
	if c.Request().Method == http.MethodHead {
		err = c.NoContent(status)
	} else if c.Get(errorStyleKey) == errorStyleJSON {
		err = c.JSON(status, map[string]string{"error": msg})
	} else if isHTMX(c) {
		// htmx swaps every response (see views.htmxConfig); send the message
		// to the flash region instead of the request's own target.
		h := c.Response().Header()
		h.Set("HX-Retarget", "#flash")
		h.Set("HX-Reswap", "innerHTML")
		err = render(c, status, views.Flash("error", msg))
	} else {
		err = render(c, status, views.Layout(s.page(c, http.StatusText(status)), views.ErrorPage(status, titleFor(status), msg)))
	}
	if err != nil {
		s.log.Error("unable to send an error response", "path", logPath(c.Request().URL.Path), "err", err)
	}
}

// describe returns the status and the user-safe message of err.
func (s *Server) describe(err error, c echo.Context) (int, string) {
	var he *echo.HTTPError
	if errors.As(err, &he) {
		// Echo's own errors (no route, body too large, bad CSRF token) carry
		// fixed texts that are safe to show; an internal cause is logged.
		if he.Internal != nil {
			s.log.Warn("request failed", "status", he.Code, "path", logPath(c.Request().URL.Path), "err", he.Internal)
		}
		return he.Code, echoMessage(he)
	}
	if errors.Is(err, context.Canceled) {
		// The client went away; nobody reads this answer.
		return 499, "request cancelled"
	}
	code := topology.ErrorCode(err)
	status := statusOf(code)
	if status == http.StatusInternalServerError {
		s.log.Error("internal error", "method", c.Request().Method, "path", logPath(c.Request().URL.Path), "err", err)
		return status, "internal error"
	}
	return status, topology.ErrorMessage(err)
}

func echoMessage(he *echo.HTTPError) string {
	switch he.Code {
	case http.StatusNotFound:
		return "There is nothing at this address."
	case http.StatusMethodNotAllowed:
		return "This address does not take that method."
	case http.StatusRequestEntityTooLarge:
		return "The request is too large (at most 5 MiB)."
	}
	if m, ok := he.Message.(string); ok && m != "" {
		return m
	}
	return http.StatusText(he.Code)
}

func titleFor(status int) string {
	switch status {
	case http.StatusNotFound:
		return "Not found"
	case http.StatusForbidden:
		return "Not allowed"
	case http.StatusInternalServerError:
		return "Something went wrong"
	}
	if t := http.StatusText(status); t != "" {
		return t
	}
	return fmt.Sprintf("Error %d", status)
}

// The error style of a request is set by the middleware of its route
// group (routes.go); the error handler renders it, never guessing from
// the path.
const (
	errorStyleKey  = "error.style"
	errorStyleJSON = "json"
)

// errorsAsJSON makes the errors of its group {"error": "..."} answers.
func errorsAsJSON(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Set(errorStyleKey, errorStyleJSON)
		return next(c)
	}
}

// isHTMX reports whether htmx sent the request (it then swaps the answer
// into the page instead of navigating).
func isHTMX(c echo.Context) bool {
	return c.Request().Header.Get("HX-Request") == "true"
}

// logPath hides the secret part of share URLs (/s/{token}/…) so that the log
// never holds a working share token.
func logPath(p string) string {
	if strings.HasPrefix(p, "/password/") {
		return "/password/REDACTED" // a one-time password link
	}
	if rest, ok := strings.CutPrefix(p, "/s/"); ok {
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			return "/s/REDACTED" + rest[i:]
		}
		return "/s/REDACTED"
	}
	return p
}
