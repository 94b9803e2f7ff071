package server

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/auth"
	"github.com/archmap/archmap/diagram"
	"github.com/archmap/archmap/store"
	"github.com/archmap/archmap/topology"
	"github.com/archmap/archmap/views"
)

// lowPriorityRenders marks the request's diagram renders as low priority
// (diagram.WithLowPriority).
func lowPriorityRenders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.SetRequest(c.Request().WithContext(diagram.WithLowPriority(c.Request().Context())))
		return next(c)
	}
}

// shareCSP is stricter than the app's: nothing by default; our own scripts,
// styles and images; requests (htmx) and the view form only to us.
const shareCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

const sharedLinkKey = "shared-link"

// shareHeaders marks every answer under /s/ as private to its link: no
// Referer carries the token on, no search engine indexes it, no cache keeps
// it (a revoked link must stop working at once). Errors get a page of their
// own that, like every share page, leads nowhere else in the app.
func (s *Server) shareHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", s.shareCSPFor(c))
		if s.frameable(c) {
			// Framing is the CSP's to allow: X-Frame-Options knows no list
			// of origins, and DENY would win in browsers that read it.
			h.Del("X-Frame-Options")
		}
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Robots-Tag", "noindex, nofollow, noarchive")
		h.Set(echo.HeaderCacheControl, "no-store")
		err := next(c)
		if err == nil {
			return nil
		}
		if c.Response().Committed {
			return err
		}
		return s.shareError(c, err)
	}
}

// errShareNotFound is the one answer for unknown, revoked and expired
// links, so that nobody learns which of them a token is.
var errShareNotFound = topology.Errorf(topology.ENOTFOUND, "This link does not exist or no longer works. Ask whoever shared it for a new one.")

// resolveShare finds the link of the token in the path. Failed
// lookups count against the client's address; once it has failed too often
// its failures are answered 429 for a while, while its good links still open.
func (s *Server) resolveShare(lim *failureLimiter) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			ip, now := c.RealIP(), time.Now()
			token := c.Param("token")
			var err error = errShareNotFound
			var l *store.SharedLink
			if auth.WellFormed(token) {
				l, err = s.db.ResolveShare(c.Request().Context(), auth.HashSecret(token), now)
			}
			if topology.ErrorCode(err) == topology.ENOTFOUND {
				// Only failures are limited: a good link always opens, so
				// that a guesser behind the same address (a company's NAT)
				// cannot lock everyone else out. Telling a hit from a
				// miss while blocked gains a guesser nothing: a token is
				// 256 random bits, and the limit is what slows the guessing.
				if lim.blocked(ip, now) {
					c.Response().Header().Set("Retry-After", strconv.Itoa(int(shareFailureEvery/time.Second)))
					return echo.NewHTTPError(http.StatusTooManyRequests, "Too many links that do not work came from your address. Wait a minute and try again.")
				}
				lim.fail(ip, now)
				return errShareNotFound
			}
			if err != nil {
				return err
			}
			c.Set(sharedLinkKey, l)
			return next(c)
		}
	}
}

// sharedView is the model the request's link shows and the view options
// the request asks for.
func (s *Server) sharedView(c echo.Context) (*snapshot, diagram.Options, error) {
	sn, err := s.sharedSnapshot(c)
	if err != nil {
		return nil, diagram.Options{}, err
	}
	opts, err := diagramOptions(c, sn.model)
	return sn, opts, err
}

func sharedLink(c echo.Context) *store.SharedLink {
	l, _ := c.Get(sharedLinkKey).(*store.SharedLink)
	return l
}

// sharedSnapshot is the model the request's link shows.
func (s *Server) sharedSnapshot(c echo.Context) (*snapshot, error) {
	sn, err := s.shareSnapshot(c.Request().Context(), sharedLink(c))
	if topology.ErrorCode(err) == topology.ENOTFOUND {
		return nil, errShareNotFound // revoked or deleted a moment ago
	}
	return sn, err
}

// sharePath is the base of a share page's own addresses.
func sharePath(c echo.Context) string { return "/s/" + c.Param("token") }

// shareError answers a failed share request: the flash message for htmx,
// else a page in the share layout.
func (s *Server) shareError(c echo.Context, err error) error {
	status, msg := s.describe(err, c)
	setRetryAfter(c, status)
	switch {
	case c.Request().Method == http.MethodHead:
		return c.NoContent(status)
	case isHTMX(c):
		h := c.Response().Header()
		h.Set("HX-Retarget", "#flash")
		h.Set("HX-Reswap", "innerHTML")
		return render(c, status, views.Flash("error", msg))
	}
	return render(c, status, views.ShareLayout(http.StatusText(status), views.ShareError(status, titleFor(status), msg)))
}

