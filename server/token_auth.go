package server

import (
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/auth"
	"github.com/archmap/archmap/topology"
)

// API tokens are auth secrets (base64url, 43 characters) sent as
// "Authorization: Bearer TOKEN"; the database holds only their hash, like
// session ids, so a copy of the database lets nobody call the API.

// bearerToken returns the token of an "Authorization: Bearer TOKEN" header
// (the scheme is case-insensitive, RFC 9110 §11.1), and whether there was one.
func bearerToken(c echo.Context) (string, bool) {
	scheme, token, ok := strings.Cut(c.Request().Header.Get(echo.HeaderAuthorization), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

// requireToken lets through API requests with a valid bearer token. (Every
// account may use every workspace, so the token's owner decides nothing
// further.) It never looks at the session cookie: the API
// is for programs, and ignoring cookies is what makes it safe from CSRF.
func (s *Server) requireToken(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		token, ok := bearerToken(c)
		if !ok {
			return unauthorized(c, "This API needs an \"Authorization: Bearer TOKEN\" header; create a token on your account page or with \"archmap token create\".")
		}
		// A well-formed token has exactly our length; anything else cannot
		// match and is refused without a query.
		if !auth.WellFormed(token) {
			return unauthorized(c, "The API token is not valid.")
		}
		u, name, err := s.db.GetAPITokenOwner(c.Request().Context(), auth.HashSecret(token))
		switch {
		case topology.ErrorCode(err) == topology.ENOTFOUND:
			return unauthorized(c, "The API token is not valid.")
		case err != nil:
			return err
		}
		attributeChanges(c, u, u.Email+" (API token "+strconv.Quote(name)+")")
		return next(c)
	}
}

func unauthorized(c echo.Context, msg string) error {
	c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="archmap"`)
	return topology.Errorf(topology.EUNAUTHORIZED, "%s", msg)
}
