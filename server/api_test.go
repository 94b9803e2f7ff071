package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/archmap/archmap/auth"
	"github.com/archmap/archmap/risk"
	"github.com/archmap/archmap/store"
	"github.com/archmap/archmap/topology"
)

// apiFixture is the real server with one account and an API token of it.
type apiFixture struct {
	*testServer
	user  *store.User
	token string
}

var (
	fixtureHashOnce sync.Once
	fixtureHash     []byte
	fixtureHashErr  error
)

// fixturePasswordHash hashes testPassword once per test binary: argon2id is
// slow on purpose, and fixtures that make accounts directly need a hash.
func fixturePasswordHash(tb testing.TB) []byte {
	tb.Helper()
	fixtureHashOnce.Do(func() { fixtureHash, fixtureHashErr = testPasswords.Hash(testPassword) })
	if fixtureHashErr != nil {
		tb.Fatal(fixtureHashErr)
	}
	return fixtureHash
}

func newAPIFixture(tb testing.TB, configure ...func(*Config)) *apiFixture {
	tb.Helper()
	ts := newTestServer(tb, configure...)
	u, err := ts.db.CreateUser(context.Background(), testEmail, fixturePasswordHash(tb), true)
	if err != nil {
		tb.Fatal(err)
	}
	// As /setup would have stored it: share links are built from it.
	if err := ts.db.SetInstanceSetting(context.Background(), store.InstanceBaseURL, ts.URL); err != nil {
		tb.Fatal(err)
	}
	return &apiFixture{testServer: ts, user: u, token: mustAPIToken(tb, ts.db, u.ID)}
}

func mustAPIToken(tb testing.TB, db *store.DB, userID int64) string {
	tb.Helper()
	token, hash, err := auth.NewSecret()
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := db.CreateAPIToken(context.Background(), userID, "test", hash); err != nil {
		tb.Fatal(err)
	}
	return token
}

// apiResp is an answer with its body read.
type apiResp struct {
	*http.Response
	body []byte
}

// request sends a request to the test server. body is nil, a string, a
// []byte or a value sent as JSON; headers come in name, value pairs.
func request(tb testing.TB, ts *testServer, method, path string, body any, headers ...string) *apiResp {
	tb.Helper()
	var r io.Reader
	ctype := ""
	switch b := body.(type) {
	case nil:
	case string:
		r, ctype = strings.NewReader(b), "application/json"
	case []byte:
		r, ctype = bytes.NewReader(b), "application/json"
	default:
		data, err := json.Marshal(b)
		if err != nil {
			tb.Fatal(err)
		}
		r, ctype = bytes.NewReader(data), "application/json"
	}
	req, err := http.NewRequest(method, ts.URL+path, r)
	if err != nil {
		tb.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return &apiResp{Response: resp, body: data}
}

// api sends an API request with the fixture's token.
func (f *apiFixture) api(tb testing.TB, method, path string, body any, headers ...string) *apiResp {
	tb.Helper()
	return request(tb, f.testServer, method, "/api/v1"+path, body, append([]string{"Authorization", "Bearer " + f.token}, headers...)...)
}

func (r *apiResp) want(tb testing.TB, status int) *apiResp {
	tb.Helper()
	if r.StatusCode != status {
		tb.Fatalf("%s %s: status %d, want %d; body:\n%.2000s", r.Request.Method, r.Request.URL.Path, r.StatusCode, status, r.body)
	}
	return r
}

func (r *apiResp) decode(tb testing.TB, v any) {
	tb.Helper()
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		tb.Fatalf("%s %s: Content-Type %q, want JSON; body:\n%.500s", r.Request.Method, r.Request.URL.Path, ct, r.body)
	}
	if err := json.Unmarshal(r.body, v); err != nil {
		tb.Fatalf("%s %s: %v in:\n%.500s", r.Request.Method, r.Request.URL.Path, err, r.body)
	}
}

// errorText is the message of a JSON error answer; it fails when the answer
// is not {"error": "..."}.
func (r *apiResp) errorText(tb testing.TB) string {
	tb.Helper()
	var e map[string]string
	r.decode(tb, &e)
	msg, ok := e["error"]
	if !ok || len(e) != 1 || msg == "" {
		tb.Fatalf("%s %s: want {\"error\": \"...\"}, got %s", r.Request.Method, r.Request.URL.Path, r.body)
	}
	return msg
}

func (r *apiResp) wantError(tb testing.TB, status int, contains ...string) {
	tb.Helper()
	r.want(tb, status)
	msg := r.errorText(tb)
	for _, s := range contains {
		if !strings.Contains(msg, s) {
			tb.Errorf("%s %s: error %q does not mention %q", r.Request.Method, r.Request.URL.Path, msg, s)
		}
	}
}

func (r *apiResp) etag(tb testing.TB) int64 {
	tb.Helper()
	v := r.Header.Get("ETag")
	n, err := strconv.ParseInt(strings.Trim(v, `"`), 10, 64)
	if err != nil || !strings.HasPrefix(v, `"`) {
		tb.Fatalf("%s %s: ETag %q is not a quoted revision", r.Request.Method, r.Request.URL.Path, v)
	}
	return n
}

