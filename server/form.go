package server

import (
	"errors"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/topology"
	"github.com/archmap/archmap/views"
)

// newForm collects the named fields of the request, trimmed, so that a form
// that fails comes back holding what the user typed.
func newForm(c echo.Context, fields ...string) *views.Form {
	f := &views.Form{Values: make(map[string]string, len(fields)), Errors: map[string]string{}}
	for _, name := range fields {
		f.Values[name] = strings.TrimSpace(c.FormValue(name))
	}
	return f
}

// addError puts err on the form: each validation problem next to the field
// its path ends in ("services[3].name" → "name"), conflicts and anything
// without a field at the top. It returns false for errors that are not the
// user's to fix, which the caller passes on to the error handler.
func addError(f *views.Form, err error) bool {
	var ve *topology.ValidationError
	if errors.As(err, &ve) {
		for _, p := range ve.Problems {
			// A form with lists names its fields by the whole path
			// ("calls[1].to"); the others by its last element.
			field := p.Path
			if _, whole := f.Values[field]; !whole {
				field = fieldOf(p.Path)
			}
			if _, known := f.Values[field]; known && f.Errors[field] == "" {
				f.Errors[field] = sentence(p.Message)
			} else {
				f.General = append(f.General, sentence(p.String()))
			}
		}
		return true
	}
	switch topology.ErrorCode(err) {
	case topology.EINVALID, topology.ECONFLICT, topology.EPRECONDITION, topology.ENOTFOUND:
		msg := topology.ErrorMessage(err)
		// The store names the field a conflict is about as a prefix:
		// "name: a service named "x" already exists".
		if field, rest, ok := strings.Cut(msg, ": "); ok {
			if _, known := f.Values[field]; known && f.Errors[field] == "" {
				f.Errors[field] = sentence(rest)
				return true
			}
		}
		f.General = append(f.General, sentence(msg))
		return true
	}
	return false
}

// fieldOf returns the last element of a problem path: "placements[2].server"
// → "server", "name" → "name", "placements[2]" → "".
func fieldOf(path string) string {
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		path = path[i+1:]
	}
	if strings.ContainsRune(path, '[') {
		return ""
	}
	return path
}

// sentence capitalises a message and ends it with a full stop.
func sentence(s string) string {
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	s = string(unicode.ToUpper(r)) + s[n:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

// formRevision reads the workspace revision a form was rendered at. Every
// write sends it as the expected revision, so a change made in between by
// someone else is refused with a clear message instead of being overwritten.
func formRevision(c echo.Context) (int64, error) {
	v := c.FormValue("revision")
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 1 {
		return 0, topology.Errorf(topology.EINVALID, "The form lacks the workspace revision it was made from. Reload the page.")
	}
	return n, nil
}

// parseID reads a positive integer path parameter.
func parseID(c echo.Context, name string) (int64, error) {
	n, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || n < 1 {
		return 0, topology.Errorf(topology.ENOTFOUND, "There is nothing at this address.")
	}
	return n, nil
}

// idAndRevision reads what every edit of one entity needs: its :id and the
// revision the form was made from.
func idAndRevision(c echo.Context) (id, rev int64, err error) {
	if id, err = parseID(c, "id"); err != nil {
		return 0, 0, err
	}
	if rev, err = formRevision(c); err != nil {
		return 0, 0, err
	}
	return id, rev, nil
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
