package server

import (
	"encoding/json"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
)

// TestOpenAPIDescribesEveryRoute walks the routes the server registers under
// /api/v1 and checks that the OpenAPI document has each (method and path,
// :param written {param}), and that it has nothing the server lacks.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	f := newAPIFixture(t)
	r := request(t, f.testServer, "GET", "/api/v1/openapi.json", nil).want(t, http.StatusOK)
	var doc struct {
		OpenAPI string `json:"openapi"`
		Servers []struct {
			URL string `json:"url"`
		} `json:"servers"`
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Schemas    map[string]json.RawMessage `json:"schemas"`
			Parameters map[string]json.RawMessage `json:"parameters"`
			Responses  map[string]json.RawMessage `json:"responses"`
			Headers    map[string]json.RawMessage `json:"headers"`
		} `json:"components"`
	}
	r.decode(t, &doc)
	if !strings.HasPrefix(doc.OpenAPI, "3.") || len(doc.Servers) != 1 || doc.Servers[0].URL != "/api/v1" {
		t.Fatalf("openapi %q, servers %+v: want OpenAPI 3 served from /api/v1", doc.OpenAPI, doc.Servers)
	}

	documented := map[string]bool{}
	for path, item := range doc.Paths {
		for method := range item {
			if method == "parameters" {
				continue
			}
			documented[strings.ToUpper(method)+" /api/v1"+path] = true
		}
	}
	param := regexp.MustCompile(`:([a-z_]+)`)
	registered := map[string]bool{}
	for _, rt := range f.srv.echo.Routes() {
		if !strings.HasPrefix(rt.Path, "/api/v1/") || rt.Method == echo.RouteNotFound {
			continue
		}
		registered[rt.Method+" "+param.ReplaceAllString(rt.Path, "{$1}")] = true
	}
	if len(registered) < 20 {
		t.Fatalf("only %d API routes registered: %v", len(registered), registered)
	}
	for _, k := range slices.Sorted(maps.Keys(registered)) {
		if !documented[k] {
			t.Errorf("route %s is not in openapi.json", k)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(documented)) {
		if !registered[k] {
			t.Errorf("openapi.json describes %s, which the server does not have", k)
		}
	}

	// Every $ref points at something the document defines.
	refs := regexp.MustCompile(`"\$ref":\s*"#/components/(\w+)/(\w+)"`).FindAllStringSubmatch(string(r.body), -1)
	if len(refs) == 0 {
		t.Fatal("no $ref in the document")
	}
	for _, m := range refs {
		var ok bool
		switch m[1] {
		case "schemas":
			_, ok = doc.Components.Schemas[m[2]]
		case "parameters":
			_, ok = doc.Components.Parameters[m[2]]
		case "responses":
			_, ok = doc.Components.Responses[m[2]]
		case "headers":
			_, ok = doc.Components.Headers[m[2]]
		}
		if !ok {
			t.Errorf("dangling $ref #/components/%s/%s", m[1], m[2])
		}
	}
}