// shopModel is a small model with every kind of entity and a finding or two.
func shopModel() *topology.Model {
	return &topology.Model{
		Version: 1, Name: "Shop",
		Services: []topology.Service{
			{Name: "web", Kind: topology.KindFrontend, Team: "storefront"},
			{Name: "cart", Team: "checkout"},
			{Name: "db", Kind: topology.KindDatabase},
		},
		Servers: []topology.Server{{Name: "node-a", Zone: "z1"}, {Name: "node-b", Zone: "z2"}},
		Placements: []topology.Placement{
			{Service: "web", Server: "node-a", Instances: 2},
			{Service: "cart", Server: "node-a"},
			{Service: "cart", Server: "node-b"},
			{Service: "db", Server: "node-b"},
		},
		Dependencies: []topology.Dependency{
			{From: "web", To: "cart", Protocol: topology.ProtocolGRPC},
			{From: "cart", To: "db", Protocol: topology.ProtocolSQL},
		},
	}
}

// importModel stores m in a new workspace and returns its slug.
func importModel(tb testing.TB, db *store.DB, slug string, m *topology.Model) string {
	tb.Helper()
	ws, _, err := db.ImportModel(context.Background(), slug, m)
	if err != nil {
		tb.Fatal(err)
	}
	return ws.Slug
}

func TestAPIWithoutAValidTokenIs401(t *testing.T) {
	f := newAPIFixture(t)
	slug := importModel(t, f.db, "shop", shopModel())
	tests := []struct {
		name   string
		header string
	}{
		{"no header", ""},
		{"empty bearer", "Bearer "},
		{"basic scheme", "Basic " + f.token},
		{"unknown token", "Bearer " + strings.Repeat("A", 43)},
		{"token with a character changed", "Bearer " + f.token[:42] + flip(f.token[42])},
		{"too long", "Bearer " + f.token + "x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, rt := range []struct{ method, path string }{
				{"GET", "/api/v1/workspaces"},
				{"POST", "/api/v1/workspaces"},
				{"GET", "/api/v1/workspaces/" + slug + "/model"},
				{"DELETE", "/api/v1/workspaces/" + slug},
				{"GET", "/api/v1/no-such-route"},
			} {
				var hdr []string
				if tt.header != "" {
					hdr = []string{"Authorization", tt.header}
				}
				r := request(t, f.testServer, rt.method, rt.path, `{"name":"x"}`, hdr...)
				r.wantError(t, http.StatusUnauthorized)
				if got := r.Header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer") {
					t.Errorf("%s %s: WWW-Authenticate %q, want a Bearer challenge", rt.method, rt.path, got)
				}
			}
		})
	}
	if _, err := f.db.GetWorkspace(t.Context(), slug); err != nil {
		t.Fatalf("the workspace is gone after unauthorized deletes: %v", err)
	}
	// The scheme's case does not matter (RFC 9110).
	request(t, f.testServer, "GET", "/api/v1/workspaces", nil, "Authorization", "bearer "+f.token).want(t, http.StatusOK)
	// An unknown API address with a good token is a JSON 404.
	f.api(t, "GET", "/no-such-route", nil).wantError(t, http.StatusNotFound)
}

func flip(b byte) string {
	if b == 'A' {
		return "B"
	}
	return "A"
}

