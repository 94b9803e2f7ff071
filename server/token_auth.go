package server

import (
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/topology"
)

// API tokens are random 256-bit values (base64url, 43 characters) sent as
// "Authorization: Bearer TOKEN"; the database holds only their SHA-256, like
// session ids, so a copy of the database lets nobody call the API.

// NewAPIToken returns a new API token and the hash to store for it. The
// token is shown to its owner once and kept nowhere.
func NewAPIToken() (token string, hash []byte, err error) {
	return newSecret()
}

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
		if len(token) != secretLen {
			return unauthorized(c, "The API token is not valid.")
		}
		u, err := s.db.GetAPITokenUser(c.Request().Context(), hashSecret(token))
		switch {
		case topology.ErrorCode(err) == topology.ENOTFOUND:
			return unauthorized(c, "The API token is not valid.")
		case err != nil:
			return err
		}
		attributeChanges(c, u.Email+" (API token)")
		return next(c)
	}
}

// secretLen is the length of a base64url-encoded 256-bit secret.
const secretLen = 43

func unauthorized(c echo.Context, msg string) error {
	c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="archmap"`)
	return topology.Errorf(topology.EUNAUTHORIZED, "%s", msg)
}