// handleShareShow is the shared diagram page, with the view options of the
// query string like the workspace's diagram tab.
//
// The page is a function of the link's revision, its address and the view
// options alone (no session, no CSRF token), so it is made once per
// revision and options, like the diagram.
//
// With ?embed=1 it is the diagram alone, for another site's <iframe>
// (embed.go).
func (s *Server) handleShareShow(c echo.Context) error {
	kind := "sharepage"
	if isEmbed(c) {
		kind = "shareembed"
	}
	key := pageKey(kind, shareKey(sharedLink(c)), c)
	b, ok := s.responses.get(key)
	if !ok {
		sn, opts, err := s.sharedView(c)
		if err != nil {
			return err
		}
		// Built once however many visitors arrive at once; bounded in size
		// whatever the model (diagramPageData).
		b, err = s.responses.load(pageKey(kind, sn.key, c), func() ([]byte, error) {
			d := diagramPageData(sn, opts, sharePath(c))
			d.ReadOnly = true
			info := views.ShareInfo{
				Name: sn.model.Name, Description: sn.model.Description, Revision: sn.revision, Pinned: sharedLink(c).Pinned(),
				Origin: s.baseURL(c.Request().Context()), Path: sharePath(c), Embeddable: len(s.cfg.EmbedOrigins) > 0,
			}
			if kind == "shareembed" {
				return renderHTML(c, views.ShareEmbedLayout(info.Name, views.ShareEmbed(info, d)))
			}
			return renderHTML(c, views.ShareLayout(info.Name, views.SharePage(info, d)))
		})
		if err != nil {
			return err
		}
	}
	return writeCached(c, http.StatusOK, echo.MIMETextHTMLCharsetUTF8, b)
}

// handleShareFragment is the diagram of a share page, loaded behind its
// loading indicator like the workspace's.
func (s *Server) handleShareFragment(c echo.Context) error {
	if b, ok := s.responses.get(pageKey("fragment", shareKey(sharedLink(c)), c)); ok {
		return writeCached(c, http.StatusOK, echo.MIMETextHTMLCharsetUTF8, b)
	}
	if err := s.knownTimeout(shareKey(sharedLink(c)), c); err != nil {
		return fragmentFailed(c, err)
	}
	sn, err := s.sharedSnapshot(c)
	if err != nil {
		return err
	}
	if len(sn.model.Services) == 0 {
		return render(c, http.StatusOK, views.ShareDiagramEmpty())
	}
	return s.serveFragment(c, sn, sharePath(c))
}

// handleShareDownload serves the shared diagram as a file, named after the
// model (a share knows no slug to name it by). Like the API's, it looks the
// diagram up by revision and options before it loads anything.
func (s *Server) handleShareDownload(f diagram.Format) echo.HandlerFunc {
	return func(c echo.Context) error {
		l := sharedLink(c)
		opts, err := diagram.ParseQuery(c.QueryParams())
		if err != nil {
			return err
		}
		attachment(c, opts.Filename("shared", f))
		if b, ok := s.responses.get(diagramKey(shareKey(l), opts, f)); ok {
			return writeDiagram(c, b, f, l.Revision)
		}
		if f.LaysOut() {
			if err := s.knownTimeout(shareKey(l), c); err != nil {
				return err
			}
		}
		sn, opts, err := s.sharedView(c)
		if err != nil {
			return err
		}
		return s.serveDiagram(c, sn, opts, f)
	}
}

func (s *Server) handleSharePanel(c echo.Context) error {
	sn, err := s.sharedSnapshot(c)
	if err != nil {
		return err
	}
	panel, err := sidePanel(sn, c)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, panel)
}

// handleShareSimulate answers the simulation form of a share page. It reads
// the shared model and stores nothing.
func (s *Server) handleShareSimulate(c echo.Context) error {
	// Anonymous visitors get a body bound of the form's size, not the 6 MB
	// of an import.
	r := c.Request()
	r.Body = http.MaxBytesReader(c.Response(), r.Body, maxSimulateForm)
	form, err := readForm(c)
	if err != nil {
		return err
	}
	sn, err := s.sharedSnapshot(c)
	if err != nil {
		return err
	}
	d, err := simulation(sn.model, form["fail"])
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.SimulationResult(d))
}