func TestAPIWorkspaces(t *testing.T) {
	f := newAPIFixture(t)
	var list listBody[store.Workspace]
	f.api(t, "GET", "/workspaces", nil).want(t, http.StatusOK).decode(t, &list)
	if list.Items == nil || len(list.Items) != 0 || list.Total != 0 {
		t.Fatalf("empty list = %+v, want items [] and total 0", list)
	}

	r := f.api(t, "POST", "/workspaces", map[string]string{"name": "Online Shop", "description": "the <b>shop</b>"}).want(t, http.StatusCreated)
	var ws store.Workspace
	r.decode(t, &ws)
	if ws.Slug != "online-shop" || ws.Name != "Online Shop" || ws.Description != "the <b>shop</b>" || ws.Revision != 1 {
		t.Fatalf("created %+v", ws)
	}
	if got := r.Header.Get("Location"); got != "/api/v1/workspaces/online-shop" {
		t.Errorf("Location %q", got)
	}
	if r.etag(t) != 1 {
		t.Errorf("ETag %q, want \"1\"", r.Header.Get("ETag"))
	}
	// The same name in any case is refused, with a message saying so.
	if r := f.api(t, "POST", "/workspaces", map[string]string{"name": "online SHOP"}).want(t, http.StatusConflict); !strings.Contains(string(r.body), `named \"Online Shop\" already exists`) {
		t.Errorf("a duplicate name answered %s", r.body)
	}
	// A name that makes the same slug gets the next free slug.
	f.api(t, "POST", "/workspaces", map[string]string{"name": "Online Shop!"}).want(t, http.StatusCreated).decode(t, &ws)
	if ws.Slug != "online-shop-2" {
		t.Errorf("second slug %q, want online-shop-2", ws.Slug)
	}
	f.api(t, "GET", "/workspaces", nil).want(t, http.StatusOK).decode(t, &list)
	if list.Total != 2 || len(list.Items) != 2 {
		t.Fatalf("list = %+v, want 2", list)
	}
	f.api(t, "GET", "/workspaces/online-shop", nil).want(t, http.StatusOK).decode(t, &ws)
	if ws.Slug != "online-shop" {
		t.Errorf("got %+v", ws)
	}

	bad := []struct {
		name, body string
		status     int
		mention    []string
	}{
		{"unknown field", `{"name": "x", "colour": "red"}`, 400, []string{`unknown field "colour"`}},
		{"wrong type", `{"name": 5}`, 400, []string{"name", "string"}},
		{"not an object", `["x"]`, 400, []string{"object"}},
		{"syntax", `{"name": "x",}`, 400, []string{"invalid JSON"}},
		{"trailing data", `{"name": "x"} {"name": "y"}`, 400, []string{"after the object"}},
		{"empty body", ``, 400, []string{"empty"}},
		{"empty name", `{"name": ""}`, 400, []string{"name"}},
		{"control character in name", `{"name": "a\u0007b"}`, 400, []string{"name"}},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			f.api(t, "POST", "/workspaces", tt.body).wantError(t, tt.status, tt.mention...)
		})
	}
	r = request(t, f.testServer, "POST", "/api/v1/workspaces", nil, "Authorization", "Bearer "+f.token, "Content-Type", "text/plain")
	r.want(t, http.StatusBadRequest) // empty body is checked first
	req := request(t, f.testServer, "POST", "/api/v1/workspaces", `{"name": "x"}`, "Authorization", "Bearer "+f.token, "Content-Type", "application/x-www-form-urlencoded")
	req.wantError(t, http.StatusUnsupportedMediaType, "application/json")
	f.api(t, "GET", "/workspaces", nil).decode(t, &list)
	if list.Total != 2 {
		t.Fatalf("%d workspaces after bad requests, want 2", list.Total)
	}

	f.api(t, "DELETE", "/workspaces/online-shop", nil, "If-Match", `"abc"`).wantError(t, http.StatusBadRequest, "If-Match")
	rev := f.api(t, "GET", "/workspaces/online-shop/model", nil).want(t, http.StatusOK).etag(t)
	f.api(t, "DELETE", "/workspaces/online-shop", nil, "If-Match", etag(rev+1)).wantError(t, http.StatusPreconditionFailed, "changed")
	f.api(t, "GET", "/workspaces/online-shop", nil).want(t, http.StatusOK) // still there
	f.api(t, "DELETE", "/workspaces/online-shop", nil, "If-Match", etag(rev)).want(t, http.StatusNoContent)
	f.api(t, "GET", "/workspaces/online-shop", nil).wantError(t, http.StatusNotFound, "online-shop")
	f.api(t, "DELETE", "/workspaces/online-shop", nil).wantError(t, http.StatusNotFound)
}

