package server

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/store"
	"github.com/archmap/archmap/topology"
)

// The four kinds of entity (services, servers, placements, dependencies)
// have the same five routes; entityAPI holds what differs: the store's
// accessor for one kind. T is the entity as the client sends it, R as the
// store returns it (with its id).
type entityAPI[T any, R any] struct {
	db       *store.DB
	plural   string // "services": the path segment
	entities store.Entities[R, T]
	id       func(*R) int64
	value    func(*R) T // the entity's own fields, without the ids
}

// Pagination of entity lists: a page is at most maxPageLimit items.
const (
	defaultPageLimit = 500
	maxPageLimit     = 10000
)

func registerEntityRoutes[T any, R any](g *echo.Group, e entityAPI[T, R]) {
	base := "/workspaces/:slug/" + e.plural
	g.GET(base, e.handleList)
	g.POST(base, e.handleCreate)
	g.GET(base+"/:id", e.handleGet)
	g.PUT(base+"/:id", e.handleUpdate)
	g.PATCH(base+"/:id", e.handlePatch)
	g.DELETE(base+"/:id", e.handleDelete)
}

// The ETag of an entity, or of a list, is the revision of its workspace,
// read before the entity: If-Match on a later write then fails safe (412)
// when something changed in between, never the other way round.

func (e entityAPI[T, R]) handleList(c echo.Context) error {
	offset, limit, err := pageParams(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	slug := c.Param("slug")
	ws, err := e.db.GetWorkspace(ctx, c.Param("slug"))
	if err != nil {
		return err
	}
	items, total, err := e.entities.Page(ctx, slug, offset, limit)
	if err != nil {
		return err
	}
	if items == nil {
		items = []R{}
	}
	setETag(c, ws.Revision)
	c.Response().Header().Set("X-Total-Count", strconv.Itoa(total))
	return writeJSON(c, http.StatusOK, listBody[R]{Items: items, Total: total, Offset: offset, Limit: limit})
}

func (e entityAPI[T, R]) handleGet(c echo.Context) error {
	id, err := apiID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	ws, err := e.db.GetWorkspace(ctx, c.Param("slug"))
	if err != nil {
		return err
	}
	rec, err := e.entities.Get(ctx, c.Param("slug"), id)
	if err != nil {
		return err
	}
	setETag(c, ws.Revision)
	return writeJSON(c, http.StatusOK, rec)
}

func (e entityAPI[T, R]) handleCreate(c echo.Context) error {
	expected, err := ifMatch(c)
	if err != nil {
		return err
	}
	v, _, err := e.decode(c)
	if err != nil {
		return err
	}
	rec, ws, err := e.entities.Create(c.Request().Context(), c.Param("slug"), v, expected)
	if err != nil {
		return err
	}
	setETag(c, ws.Revision)
	c.Response().Header().Set(echo.HeaderLocation, apiWorkspacePath(ws.Slug, e.plural, strconv.FormatInt(e.id(rec), 10)))
	return writeJSON(c, http.StatusCreated, rec)
}

// handleUpdate replaces the entity's fields by the body's: a field left out
// takes its default, as in a model file. Without If-Match the last write
// wins (as kubectl replace): the body replaces whatever is stored, changes
// made since the client read it included; PATCH (api_patch.go) changes
// only the fields it names.
func (e entityAPI[T, R]) handleUpdate(c echo.Context) error {
	id, err := apiID(c)
	if err != nil {
		return err
	}
	expected, err := ifMatch(c)
	if err != nil {
		return err
	}
	v, bodyID, err := e.decode(c)
	if err != nil {
		return err
	}
	if bodyID != 0 && bodyID != id {
		return topology.Errorf(topology.EINVALID, "id: the body says %d but the address says %d; ids cannot be changed", bodyID, id)
	}
	rec, ws, err := e.entities.Update(c.Request().Context(), c.Param("slug"), id, v, expected)
	if err != nil {
		return err
	}
	setETag(c, ws.Revision)
	return writeJSON(c, http.StatusOK, rec)
}

func (e entityAPI[T, R]) handleDelete(c echo.Context) error {
	id, err := apiID(c)
	if err != nil {
		return err
	}
	expected, err := ifMatch(c)
	if err != nil {
		return err
	}
	ws, err := e.entities.Delete(c.Request().Context(), c.Param("slug"), id, expected)
	if err != nil {
		return err
	}
	setETag(c, ws.Revision)
	return c.NoContent(http.StatusNoContent)
}

// decode reads an entity from the body. It takes the shape the API answers
// with (R), so a client can GET an entity, change a field and PUT it back;
// the ids in it are read-only (names say what a placement or dependency
// refers to) and only the entity's own id is returned, to be checked.
func (e entityAPI[T, R]) decode(c echo.Context) (T, int64, error) {
	var rec R
	var zero T
	if err := decodeJSON(c, &rec, false); err != nil {
		return zero, 0, err
	}
	if err := refuseWrittenZeros(c); err != nil {
		return zero, 0, err
	}
	return e.value(&rec), e.id(&rec), nil
}

// refuseWrittenZeros: a count left out takes its default, but a 0 the client
// wrote is an error, as in a model file — decoding into the entity alone
// cannot tell the two apart.
func refuseWrittenZeros(c echo.Context) error {
	body, ok := c.Get(rawBodyKey).([]byte)
	if !ok {
		return nil
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal(body, &fields) != nil {
		return nil
	}
	for _, f := range []struct{ name, rule string }{
		{"instances", "must be a whole number from 1 to 1000000"},
		{"calls_per_request", "must be a number greater than 0 and at most 1e9"},
	} {
		if v, ok := fields[f.name]; ok {
			var n float64
			if json.Unmarshal(v, &n) == nil && n == 0 {
				return topology.Errorf(topology.EINVALID, "%s: %s, got 0", f.name, f.rule)
			}
		}
	}
	return nil
}

// pageParams reads ?offset=&limit= of a list route.
func pageParams(c echo.Context) (offset, limit int, err error) {
	offset, limit = 0, defaultPageLimit
	if v := c.QueryParam("offset"); v != "" {
		if offset, err = strconv.Atoi(v); err != nil || offset < 0 {
			return 0, 0, topology.Errorf(topology.EINVALID, "offset: want a whole number of at least 0, got %s", strconv.Quote(v))
		}
	}
	if v := c.QueryParam("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > maxPageLimit {
			return 0, 0, topology.Errorf(topology.EINVALID, "limit: want a whole number from 1 to %d, got %s", maxPageLimit, strconv.Quote(v))
		}
	}
	return offset, limit, nil
}

// apiID reads the :id of an entity route; an id that is not a positive
// number names nothing, so it is a 404 like an unknown one.
func apiID(c echo.Context) (int64, error) {
	n, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || n < 1 {
		return 0, topology.Errorf(topology.ENOTFOUND, "there is no entity with the id %s", strconv.Quote(c.Param("id")))
	}
	return n, nil
}
