package topology

import (
	"errors"
	"fmt"
	"strings"
)

// Error codes shared by every layer; the server maps them to HTTP statuses
// in one place, the CLI to exit codes.
const (
	ECONFLICT     = "conflict"     // a uniqueness rule or a stale revision
	EINTERNAL     = "internal"     // a bug or an unavailable dependency; details go to the log only
	EINVALID      = "invalid"      // the input breaks a rule; the message says which and where
	ENOTFOUND     = "not_found"    // the thing does not exist (or is not visible to the caller)
	EUNAUTHORIZED = "unauthorized" // no valid credentials
	EFORBIDDEN    = "forbidden"    // credentials that do not allow this
	ETOOLARGE     = "too_large"    // input over its size bound
	EPRECONDITION = "precondition" // If-Match / expected revision did not match
	EUNAVAILABLE  = "unavailable"  // busy, try again later (render queue full)
	ETIMEOUT      = "timeout"      // work stopped at its time limit
)

// Error is an error meant for the user: its Message is safe to show.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Message }

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err: the code of an *Error or a *ValidationError
// found in its chain, else EINTERNAL (nil gives "").
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var ve *ValidationError
	if errors.As(err, &ve) {
		return EINVALID
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-safe message of err; internal errors get a
// generic text so that their details never reach a user.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var ve *ValidationError
	if errors.As(err, &ve) {
		return ve.Error()
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// Problem is one broken rule, located by its path in the model
// ("services[3].name") and, for YAML input, its line (0 when unknown).
type Problem struct {
	Path    string `json:"path"`
	Line    int    `json:"line,omitempty"`
	Message string `json:"message"`
}

func (p Problem) String() string {
	var b strings.Builder
	if p.Path != "" {
		b.WriteString(p.Path)
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	if p.Line > 0 {
		fmt.Fprintf(&b, " (line %d)", p.Line)
	}
	return b.String()
}

// ValidationError holds every problem found in one input; nothing is stored
// when one is returned.
type ValidationError struct {
	Problems []Problem
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.String()
	}
	return strings.Join(parts, "; ")
}
