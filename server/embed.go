package server

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
)

// Embedding: a share page asked for with ?embed=1 is the diagram alone, for
// a wiki page's <iframe>. Only those answers may be framed, and only by the
// origins the operator lists (ARCHMAP_EMBED_ORIGINS, --embed-origins);
// every other answer keeps frame-ancestors 'none' and X-Frame-Options DENY,
// so that no other page of archmap can be clickjacked.

// embedHost is a host name (a "*." in front allows its subdomains, as CSP
// does), an IPv4 address or a bracketed IPv6 one, with an optional port.
// Nothing else may reach the CSP header: a space, ";" or quote would add
// directives of its own.
var embedHost = regexp.MustCompile(`^(\*\.)?([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]*[a-z0-9])?(:[0-9]{1,5})?$|^\[[0-9a-f:.]+\](:[0-9]{1,5})?$`)

// ParseEmbedOrigins reads the origins allowed to frame embedded share
// pages: a list separated by spaces or commas of http(s) origins
// ("https://wiki.example.com", "https://*.example.com"), each without path,
// query or credentials. It returns them canonical (lower case, no trailing
// slash), or what is wrong with the first bad one.
func ParseEmbedOrigins(v string) ([]string, error) {
	var out []string
	for _, item := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' }) {
		o, err := checkEmbedOrigin(item)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	return out, nil
}

func checkEmbedOrigin(item string) (string, error) {
	bad := func(why string) (string, error) {
		return "", fmt.Errorf("%q is not an origin that may embed share pages: %s (want one like https://wiki.example.com)", item, why)
	}
	scheme, rest, ok := strings.Cut(item, "://")
	scheme = strings.ToLower(scheme)
	if !ok || (scheme != "https" && scheme != "http") {
		return bad("it does not start with https:// or http://")
	}
	host := strings.ToLower(strings.TrimSuffix(rest, "/"))
	if strings.ContainsAny(host, "/?#@") {
		return bad("an origin has no path, query, fragment or user name")
	}
	if !embedHost.MatchString(host) {
		return bad("its host is not a host name or an IP address")
	}
	// The standard parser must agree (ports in range, IPv6 well formed).
	u, err := url.Parse(scheme + "://" + strings.Replace(host, "*.", "x.", 1))
	if err != nil || u.Host == "" {
		return bad("it does not parse as a URL")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return bad("its port is out of range")
		}
	}
	return scheme + "://" + host, nil
}

// isEmbed is true for a request for the embedded share page.
func isEmbed(c echo.Context) bool { return c.QueryParam("embed") == "1" }

// frameable is true for the answers that may be framed: the share page
// asked for embedded, when origins are listed.
func (s *Server) frameable(c echo.Context) bool {
	if len(s.cfg.EmbedOrigins) == 0 || !isEmbed(c) {
		return false
	}
	if m := c.Request().Method; m != http.MethodGet && m != http.MethodHead {
		return false
	}
	p := c.Path()
	return p == "/s/:token" || p == "/s/:token/diagram"
}

// shareCSPFor is the share pages' policy, with the listed origins as frame
// ancestors where the answer may be framed.
func (s *Server) shareCSPFor(c echo.Context) string {
	if !s.frameable(c) {
		return shareCSP
	}
	return strings.TrimSuffix(shareCSP, "frame-ancestors 'none'") + "frame-ancestors " + strings.Join(s.cfg.EmbedOrigins, " ")
}
