package server

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/auth"
	"github.com/archmap/archmap/store"
	"github.com/archmap/archmap/topology"
)

// A share link is /s/{token}: an auth secret (auth.NewSecret). Only
// the token's hash is stored, so the database cannot give links away, and
// the token is shown once, to whoever creates the link.

// maxShareLifetime bounds expires_in: long enough for any real use, short
// enough that the time arithmetic cannot overflow.
const maxShareLifetime = 10 * 365 * 24 * time.Hour

// defaultShareLifetime is how long a link lives unless its maker says
// otherwise, in the share tab's form and in the API alike.
const defaultShareLifetime = 7 * 24 * time.Hour

// parseExpiresIn reads a link lifetime: a Go duration ("72h", "90m") or a
// number of days ("7d"). "" (the form's "Never") and "never" mean the link
// does not expire (0).
func parseExpiresIn(v string) (time.Duration, error) {
	v = strings.TrimSpace(v)
	if v == "" || v == "never" {
		return 0, nil
	}
	var d time.Duration
	if days, ok := strings.CutSuffix(v, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil {
			return 0, badExpiresIn(v)
		}
		d = time.Duration(n) * 24 * time.Hour
		if n > int(maxShareLifetime/(24*time.Hour)) {
			d = maxShareLifetime + 1
		}
	} else {
		var err error
		if d, err = time.ParseDuration(v); err != nil {
			return 0, badExpiresIn(v)
		}
	}
	if d <= 0 || d > maxShareLifetime {
		return 0, topology.Errorf(topology.EINVALID, "expires_in: want a duration above zero and at most 3650 days, got %s", strconv.Quote(v))
	}
	return d, nil
}

func badExpiresIn(v string) error {
	return topology.Errorf(topology.EINVALID, "expires_in: want a duration such as \"72h\" or \"7d\", got %s", strconv.Quote(v))
}

// createShare makes a share link of the workspace and returns its token
// (to be shown once) with the stored link. expiresIn 0: never expires.
// revision > 0 pins the link to that revision of the history.
func (s *Server) createShare(ctx context.Context, slug string, expiresIn time.Duration, pin bool, revision int64) (string, *store.Share, error) {
	token, hash, err := auth.NewSecret()
	if err != nil {
		return "", nil, err
	}
	var expiresAt time.Time
	if expiresIn > 0 {
		expiresAt = time.Now().Add(expiresIn)
	}
	var sh *store.Share
	if revision > 0 {
		sh, err = s.db.CreateShareAt(ctx, slug, hash, expiresAt, revision)
	} else {
		sh, err = s.db.CreateShare(ctx, slug, hash, expiresAt, pin)
	}
	if err != nil {
		return "", nil, err
	}
	return token, sh, nil
}

// shareURL is the address of a share link: under the public address
// (--base-url, else the one chosen at setup), never under the request's
// Host, which the client chooses: `Host: attacker.example` must not make
// archmap hand out links to another site. Without a public address (an
// installation set up before archmap asked for one, and no --base-url) the
// link is a path, which the browser completes with the address it uses.
func (s *Server) shareURL(c echo.Context, token string) string {
	return s.baseURL(c.Request().Context()) + "/s/" + token
}