func TestAPIModelGetAndPut(t *testing.T) {
	f := newAPIFixture(t)
	slug := importModel(t, f.db, "shop", shopModel())

	r := f.api(t, "GET", "/workspaces/"+slug+"/model", nil).want(t, http.StatusOK)
	rev := r.etag(t)
	want, err := topology.EncodeJSON(shopModel())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(r.body, want) {
		t.Errorf("model JSON:\n%s\nwant:\n%s", r.body, want)
	}
	f.api(t, "GET", "/workspaces/"+slug+"/model", nil, "If-None-Match", etag(rev)).want(t, http.StatusNotModified)

	r = f.api(t, "GET", "/workspaces/"+slug+"/model", nil, "Accept", "application/yaml").want(t, http.StatusOK)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/yaml") {
		t.Errorf("Content-Type %q, want application/yaml", ct)
	}
	if m, err := topology.Parse(r.body); err != nil || !reflect.DeepEqual(m, mustParse(t, want)) {
		t.Errorf("YAML model does not read back as the model: %v\n%s", err, r.body)
	}

	// PUT YAML with the current revision, as an ETag.
	m := shopModel()
	m.Name = "Shop v2"
	m.Services = append(m.Services, topology.Service{Name: "search"})
	y, err := topology.EncodeYAML(m)
	if err != nil {
		t.Fatal(err)
	}
	r = f.api(t, "PUT", "/workspaces/"+slug+"/model", string(y), "Content-Type", "application/yaml", "If-Match", etag(rev)).want(t, http.StatusOK)
	var ws store.Workspace
	r.decode(t, &ws)
	if ws.Revision != rev+1 || r.etag(t) != rev+1 || ws.Name != "Shop v2" || ws.Slug != slug {
		t.Fatalf("after PUT: %+v, ETag %s", ws, r.Header.Get("ETag"))
	}
	got, _, err := f.db.LoadModel(t.Context(), slug)
	if err != nil || len(got.Services) != 4 {
		t.Fatalf("stored model has %d services (%v), want 4", len(got.Services), err)
	}

	// PUT JSON with a bare revision in If-Match.
	j, _ := topology.EncodeJSON(shopModel())
	f.api(t, "PUT", "/workspaces/"+slug+"/model", j, "If-Match", strconv.FormatInt(rev+1, 10)).want(t, http.StatusOK)

	// Failures change nothing.
	before := modelBytes(t, f.db, slug)
	bad := []struct {
		name    string
		body    string
		headers []string
		status  int
		mention []string
	}{
		{"stale If-Match", string(j), []string{"If-Match", etag(rev)}, 412, []string{"changed"}},
		{"malformed If-Match", string(j), []string{"If-Match", `"abc"`}, 400, []string{"If-Match"}},
		{"invalid model", `{"version": 1, "name": "x", "services": [{"name": "a"}, {"name": "a"}]}`, nil, 400, []string{"services[1].name", "duplicate"}},
		{"unknown field", `{"version": 1, "name": "x", "colour": "red"}`, nil, 400, []string{"colour"}},
		{"YAML sent as JSON", "version: 1\nname: x\n", nil, 400, []string{"JSON"}},
		{"YAML with a line number", "version: 1\nname: x\nservices:\n  - name: a\n    kind: spaceship\n", []string{"Content-Type", "application/yaml"}, 400, []string{"kind", "line 5"}},
		{"text/plain", string(j), []string{"Content-Type", "text/plain"}, 415, []string{"application/yaml"}},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			f.api(t, "PUT", "/workspaces/"+slug+"/model", tt.body, tt.headers...).wantError(t, tt.status, tt.mention...)
			if after := modelBytes(t, f.db, slug); !bytes.Equal(after, before) {
				t.Fatalf("a failed PUT changed the model")
			}
		})
	}
	f.api(t, "GET", "/workspaces/nope/model", nil).wantError(t, http.StatusNotFound)
	f.api(t, "PUT", "/workspaces/nope/model", j).wantError(t, http.StatusNotFound)
}

func mustParse(tb testing.TB, data []byte) *topology.Model {
	tb.Helper()
	m, err := topology.Parse(data)
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

func modelBytes(tb testing.TB, db *store.DB, slug string) []byte {
	tb.Helper()
	m, ws, err := db.LoadModel(context.Background(), slug)
	if err != nil {
		tb.Fatal(err)
	}
	b, err := topology.EncodeJSON(m)
	if err != nil {
		tb.Fatal(err)
	}
	return append(b, fmt.Sprint(ws.Revision)...)
}

func TestAPIBodiesAreBounded(t *testing.T) {
	f := newAPIFixture(t)
	slug := importModel(t, f.db, "shop", shopModel())
	before := modelBytes(t, f.db, slug)
	tests := []struct {
		name, method, path string
		size               int
	}{
		{"6 MiB model", "PUT", "/workspaces/" + slug + "/model", 6 << 20},
		{"5 MiB and a byte model", "PUT", "/workspaces/" + slug + "/model", 5<<20 + 1},
		{"6 MiB service", "POST", "/workspaces/" + slug + "/services", 6 << 20},
		{"2 MiB service", "POST", "/workspaces/" + slug + "/services", 2 << 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A valid JSON prefix, padded with spaces inside the object.
			body := []byte(`{"name": "big"` + strings.Repeat(" ", tt.size) + `}`)
			f.api(t, tt.method, tt.path, body).wantError(t, http.StatusRequestEntityTooLarge)
			if after := modelBytes(t, f.db, slug); !bytes.Equal(after, before) {
				t.Fatalf("a refused body changed the model")
			}
		})
	}
}

// entityCase drives the CRUD test of one kind of entity.
type entityCase struct {
	plural   string
	create   string // body of POST
	dup      string // body of a POST that conflicts with create
	update   string // body of PUT
	check    func(t *testing.T, rec map[string]any)
	invalid  string
	mention  string
	notFound string // a POST naming something that does not exist
}

