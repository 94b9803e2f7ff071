package server

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/store"
	"github.com/archmap/archmap/topology"
)

// How the browser reached us, and under which name.
//
// Trust: X-Forwarded-Proto is believed only from a proxy we trust — a peer
// on a loopback address (a proxy on the same machine; anything else local
// could as well connect directly), one inside --trusted-proxies, or with
// --trust-proxy and no list a peer on a private network, as Echo trusts for
// X-Forwarded-For. A forged "https" from anyone else is ignored; and one
// believed wrongly only makes cookies stricter.

// fromTrustedProxy reports whether the request's direct peer is a proxy
// whose X-Forwarded-* headers we believe.
func (s *Server) fromTrustedProxy(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	ip = ip.Unmap()
	if ip.IsLoopback() {
		return true
	}
	for _, p := range s.cfg.TrustedProxies {
		if p.Contains(ip) {
			return true
		}
	}
	return s.cfg.TrustProxy && len(s.cfg.TrustedProxies) == 0 && (ip.IsPrivate() || ip.IsLinkLocalUnicast())
}

// overHTTPS reports whether the browser's connection is HTTPS: TLS to us,
// or a trusted proxy says so.
func (s *Server) overHTTPS(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	if !s.fromTrustedProxy(r) {
		return false
	}
	proto, _, _ := strings.Cut(r.Header.Get("X-Forwarded-Proto"), ",")
	return strings.EqualFold(strings.TrimSpace(proto), "https")
}

// secure reports whether cookies set for this request get Secure.
func (s *Server) secure(c echo.Context) bool {
	return s.cfg.SecureCookies || s.overHTTPS(c.Request())
}

// hstsMaxAge is a year: what browsers' preload rules ask for, without
// includeSubDomains, which would bind sites that are not ours.
const hstsMaxAge = "max-age=31536000"

// transportHeaders adds Strict-Transport-Security to answers sent over
// HTTPS (browsers ignore it over HTTP anyway).
func (s *Server) transportHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if s.overHTTPS(c.Request()) {
			c.Response().Header().Set("Strict-Transport-Security", hstsMaxAge)
		}
		return next(c)
	}
}

// CheckBaseURL normalises a public address: an absolute http(s) origin, with
// no path, query, fragment or credentials. It returns the origin without a
// trailing slash, or the problem.
func CheckBaseURL(v string) (string, string) {
	v = strings.TrimSpace(v)
	u, err := url.Parse(v)
	switch {
	case v == "":
		return "", "Enter the address people use to reach archmap, such as https://archmap.example.com."
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "":
		return "", "Enter a full address starting with https:// or http://, such as https://archmap.example.com."
	case u.User != nil || u.RawQuery != "" || u.Fragment != "" || (u.Path != "" && u.Path != "/"):
		return "", "Enter only the address of the site, such as https://archmap.example.com, without a path."
	}
	return u.Scheme + "://" + strings.ToLower(u.Host), ""
}

// baseURL is the public origin share links are built from: --base-url,
// else the one chosen at setup, else "" (links are then given as paths,
// which the browser completes with the address it uses). Never the request's
// Host, which whoever sends the request chooses.
func (s *Server) baseURL(ctx context.Context) string {
	if s.cfg.BaseURL != "" {
		return strings.TrimRight(s.cfg.BaseURL, "/")
	}
	if v, ok := s.storedBaseURL.Load().(string); ok && v != "" {
		return v
	}
	v, err := s.db.InstanceSetting(ctx, store.InstanceBaseURL)
	if err != nil {
		s.log.Warn("read the public address", "err", err)
		return ""
	}
	s.rememberBaseURL(v)
	return v
}

// rememberBaseURL keeps the public address chosen at setup, and trusts it
// as the Origin of form posts: behind a proxy that rewrites Host, the
// browser's Origin is the public address, not the Host we see.
func (s *Server) rememberBaseURL(v string) {
	if v == "" {
		return
	}
	s.storedBaseURL.Store(v)
	if err := s.crossOrigin.AddTrustedOrigin(v); err != nil {
		s.log.Warn("the public address is not an origin", "base_url", v, "err", err)
	}
}

// requestOrigin is the origin the browser used for this request, as far as
// the server can tell: the default offered at setup, which the admin
// confirms (and the page's script replaces by the browser's own
// location.origin).
func (s *Server) requestOrigin(c echo.Context) string {
	scheme := "http"
	if s.overHTTPS(c.Request()) {
		scheme = "https"
	}
	return scheme + "://" + c.Request().Host
}

// hostGate protects a fresh installation from DNS rebinding: until the
// first account exists, whoever reaches /setup becomes the administrator,
// and a web page of another site can reach a server on the user's machine
// or network by making its own name point there. Such a request carries
// that site's name as its Host, so until setup is done only a loopback
// name, an IP address (which no other site's page can have as its origin)
// or the host of --base-url is answered. (Probes and static files, which
// tell nobody anything, are outside the groups it guards: routes.go.)
func (s *Server) hostGate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if s.hasUsers.Load() || s.hostAllowedBeforeSetup(c.Request().Host) {
			return next(c)
		}
		need, err := s.needsSetup(c.Request().Context())
		if err != nil {
			return err
		}
		if !need {
			return next(c)
		}
		return topology.Errorf(topology.EFORBIDDEN, "archmap is not set up yet and answers only on localhost or its IP address until then "+
			"(or on the host of --base-url). Open it as http://localhost:PORT, through an SSH tunnel if needed, or start it with --base-url.")
	}
}

func (s *Server) hostAllowedBeforeSetup(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.Trim(strings.ToLower(host), "[]"), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	if _, err := netip.ParseAddr(host); err == nil {
		return true
	}
	if s.cfg.BaseURL != "" {
		if u, err := url.Parse(s.cfg.BaseURL); err == nil && strings.EqualFold(u.Hostname(), host) {
			return true
		}
	}
	return false
}
