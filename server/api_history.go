package server

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/diff"
	"github.com/archmap/archmap/store"
	"github.com/archmap/archmap/topology"
)

// revisionsPage is the answer of GET …/revisions.
type revisionsPage struct {
	Revisions []store.Revision `json:"revisions"`
	Total     int              `json:"total"`
}

// handleAPIRevisionList lists a workspace's history, newest first, a page
// at a time (?limit=&offset=, as the entity lists).
func (s *Server) handleAPIRevisionList(c echo.Context) error {
	offset, limit, err := pageParams(c)
	if err != nil {
		return err
	}
	revs, total, err := s.db.ListRevisions(c.Request().Context(), c.Param("slug"), offset, limit)
	if err != nil {
		return err
	}
	if revs == nil {
		revs = []store.Revision{}
	}
	return writeJSON(c, http.StatusOK, revisionsPage{revs, total})
}

// handleAPIRevisionModel answers with the model as it was at a revision,
// as JSON or YAML like GET …/model, tagged with that revision.
func (s *Server) handleAPIRevisionModel(c echo.Context) error {
	rev, err := revisionParam(c.Param("rev"))
	if err != nil {
		return err
	}
	m, _, err := s.db.ModelAt(c.Request().Context(), c.Param("slug"), rev)
	if err != nil {
		return err
	}
	setETag(c, rev)
	c.Response().Header().Add(echo.HeaderVary, echo.HeaderAccept)
	return writeModel(c, m)
}

// handleAPIDiff compares two revisions (?from=REV&to=REV, to defaulting to
// the current one) as `archmap diff --format json` compares two files.
func (s *Server) handleAPIDiff(c echo.Context) error {
	ctx := c.Request().Context()
	slug := c.Param("slug")
	if c.QueryParam("from") == "" {
		return topology.Errorf(topology.EINVALID, "from: give the revision to compare from, e.g. ?from=3")
	}
	from, err := revisionParam(c.QueryParam("from"))
	if err != nil {
		return err
	}
	oldModel, _, err := s.db.ModelAt(ctx, slug, from)
	if err != nil {
		return err
	}
	var newModel *topology.Model
	if v := c.QueryParam("to"); v != "" {
		to, err := revisionParam(v)
		if err != nil {
			return err
		}
		if newModel, _, err = s.db.ModelAt(ctx, slug, to); err != nil {
			return err
		}
	} else if newModel, _, err = s.db.LoadModel(ctx, slug); err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, diff.Compare(oldModel, newModel))
}

// handleAPIRevisionRestore makes an old revision's model current again, as
// a new revision (201 with the workspace at it); If-Match as for PUT.
func (s *Server) handleAPIRevisionRestore(c echo.Context) error {
	rev, err := revisionParam(c.Param("rev"))
	if err != nil {
		return err
	}
	expected, err := ifMatch(c)
	if err != nil {
		return err
	}
	ws, err := s.db.RestoreRevision(c.Request().Context(), c.Param("slug"), rev, expected)
	if err != nil {
		return err
	}
	setETag(c, ws.Revision)
	return writeJSON(c, http.StatusCreated, ws)
}

// revisionParam reads a revision number; one that is not a positive whole
// number names no revision, so it is a 404 like one that does not exist.
func revisionParam(v string) (int64, error) {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 1 {
		return 0, topology.Errorf(topology.ENOTFOUND, "there is no revision %s", strconv.Quote(v))
	}
	return n, nil
}