func TestAPIEntities(t *testing.T) {
	cases := []entityCase{
		{
			plural: "services", create: `{"name": "search", "kind": "worker", "team": "find"}`, dup: `{"name": "search"}`,
			update: `{"name": "search-v2", "kind": "service"}`,
			check: func(t *testing.T, rec map[string]any) {
				if rec["name"] != "search-v2" || rec["kind"] != "service" || rec["team"] != nil {
					t.Errorf("updated service %v: want renamed, kind service, team cleared", rec)
				}
			},
			invalid: `{"name": "x", "kind": "spaceship"}`, mention: "kind",
		},
		{
			plural: "servers", create: `{"name": "node-c", "zone": "z3"}`, dup: `{"name": "node-c"}`,
			update: `{"name": "node-c", "kind": "managed"}`,
			check: func(t *testing.T, rec map[string]any) {
				if rec["kind"] != "managed" || rec["zone"] != nil {
					t.Errorf("updated server %v", rec)
				}
			},
			invalid: `{"name": ""}`, mention: "name",
		},
		{
			plural: "placements", create: `{"service": "web", "server": "node-b", "instances": 3}`, dup: `{"service": "web", "server": "node-b"}`,
			update: `{"service": "web", "server": "node-b", "instances": 5}`,
			check: func(t *testing.T, rec map[string]any) {
				if rec["instances"] != float64(5) || rec["service_id"] == nil {
					t.Errorf("updated placement %v", rec)
				}
			},
			invalid: `{"service": "web", "server": "node-b", "instances": -1}`, mention: "instances",
			notFound: `{"service": "web", "server": "nowhere"}`,
		},
		{
			plural: "dependencies", create: `{"from": "db", "to": "web", "mode": "async", "protocol": "queue"}`, dup: `{"from": "db", "to": "web"}`,
			update: `{"from": "db", "to": "web", "calls_per_request": 2.5}`,
			check: func(t *testing.T, rec map[string]any) {
				if rec["calls_per_request"] != 2.5 || rec["mode"] != "sync" {
					t.Errorf("updated dependency %v", rec)
				}
			},
			invalid: `{"from": "db", "to": "web", "mode": "sometimes"}`, mention: "mode",
			notFound: `{"from": "db", "to": "ghost"}`,
		},
	}
	for _, tc := range cases {
		t.Run(tc.plural, func(t *testing.T) {
			f := newAPIFixture(t)
			slug := importModel(t, f.db, "shop", shopModel())
			base := "/workspaces/" + slug + "/" + tc.plural

			var list listBody[map[string]any]
			r := f.api(t, "GET", base, nil).want(t, http.StatusOK)
			r.decode(t, &list)
			rev := r.etag(t)
			n := list.Total
			if n != len(list.Items) || n == 0 || r.Header.Get("X-Total-Count") != strconv.Itoa(n) || list.Limit != defaultPageLimit {
				t.Fatalf("list: %+v, X-Total-Count %q", list, r.Header.Get("X-Total-Count"))
			}

			r = f.api(t, "POST", base, tc.create, "If-Match", etag(rev)).want(t, http.StatusCreated)
			var rec map[string]any
			r.decode(t, &rec)
			id := int64(rec["id"].(float64))
			if r.Header.Get("Location") != "/api/v1"+base+"/"+strconv.FormatInt(id, 10) || r.etag(t) != rev+1 {
				t.Errorf("Location %q, ETag %q", r.Header.Get("Location"), r.Header.Get("ETag"))
			}
			rev++
			item := base + "/" + strconv.FormatInt(id, 10)
			var got map[string]any
			r = f.api(t, "GET", item, nil).want(t, http.StatusOK)
			r.decode(t, &got)
			if !reflect.DeepEqual(got, rec) || r.etag(t) != rev {
				t.Errorf("GET %v (ETag %s), want %v (ETag %d)", got, r.Header.Get("ETag"), rec, rev)
			}

			f.api(t, "POST", base, tc.dup).wantError(t, http.StatusConflict, "already")
			f.api(t, "POST", base, tc.invalid).wantError(t, http.StatusBadRequest, tc.mention)
			withExtra := strings.Replace(tc.create, "{", `{"nonsense": 1, `, 1)
			f.api(t, "POST", base, withExtra).wantError(t, http.StatusBadRequest, `unknown field "nonsense"`)
			if tc.notFound != "" {
				r := f.api(t, "POST", base, tc.notFound)
				if r.StatusCode != http.StatusBadRequest && r.StatusCode != http.StatusNotFound {
					t.Errorf("POST naming a missing entity: status %d, want 400 or 404: %s", r.StatusCode, r.body)
				}
			}
			// If-Match: a stale revision is refused, and changes nothing.
			f.api(t, "PUT", item, tc.update, "If-Match", etag(rev-1)).wantError(t, http.StatusPreconditionFailed)
			f.api(t, "DELETE", item, nil, "If-Match", etag(rev-1)).wantError(t, http.StatusPreconditionFailed)
			f.api(t, "POST", base, tc.update, "If-Match", etag(rev-1)).wantError(t, http.StatusPreconditionFailed)
			f.api(t, "GET", item, nil).want(t, http.StatusOK).decode(t, &got)
			if !reflect.DeepEqual(got, rec) {
				t.Fatalf("refused writes changed the entity: %v, want %v", got, rec)
			}

			r = f.api(t, "PUT", item, tc.update, "If-Match", etag(rev)).want(t, http.StatusOK)
			got = nil
			r.decode(t, &got)
			tc.check(t, got)
			if r.etag(t) != rev+1 || int64(got["id"].(float64)) != id {
				t.Errorf("PUT: ETag %s, id %v", r.Header.Get("ETag"), got["id"])
			}
			rev++

			// Pagination.
			f.api(t, "GET", base+"?offset=1&limit=1", nil).want(t, http.StatusOK).decode(t, &list)
			if list.Total != n+1 || len(list.Items) != 1 || list.Offset != 1 || list.Limit != 1 {
				t.Errorf("page: %+v", list)
			}
			f.api(t, "GET", base+"?offset="+strconv.Itoa(n+1), nil).want(t, http.StatusOK).decode(t, &list)
			if len(list.Items) != 0 || list.Items == nil {
				t.Errorf("page past the end: %+v, want items []", list)
			}
			for _, q := range []string{"offset=-1", "limit=0", "limit=x", "limit=10001"} {
				f.api(t, "GET", base+"?"+q, nil).wantError(t, http.StatusBadRequest)
			}

			r = f.api(t, "DELETE", item, nil, "If-Match", etag(rev)).want(t, http.StatusNoContent)
			if r.etag(t) != rev+1 {
				t.Errorf("DELETE ETag %s, want %d", r.Header.Get("ETag"), rev+1)
			}
			f.api(t, "GET", item, nil).wantError(t, http.StatusNotFound)
			f.api(t, "DELETE", item, nil).wantError(t, http.StatusNotFound)
			f.api(t, "GET", base+"/abc", nil).wantError(t, http.StatusNotFound)
			f.api(t, "GET", "/workspaces/nope/"+tc.plural, nil).wantError(t, http.StatusNotFound)
		})
	}
}

