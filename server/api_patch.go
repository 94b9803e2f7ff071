package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"unicode/utf8"

	jsonpatch "github.com/evanphx/json-patch/v5"
	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/topology"
)

// PATCH takes a JSON Merge Patch (RFC 7396): the fields the body names are
// set, a field set to null goes back to its default, the others stay as
// they are; a list in a patch replaces the whole list. Unlike a PUT without
// If-Match (last write wins: the sender's whole copy replaces what is
// stored), a PATCH cannot undo someone else's change to a field it does not
// name: it is applied to the entity as stored, and written only if nothing
// changed in the workspace in between (else it is applied again to the
// newer state). With If-Match it must match, as for PUT.
//
// The merge itself is github.com/evanphx/json-patch/v5 (MergePatch).

const mimeMergePatch = "application/merge-patch+json"

// patchAttempts bounds how often a PATCH without If-Match is applied again
// because the workspace changed between reading and writing.
const patchAttempts = 5

// readMergePatch reads the body of a PATCH: a JSON object, as
// application/merge-patch+json or application/json.
func readMergePatch(c echo.Context, limit int64) ([]byte, error) {
	r := c.Request()
	if mt := mediaType(r.Header.Get(echo.HeaderContentType)); mt != mimeMergePatch && mt != echo.MIMEApplicationJSON {
		return nil, echo.NewHTTPError(http.StatusUnsupportedMediaType,
			"Content-Type "+strconv.Quote(mt)+" is not accepted here; send a JSON Merge Patch as "+mimeMergePatch+" (or application/json)")
	}
	data, err := topology.ReadAllBounded(r.Body, limit)
	if err != nil {
		return nil, err
	}
	if !utf8.Valid(data) {
		return nil, topology.Errorf(topology.EINVALID, "invalid JSON: the body is not valid UTF-8 (byte %d)", invalidUTF8At(data))
	}
	// RFC 7396 lets a patch that is not an object replace the whole
	// target; here that is what PUT is for.
	if t := bytes.TrimSpace(data); len(t) == 0 || t[0] != '{' {
		return nil, topology.Errorf(topology.EINVALID, "a merge patch is a JSON object of the fields to change, such as {\"team\": \"payments\"}")
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(data, &obj); err != nil {
		return nil, jsonError(err)
	}
	c.Set(rawBodyKey, data)
	return data, nil
}

// decodeStrict decodes one JSON object as decodeJSON does: unknown fields
// and trailing data are errors.
func decodeStrict(data []byte, dst any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return topology.Errorf(topology.EINVALID, "invalid JSON: unexpected data after the object at byte %d", dec.InputOffset())
	}
	return nil
}

// handlePatch applies a merge patch to one entity.
func (e entityAPI[T, R]) handlePatch(c echo.Context) error {
	id, err := apiID(c)
	if err != nil {
		return err
	}
	ifm, err := ifMatch(c)
	if err != nil {
		return err
	}
	patch, err := readMergePatch(c, maxAPIBody)
	if err != nil {
		return err
	}
	if err := refuseWrittenZeros(c); err != nil {
		return err
	}
	ctx := c.Request().Context()
	slug := c.Param("slug")
	for attempt := 1; ; attempt++ {
		// The revision is read before the entity, so that a change in
		// between makes the write fail safe (EPRECONDITION), never lost.
		expected := ifm
		if expected == 0 {
			ws, err := e.db.GetWorkspace(ctx, slug)
			if err != nil {
				return err
			}
			expected = ws.Revision
		}
		cur, err := e.entities.Get(ctx, slug, id)
		if err != nil {
			return err
		}
		doc, err := json.Marshal(cur)
		if err != nil {
			return err
		}
		merged, err := jsonpatch.MergePatch(doc, patch)
		if err != nil {
			return topology.Errorf(topology.EINVALID, "the merge patch cannot be applied: %v", err)
		}
		var rec R
		if err := decodeStrict(merged, &rec); err != nil {
			return err
		}
		if got := e.id(&rec); got != id {
			return topology.Errorf(topology.EINVALID, "id: the patch says %d but the address says %d; ids cannot be changed", got, id)
		}
		out, ws, err := e.entities.Update(ctx, slug, id, e.value(&rec), expected)
		if ifm == 0 && topology.ErrorCode(err) == topology.EPRECONDITION && attempt < patchAttempts {
			continue // someone else wrote meanwhile: apply the patch to their result
		}
		if err != nil {
			return err
		}
		setETag(c, ws.Revision)
		return writeJSON(c, http.StatusOK, out)
	}
}

// handleAPIModelPatch applies a merge patch to the whole model: typically
// its name, description or settings ({"settings": {"max_sync_chain": 8}}),
// though a list in the patch replaces that list. Entities keep their ids.
func (s *Server) handleAPIModelPatch(c echo.Context) error {
	ifm, err := ifMatch(c)
	if err != nil {
		return err
	}
	patch, err := readMergePatch(c, topology.MaxInputSize)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	slug := c.Param("slug")
	for attempt := 1; ; attempt++ {
		m, ws, err := s.db.LoadModel(ctx, slug)
		if err != nil {
			return err
		}
		if ifm != 0 && ifm != ws.Revision {
			return topology.Errorf(topology.EPRECONDITION, "the workspace is at revision %d, not %d: it changed since you read it", ws.Revision, ifm)
		}
		doc, err := topology.EncodeJSON(m)
		if err != nil {
			return err
		}
		merged, err := jsonpatch.MergePatch(doc, patch)
		if err != nil {
			return topology.Errorf(topology.EINVALID, "the merge patch cannot be applied: %v", err)
		}
		next, err := topology.Parse(merged)
		if err != nil {
			return err
		}
		ws, err = s.db.ReplaceModel(ctx, slug, next, ws.Revision)
		if ifm == 0 && topology.ErrorCode(err) == topology.EPRECONDITION && attempt < patchAttempts {
			continue
		}
		if err != nil {
			return err
		}
		setETag(c, ws.Revision)
		return writeJSON(c, http.StatusOK, ws)
	}
}
