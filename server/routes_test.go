package server

import (
	"net/http"
	"strings"
	"testing"
)

// TestErrorStyleFollowsTheGroup: an API address answers errors as JSON and
// a page address as a page, whatever the error, including addresses no
// route has.
func TestErrorStyleFollowsTheGroup(t *testing.T) {
	f := newAPIFixture(t)
	for _, tc := range []struct {
		method, path string
		json         bool
		status       int
	}{
		{"GET", "/api/v1/no/such/thing", true, http.StatusUnauthorized},
		{"GET", "/api/v1/workspaces/nope", true, http.StatusNotFound},
		{"GET", "/api/v1/no/such/thing?with=token", true, http.StatusNotFound},
		{"GET", "/s/" + strings.Repeat("A", 43), false, http.StatusNotFound},
		{"GET", "/no/such/page", false, http.StatusSeeOther},
		{"PATCH", "/api/v1/workspaces?with=token", true, http.StatusNotFound},
	} {
		var r *apiResp
		if strings.Contains(tc.path, "with=token") || tc.path == "/api/v1/workspaces/nope" {
			r = f.api(t, tc.method, strings.TrimPrefix(strings.TrimSuffix(tc.path, "?with=token"), "/api/v1"), nil)
		} else {
			r = request(t, f.testServer, tc.method, tc.path, nil)
		}
		if r.StatusCode != tc.status {
			t.Errorf("%s %s: status %d, want %d", tc.method, tc.path, r.StatusCode, tc.status)
		}
		isJSON := strings.HasPrefix(r.Header.Get("Content-Type"), "application/json")
		if isJSON != tc.json {
			t.Errorf("%s %s: Content-Type %q, want JSON %v", tc.method, tc.path, r.Header.Get("Content-Type"), tc.json)
		}
	}
}