func TestAPIEntityOfAnotherWorkspaceIsNotFound(t *testing.T) {
	f := newAPIFixture(t)
	a := importModel(t, f.db, "a", shopModel())
	other := shopModel()
	other.Name = "Another shop" // workspace names are unique
	b := importModel(t, f.db, "b", other)
	var list listBody[store.ServiceRecord]
	f.api(t, "GET", "/workspaces/"+a+"/services", nil).decode(t, &list)
	id := strconv.FormatInt(list.Items[0].ID, 10)
	f.api(t, "GET", "/workspaces/"+b+"/services/"+id, nil).wantError(t, http.StatusNotFound)
	f.api(t, "PUT", "/workspaces/"+b+"/services/"+id, `{"name": "hijack"}`).wantError(t, http.StatusNotFound)
	f.api(t, "DELETE", "/workspaces/"+b+"/services/"+id, nil).wantError(t, http.StatusNotFound)
	f.api(t, "GET", "/workspaces/"+a+"/services/"+id, nil).want(t, http.StatusOK)
}

// TestAPIConcurrentCreates has several clients add services at once, each
// without If-Match: every one lands, none is lost, nothing fails, and the
// revision grows by exactly the number of writes.
func TestAPIConcurrentCreates(t *testing.T) {
	const clients, each = 8, 15
	f := newAPIFixture(t)
	slug := importModel(t, f.db, "shop", shopModel())
	ws0, err := f.db.GetWorkspace(t.Context(), slug)
	if err != nil {
		t.Fatal(err)
	}
	tokens := make([]string, clients)
	for i := range tokens {
		tokens[i] = mustAPIToken(t, f.db, f.user.ID)
	}
	var wg sync.WaitGroup
	errs := make(chan string, clients*each)
	for c := range clients {
		wg.Go(func() {
			for i := range each {
				body := fmt.Sprintf(`{"name": "svc-%d-%d"}`, c, i)
				req, _ := http.NewRequest("POST", f.URL+"/api/v1/workspaces/"+slug+"/services", strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+tokens[c])
				req.Header.Set("Content-Type", "application/json")
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					errs <- err.Error()
					continue
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusCreated {
					errs <- fmt.Sprintf("client %d write %d: %d %s", c, i, resp.StatusCode, b)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	m, ws, err := f.db.LoadModel(t.Context(), slug)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, s := range m.Services {
		names[s.Name] = true
	}
	for c := range clients {
		for i := range each {
			if n := fmt.Sprintf("svc-%d-%d", c, i); !names[n] {
				t.Errorf("service %s was lost", n)
			}
		}
	}
	if got, want := ws.Revision-ws0.Revision, int64(clients*each); got != want {
		t.Errorf("revision advanced by %d, want exactly %d", got, want)
	}
}

func TestAPIFindingsAreTheDesignJSON(t *testing.T) {
	f := newAPIFixture(t)
	slug := importModel(t, f.db, "shop", shopModel())
	r := f.api(t, "GET", "/workspaces/"+slug+"/findings", nil).want(t, http.StatusOK)
	var got risk.Report
	r.decode(t, &got)
	m, _, err := f.db.LoadModel(t.Context(), slug)
	if err != nil {
		t.Fatal(err)
	}
	want := risk.Analyze(m)
	if !reflect.DeepEqual(&got, want) || len(got.Findings) == 0 {
		t.Fatalf("findings:\n%s\nwant %+v", r.body, want)
	}
	// Exactly the fields of docs/rules/README.md#findings, no more.
	var raw map[string]any
	r.decode(t, &raw)
	if keys := slices.Sorted(maps.Keys(raw)); !reflect.DeepEqual(keys, []string{"findings", "model", "summary"}) {
		t.Errorf("top-level keys %v", keys)
	}
	first := raw["findings"].([]any)[0].(map[string]any)
	if keys := slices.Sorted(maps.Keys(first)); !reflect.DeepEqual(keys, []string{"message", "rule", "severity", "subjects", "suggestion"}) {
		t.Errorf("finding keys %v", keys)
	}
}

func TestAPISimulate(t *testing.T) {
	f := newAPIFixture(t)
	slug := importModel(t, f.db, "shop", shopModel())
	path := "/workspaces/" + slug + "/simulate"
	tests := []struct {
		name           string
		body           string
		status         int
		down, degraded []string
		mention        string
	}{
		{"nothing fails", `{"fail": []}`, 200, []string{}, []string{}, ""},
		{"server b", `{"fail": ["server:node-b"]}`, 200, []string{"cart", "db", "web"}, []string{}, ""},
		{"zone z1", `{"fail": ["zone:z1"]}`, 200, []string{"web"}, []string{"cart"}, ""},
		{"unknown server", `{"fail": ["server:ghost"]}`, 400, nil, nil, "ghost"},
		{"malformed item", `{"fail": ["node-b"]}`, 400, nil, nil, "server:NAME"},
		{"unknown field", `{"fail": [], "why": 1}`, 400, nil, nil, `"why"`},
		{"fail not a list", `{"fail": "server:node-b"}`, 400, nil, nil, "fail"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := f.api(t, "POST", path, tt.body)
			if tt.status != 200 {
				r.wantError(t, tt.status, tt.mention)
				return
			}
			r.want(t, http.StatusOK)
			var got risk.Simulation
			r.decode(t, &got)
			if !reflect.DeepEqual(got.Down, tt.down) || !reflect.DeepEqual(got.Degraded, tt.degraded) {
				t.Errorf("got %s, want down %v degraded %v", r.body, tt.down, tt.degraded)
			}
		})
	}
}

func TestAPIModelRoundTripsHostileNames(t *testing.T) {
	f := newAPIFixture(t)
	slug := importModel(t, f.db, "shop", shopModel())
	m := hostileModel()
	y, err := topology.EncodeYAML(m)
	if err != nil {
		t.Fatal(err)
	}
	f.api(t, "PUT", "/workspaces/"+slug+"/model", string(y), "Content-Type", "application/yaml").want(t, http.StatusOK)
	r := f.api(t, "GET", "/workspaces/"+slug+"/model", nil).want(t, http.StatusOK)
	want, _ := topology.EncodeJSON(m)
	if !bytes.Equal(r.body, want) {
		t.Errorf("hostile model did not round-trip:\n%s\nwant\n%s", r.body, want)
	}
}

// hostileModel has names that break HTML, SVG and DOT when not escaped.
func hostileModel() *topology.Model {
	const script = `<script>alert(1)</script>`
	const dot = `a" -> b [label="x`
	return &topology.Model{
		Version: 1, Name: `Hostile <b>"model"</b>`,
		Services: []topology.Service{
			{Name: script, Team: `<img src=x onerror=alert(2)>`, Description: `</title><script>alert(3)</script>`},
			{Name: dot, Kind: topology.KindDatabase},
			{Name: "plain"},
		},
		Servers:    []topology.Server{{Name: `<svg onload=alert(4)>`, Zone: `"z"`}, {Name: "node"}},
		Placements: []topology.Placement{{Service: script, Server: `<svg onload=alert(4)>`}, {Service: dot, Server: "node"}},
		Dependencies: []topology.Dependency{
			{From: script, To: dot, Description: `"]; evil [label="`},
			{From: "plain", To: script},
		},
	}
}

func TestAPIDiagram(t *testing.T) {
	f := newAPIFixture(t)
	slug := importModel(t, f.db, "shop", shopModel())
	base := "/workspaces/" + slug
	r := f.api(t, "GET", base+"/diagram.svg?view=deployment&focus=cart&depth=2", nil).want(t, http.StatusOK)
	if ct := r.Header.Get("Content-Type"); ct != "image/svg+xml" {
		t.Errorf("SVG Content-Type %q", ct)
	}
	if err := checkSVG(r.body); err != nil {
		t.Errorf("not a valid SVG: %v", err)
	}
	if r.etag(t) != 1 {
		t.Errorf("ETag %s, want the model's revision", r.Header.Get("ETag"))
	}
	r = f.api(t, "GET", base+"/diagram.dot?group=team", nil).want(t, http.StatusOK)
	if !bytes.HasPrefix(bytes.TrimSpace(r.body), []byte("digraph")) || !bytes.Contains(r.body, []byte("storefront")) {
		t.Errorf("DOT grouped by team:\n%.500s", r.body)
	}
	for _, q := range []string{"view=sideways", "depth=0", "depth=11", "depth=x", "group=zone", "focus=ghost"} {
		for _, ext := range []string{"svg", "dot"} {
			f.api(t, "GET", base+"/diagram."+ext+"?"+q, nil).wantError(t, http.StatusBadRequest)
		}
	}
	f.api(t, "GET", "/workspaces/nope/diagram.svg", nil).wantError(t, http.StatusNotFound)
}

// A client can GET an entity, change a field and PUT the same document back:
// the ids in it are read-only, and only a different id is refused.
func TestAPIEntityRoundTripAndWrittenZeros(t *testing.T) {
	f := newAPIFixture(t)
	slug := importModel(t, f.db, "shop", shopModel())
	base := "/workspaces/" + slug

	var list listBody[map[string]any]
	f.api(t, "GET", base+"/placements", nil).want(t, http.StatusOK).decode(t, &list)
	p := list.Items[0]
	id := int64(p["id"].(float64))
	p["instances"] = 4
	var got map[string]any
	f.api(t, "PUT", fmt.Sprintf("%s/placements/%d", base, id), p).want(t, http.StatusOK).decode(t, &got)
	if got["instances"] != float64(4) {
		t.Errorf("PUT of the GET document: %v", got)
	}
	p["id"] = id + 1000
	f.api(t, "PUT", fmt.Sprintf("%s/placements/%d", base, id), p).wantError(t, http.StatusBadRequest, "id")

	before := f.api(t, "GET", base+"/model", nil).want(t, http.StatusOK).etag(t)
	f.api(t, "POST", base+"/placements", map[string]any{"service": "db", "server": "node-b", "instances": 0}).
		wantError(t, http.StatusBadRequest, "instances", "got 0")
	f.api(t, "POST", base+"/dependencies", map[string]any{"from": "db", "to": "web", "calls_per_request": 0}).
		wantError(t, http.StatusBadRequest, "calls_per_request", "got 0")
	if after := f.api(t, "GET", base+"/model", nil).want(t, http.StatusOK).etag(t); after != before {
		t.Errorf("refused writes changed the revision: %d → %d", before, after)
	}
}

func TestAPIRefusesInvalidUTF8(t *testing.T) {
	f := newAPIFixture(t)
	slug := importModel(t, f.db, "shop", shopModel())
	before := f.api(t, "GET", "/workspaces/"+slug+"/model", nil).want(t, http.StatusOK).etag(t)
	f.api(t, "POST", "/workspaces/"+slug+"/services", []byte("{\"name\": \"caf\xe9\"}")).
		wantError(t, http.StatusBadRequest, "UTF-8", "byte 13")
	if after := f.api(t, "GET", "/workspaces/"+slug+"/model", nil).want(t, http.StatusOK).etag(t); after != before {
		t.Errorf("refused write changed the revision: %d → %d", before, after)
	}
}

// The API's diagrams are cached by workspace, revision and options: a repeat
// is served from the cache, and a write is seen at once.
func TestAPIDiagramCacheFollowsRevisions(t *testing.T) {
	f := newAPIFixture(t)
	slug := importModel(t, f.db, "shop", shopModel())
	url := "/workspaces/" + slug + "/diagram.svg?view=services"

	first := f.api(t, "GET", url, nil).want(t, http.StatusOK)
	hits := f.srv.responses.hits.Load()
	again := f.api(t, "GET", url, nil).want(t, http.StatusOK)
	if string(again.body) != string(first.body) {
		t.Error("a repeated request drew a different diagram")
	}
	if f.srv.responses.hits.Load() <= hits {
		t.Error("a repeated request was not served from the cache")
	}

	f.api(t, "POST", "/workspaces/"+slug+"/services", map[string]any{"name": "brandnewservice"}).want(t, http.StatusCreated)
	after := f.api(t, "GET", url, nil).want(t, http.StatusOK)
	if !strings.Contains(string(after.body), "brandnewservice") {
		t.Error("the diagram after a write does not show the new service: served stale from the cache")
	}
	if after.etag(t) == first.etag(t) {
		t.Error("the diagram's ETag did not move with the revision")
	}
}

// TestAPIDiagramCacheKeyIsCanonical: options that draw the same diagram
// are one cache entry however the query spells them, and options that draw
// another are not.
func TestAPIDiagramCacheKeyIsCanonical(t *testing.T) {
	f := newAPIFixture(t)
	slug := importModel(t, f.db, "shop", shopModel())
	base := "/workspaces/" + slug + "/diagram.svg"
	first := f.api(t, "GET", base, nil).want(t, http.StatusOK)
	for _, q := range []string{"?view=", "?view=services", "?group=&focus=", "?depth=3"} {
		hits := f.srv.responses.hits.Load()
		again := f.api(t, "GET", base+q, nil).want(t, http.StatusOK)
		if f.srv.responses.hits.Load() <= hits {
			t.Errorf("%s was not served from the entry of no options", q)
		}
		if string(again.body) != string(first.body) {
			t.Errorf("%s drew another diagram", q)
		}
	}
	hits := f.srv.responses.hits.Load()
	other := f.api(t, "GET", base+"?view=deployment", nil).want(t, http.StatusOK)
	if f.srv.responses.hits.Load() != hits || string(other.body) == string(first.body) {
		t.Error("the deployment view was served from the services view's entry")
	}
}
