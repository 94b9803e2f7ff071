package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/topology"
)

// maxAPIBody bounds a JSON body of the API other than a whole model (an
// entity, a simulation, a share); a model is bounded by topology.MaxInputSize.
const maxAPIBody = 1 << 20

// rawBodyKey keeps the decoded body in the context for checks that need
// more than the struct it was decoded into.
const rawBodyKey = "api.rawBody"

// decodeJSON reads the request body as one JSON object into dst, strictly:
// an unknown field, a wrong type or anything after the object is a 400 that
// says what and where. An empty body is an error unless emptyOK, when it
// leaves dst as it was.
func decodeJSON(c echo.Context, dst any, emptyOK bool) error {
	r := c.Request()
	data, err := topology.ReadAllBounded(r.Body, maxAPIBody)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(data)) == 0 {
		if emptyOK {
			return nil
		}
		return topology.Errorf(topology.EINVALID, "the request body is empty; send a JSON object")
	}
	if ct := r.Header.Get(echo.HeaderContentType); ct != "" && mediaType(ct) != echo.MIMEApplicationJSON {
		return echo.NewHTTPError(http.StatusUnsupportedMediaType, fmt.Sprintf("Content-Type %s is not accepted here; send application/json", strconv.Quote(mediaType(ct))))
	}
	// encoding/json would quietly turn invalid UTF-8 into U+FFFD and store a
	// name the client never sent.
	if !utf8.Valid(data) {
		return topology.Errorf(topology.EINVALID, "invalid JSON: the body is not valid UTF-8 (byte %d)", invalidUTF8At(data))
	}
	c.Set(rawBodyKey, data)
	return decodeStrict(data, dst)
}

// jsonError turns a decoding error into a message that names the place.
func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return topology.Errorf(topology.EINVALID, "invalid JSON at byte %d: %s", syn.Offset, strings.TrimPrefix(syn.Error(), "json: "))
	case errors.As(err, &typ):
		if typ.Field == "" {
			return topology.Errorf(topology.EINVALID, "invalid JSON: want an object, got %s", typ.Value)
		}
		return topology.Errorf(topology.EINVALID, "%s: want %s, got %s", typ.Field, jsonTypeName(typ.Type.Kind().String()), typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return topology.Errorf(topology.EINVALID, "invalid JSON: the body ends in the middle of the object")
	}
	// encoding/json says `json: unknown field "x"` for DisallowUnknownFields.
	if msg, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return topology.Errorf(topology.EINVALID, "unknown field %s", msg)
	}
	return topology.Errorf(topology.EINVALID, "invalid JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
}

func jsonTypeName(kind string) string {
	switch kind {
	case "int", "int64", "int32", "float64", "float32":
		return "a number"
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "slice":
		return "a list"
	case "struct", "map":
		return "an object"
	}
	return kind
}

// mediaType is the media type of a Content-Type or Accept element, lowercase
// and without parameters.
func mediaType(v string) string {
	mt, _, err := mime.ParseMediaType(v)
	if err != nil {
		return strings.ToLower(strings.TrimSpace(v))
	}
	return mt
}

// isYAMLType reports whether a media type names YAML (RFC 9512's
// application/yaml and the older names still in use).
func isYAMLType(mt string) bool {
	switch mt {
	case "application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml":
		return true
	}
	return false
}

// wantsYAML reports whether the client's Accept header prefers YAML to JSON.
// Only the first acceptable of the two counts; weights are not ranked, as
// no client of ours sends both.
func wantsYAML(c echo.Context) bool {
	for _, part := range strings.Split(c.Request().Header.Get(echo.HeaderAccept), ",") {
		mt := mediaType(part)
		if isYAMLType(mt) {
			return true
		}
		if mt == echo.MIMEApplicationJSON {
			return false
		}
	}
	return false
}

// writeJSON answers with v as JSON. User text stays as typed (no \u003c):
// the API's answers are data, never put into a page unescaped.
func writeJSON(c echo.Context, status int, v any) error {
	body, err := encodeJSON(v)
	if err != nil {
		return err
	}
	return c.Blob(status, echo.MIMEApplicationJSON, body)
}

// encodeJSON is the API's JSON: one line, "<" and "&" as they are.
func encodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// etag is the entity tag of a workspace revision: the revision in quotes.
func etag(revision int64) string { return `"` + strconv.FormatInt(revision, 10) + `"` }

func setETag(c echo.Context, revision int64) {
	c.Response().Header().Set("ETag", etag(revision))
}

// ifMatch returns the revision named by the If-Match header, 0 when there
// is none (or "*", which any existing workspace matches). Both the ETag
// form ("12") and a bare revision (12) are accepted.
func ifMatch(c echo.Context) (int64, error) {
	v := strings.TrimSpace(c.Request().Header.Get("If-Match"))
	if v == "" || v == "*" {
		return 0, nil
	}
	raw := v
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		v = v[1 : len(v)-1]
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 1 {
		return 0, topology.Errorf(topology.EINVALID, "If-Match: want the workspace revision as an ETag such as \"12\", got %s", strconv.Quote(raw))
	}
	return n, nil
}

func invalidUTF8At(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(b)
}
