package server

import (
	"bytes"
	"net/http"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/views"
)

// render writes a templ component as the HTML response. It renders into a
// buffer first so that a failing component becomes a clean error response
// instead of half a page.
func render(c echo.Context, status int, cmp templ.Component) error {
	html, err := renderHTML(c, cmp)
	if err != nil {
		return err
	}
	// Pages hold a CSRF token and the user's data: no cache may keep them
	// (nor show them from history after a sign-out).
	if c.Response().Header().Get("Cache-Control") == "" {
		c.Response().Header().Set("Cache-Control", "no-store")
	}
	return writeHTML(c, status, html)
}

// renderHTML renders a component into memory.
func renderHTML(c echo.Context, cmp templ.Component) ([]byte, error) {
	var buf bytes.Buffer
	if err := cmp.Render(c.Request().Context(), &buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// page returns the layout data of the current request.
func (s *Server) page(c echo.Context, title string) views.Page {
	p := views.Page{Title: title, CSRF: csrfToken(c)}
	if u := currentUser(c); u != nil {
		p.User = u.Email
		p.Admin = u.Admin
	}
	return p
}

// csrfToken is the CSRF token for this response to show (meta tag, form
// fields): the request's token, masked with a fresh pad.
func csrfToken(c echo.Context) string {
	t, _ := c.Get(csrfContextKey).(string)
	if t == "" {
		return ""
	}
	// Masked afresh for every page: see csrf_mask.go.
	return maskCSRF(t)
}

// redirect answers with 303 See Other, or for htmx with HX-Redirect so that
// the whole page navigates instead of swapping a page into a fragment.
func redirect(c echo.Context, to string) error {
	if isHTMX(c) {
		c.Response().Header().Set("HX-Redirect", to)
		return c.NoContent(http.StatusNoContent)
	}
	return c.Redirect(http.StatusSeeOther, to)
}
