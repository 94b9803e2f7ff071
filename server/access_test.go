package server

import (
	"context"
	"database/sql"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	_ "github.com/mattn/go-sqlite3"

	"github.com/archmap/archmap/auth"
	"github.com/archmap/archmap/risk"
	"github.com/archmap/archmap/static"
	"github.com/archmap/archmap/topology"
)

// The credentials of the access matrix, in the order the cells run: the
// ones a route refuses come first, so a cell that changes something (a
// session on a browser route, a bearer token on an API route) runs last.
const (
	asAnonymous = iota
	asShareThis
	asShareOther
	asRevokedShare
	asExpiredShare
	asSession
	asBearer
	nCredentials
)

var credentialNames = [nCredentials]string{"anonymous", "share of this workspace", "share of another workspace", "revoked share", "expired share", "session", "bearer"}

// accessFixture is a server with an account (signed in by a session, and
// with an API token), workspace A with one of every entity, workspace B, a
// live share of each, and a revoked and an expired share of A.
type accessFixture struct {
	*testServer
	slug                                    string
	session, apiToken                       string
	apiTokenID                              int64
	shareA, shareB, revoked, expired        string
	shareAID                                int64
	serviceID, serverID, placementID, depID int64
	revision                                int64
}

func newAccessFixture(tb testing.TB) *accessFixture {
	tb.Helper()
	ctx := context.Background()
	f := &accessFixture{testServer: newTestServer(tb)}
	db := f.db
	u, err := db.CreateUser(ctx, testEmail, fixturePasswordHash(tb), true)
	if err != nil {
		tb.Fatal(err)
	}
	secret, hash, err := auth.NewSecret()
	if err != nil {
		tb.Fatal(err)
	}
	if err := db.CreateSession(ctx, u.ID, hash, time.Now().Add(time.Hour)); err != nil {
		tb.Fatal(err)
	}
	f.session = secret
	f.apiToken = mustAPIToken(tb, db, u.ID)
	toks, err := db.ListAPITokens(ctx, u.ID)
	if err != nil {
		tb.Fatal(err)
	}
	f.apiTokenID = toks[0].ID

	f.slug = importModel(tb, db, "shop", shopModel())
	other := shopModel()
	other.Name = "Other"
	importModel(tb, db, "other", other)
	r, err := db.LoadRecords(ctx, f.slug)
	if err != nil {
		tb.Fatal(err)
	}
	f.revision = r.Workspace.Revision
	f.serviceID, f.serverID = r.Services[0].ID, r.Servers[0].ID
	f.placementID, f.depID = r.Placements[0].ID, r.Dependencies[0].ID

	share := func(slug string, expires time.Time) (string, int64) {
		tok, hash, err := auth.NewSecret()
		if err != nil {
			tb.Fatal(err)
		}
		sh, err := db.CreateShare(ctx, slug, hash, expires, false)
		if err != nil {
			tb.Fatal(err)
		}
		return tok, sh.ID
	}
	f.shareA, f.shareAID = share(f.slug, time.Time{})
	f.shareB, _ = share("other", time.Time{})
	var revokedID, expiredID int64
	f.revoked, revokedID = share(f.slug, time.Time{})
	if err := db.RevokeShare(ctx, f.slug, revokedID); err != nil {
		tb.Fatal(err)
	}
	f.expired, expiredID = share(f.slug, time.Now().Add(time.Hour))
	expireShare(tb, db.Path(), expiredID)
	return f
}

// expireShare moves a share's expiry into the past. The store takes expiry
// times only in the future, as it should, so the test reaches into the
// database file; should the column or its time format ever change, the
// expired share stops resolving as expired and the matrix fails loudly.
func expireShare(tb testing.TB, dbPath string, id int64) {
	tb.Helper()
	raw, err := sql.Open("sqlite3", "file:"+dbPath+"?_busy_timeout=5000")
	if err != nil {
		tb.Fatal(err)
	}
	defer raw.Close()
	past := time.Now().Add(-time.Minute).UTC().Format("2006-01-02T15:04:05.000000000Z")
	res, err := raw.Exec("UPDATE shares SET expires_at = ? WHERE id = ?", past, id)
	if err != nil {
		tb.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		tb.Fatalf("expire share %d: %d rows", id, n)
	}
}

// accessRow is one route of the matrix with the status each credential
// gets. path is the route as Echo has it; its parameters are filled from
// the fixture.
type accessRow struct {
	method, path, query string
	form                url.Values // for browser and share POSTs (plus _csrf)
	json                string     // for API bodies
	want                [nCredentials]int
}

// Who gets in where, by kind of route:
//
//	API routes:      only a bearer token (never a session cookie, never a share token)
//	browser routes:  only a session; a GET without one is sent to /login (303), a POST is 401
//	share routes:    only a working share token in the path; unknown, revoked and expired are 404
//	public routes:   everyone
func apiRoute(method, path, body string, ok int) accessRow {
	r := accessRow{method: method, path: path, json: body}
	for i := range r.want {
		r.want[i] = http.StatusUnauthorized
	}
	r.want[asBearer] = ok
	return r
}

func appRoute(method, path string, form url.Values, ok int) accessRow {
	denied := http.StatusSeeOther
	if method != http.MethodGet {
		denied = http.StatusUnauthorized
	}
	r := accessRow{method: method, path: path, form: form}
	for i := range r.want {
		r.want[i] = denied
	}
	r.want[asSession] = ok
	return r
}

func shareRoute(method, path string, form url.Values) accessRow {
	r := accessRow{method: method, path: path, form: form}
	for i := range r.want {
		r.want[i] = http.StatusNotFound
	}
	r.want[asShareThis] = http.StatusOK
	r.want[asShareOther] = http.StatusOK // it shows the other workspace: TestShareOpensOnlyItsWorkspace
	return r
}

func publicRoute(method, path string, form url.Values, status int) accessRow {
	r := accessRow{method: method, path: path, form: form}
	for i := range r.want {
		r.want[i] = status
	}
	return r
}

func (r accessRow) withQuery(q string) accessRow { r.query = q; return r }

func (r accessRow) except(cred, status int) accessRow { r.want[cred] = status; return r }

func accessRows(f *accessFixture) []accessRow {
	rev := strconv.FormatInt(f.revision, 10)
	form := func(kv ...string) url.Values {
		v := url.Values{"revision": {rev}}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	model, err := topology.EncodeJSON(shopModel())
	if err != nil {
		panic(err)
	}
	const ok, created, gone = http.StatusOK, http.StatusCreated, http.StatusNoContent
	const see = http.StatusSeeOther
	rows := []accessRow{
		publicRoute("GET", "/healthz", nil, ok),
		publicRoute("GET", "/livez", nil, ok),
		publicRoute("GET", "/readyz", nil, ok),
		publicRoute("GET", "/static/*", nil, ok),
		publicRoute("GET", "/api/v1/openapi.json", nil, ok),
		publicRoute("GET", "/login", nil, ok).except(asSession, see),
		publicRoute("POST", "/login", url.Values{"email": {testEmail}, "password": {"wrong password"}}, http.StatusUnauthorized),
		publicRoute("POST", "/logout", nil, see),
		publicRoute("GET", "/setup", nil, see),
		publicRoute("POST", "/setup", url.Values{"email": {"x@example.com"}, "password": {testPassword}, "confirm": {testPassword}, "base_url": {testBaseURL}}, see),
		// Single sign-on is off in this server: not found, for everyone
		// (its own checks are in auth_oidc_test.go).
		publicRoute("GET", "/auth/oidc/start", nil, http.StatusNotFound),
		publicRoute("GET", OIDCCallbackPath, nil, http.StatusNotFound),

		appRoute("GET", "/", nil, ok),
		appRoute("GET", "/account", nil, ok),
		appRoute("POST", "/account/tokens", url.Values{"name": {"new"}}, ok),
		appRoute("POST", "/account/tokens/:id/delete", nil, see),
		appRoute("POST", "/w", url.Values{"name": {"New"}}, see),
		appRoute("GET", "/w/:slug", nil, ok),
		appRoute("GET", "/w/:slug/model/:section", nil, ok),
		appRoute("POST", "/w/:slug/delete", url.Values{"confirm": {f.slug}}, see),
		appRoute("GET", "/w/:slug/settings", nil, ok),
		appRoute("POST", "/w/:slug/settings", form("name", "Renamed"), see),
		appRoute("POST", "/w/:slug/settings/thresholds", form("chatty_calls_per_request", "3", "max_sync_chain", "4", "blast_radius", "2"), see),
		appRoute("GET", "/w/:slug/findings", nil, ok),
		appRoute("POST", "/w/:slug/findings/accept", form("finding", findingID(risk.Finding{Rule: "spof-instance", Subjects: []string{"service:db"}}), "reason", "known"), see),
		// The fixture accepts nothing, so a withdrawal is refused in place.
		appRoute("POST", "/w/:slug/findings/withdraw", form("finding", findingID(risk.Finding{Rule: "spof-instance", Subjects: []string{"service:db"}})), http.StatusUnprocessableEntity),
		appRoute("GET", "/w/:slug/import", nil, ok),
		appRoute("POST", "/w/:slug/import", form("format", "model", "text", string(model)), ok),
		appRoute("GET", "/w/:slug/model.json", nil, ok),
		appRoute("GET", "/w/:slug/model.yaml", nil, ok),
		appRoute("GET", "/w/:slug/history", nil, ok),
		appRoute("GET", "/w/:slug/compare", nil, ok).withQuery("from=1"),
		appRoute("GET", "/w/:slug/compare/fragment", nil, ok).withQuery("from=1&view=deployment"),
		appRoute("POST", "/w/:slug/revisions/:rev/restore", form(), see),
		appRoute("GET", "/w/:slug/diagram", nil, ok),
		appRoute("GET", "/w/:slug/diagram/panel", nil, ok).withQuery("service=web"),
		appRoute("GET", "/w/:slug/diagram/fragment", nil, ok).withQuery("view=deployment"),
		appRoute("GET", "/w/:slug/diagram.svg", nil, ok),
		appRoute("GET", "/w/:slug/diagram.dot", nil, ok),
		appRoute("GET", "/w/:slug/diagram.png", nil, ok),
		appRoute("POST", "/w/:slug/simulate", url.Values{"fail": {"server:node-a"}}, ok),
		appRoute("POST", "/w/:slug/services", form("name", "new"), ok),
		appRoute("GET", "/w/:slug/services/:id", nil, ok),
		appRoute("GET", "/w/:slug/services/:id/edit", nil, ok),
		appRoute("POST", "/w/:slug/services/:id", form("name", "web2"), ok),
		appRoute("POST", "/w/:slug/services/:id/delete", form(), ok),
		appRoute("POST", "/w/:slug/servers", form("name", "node-z"), ok),
		appRoute("GET", "/w/:slug/servers/:id", nil, ok),
		appRoute("GET", "/w/:slug/servers/:id/edit", nil, ok),
		appRoute("POST", "/w/:slug/servers/:id", form("name", "node-a2"), ok),
		appRoute("POST", "/w/:slug/servers/:id/delete", form(), ok),
		appRoute("POST", "/w/:slug/placements", form("service", "db", "server", "node-a", "instances", "1"), ok),
		appRoute("POST", "/w/:slug/placements/matrix/:service/:server", form("instances", "3"), ok),
		appRoute("GET", "/w/:slug/placements/:id", nil, ok),
		appRoute("GET", "/w/:slug/placements/:id/edit", nil, ok),
		appRoute("POST", "/w/:slug/placements/:id", form("service", "web", "server", "node-a", "instances", "4"), ok),
		appRoute("POST", "/w/:slug/placements/:id/delete", form(), ok),
		appRoute("POST", "/w/:slug/dependencies", form("from", "db", "to", "web"), ok),
		appRoute("GET", "/w/:slug/dependencies/:id", nil, ok),
		appRoute("GET", "/w/:slug/dependencies/:id/edit", nil, ok),
		appRoute("POST", "/w/:slug/dependencies/:id", form("from", "web", "to", "cart", "calls_per_request", "3"), ok),
		appRoute("POST", "/w/:slug/dependencies/:id/delete", form(), ok),
		appRoute("GET", "/w/:slug/shares", nil, ok),
		appRoute("POST", "/w/:slug/shares", url.Values{"expires_in": {"7d"}}, ok),
		appRoute("POST", "/w/:slug/shares/:id/revoke", nil, see),

		apiRoute("GET", "/api/v1/workspaces", "", ok),
		apiRoute("POST", "/api/v1/workspaces", `{"name": "New"}`, created),
		apiRoute("GET", "/api/v1/workspaces/:slug", "", ok),
		apiRoute("DELETE", "/api/v1/workspaces/:slug", "", gone),
		apiRoute("GET", "/api/v1/workspaces/:slug/model", "", ok),
		apiRoute("PUT", "/api/v1/workspaces/:slug/model", string(model), ok),
		apiRoute("PATCH", "/api/v1/workspaces/:slug/model", `{"settings": {"max_sync_chain": 7}}`, ok),
		apiRoute("GET", "/api/v1/workspaces/:slug/findings", "", ok),
		apiRoute("POST", "/api/v1/workspaces/:slug/simulate", `{"fail": ["zone:z1"]}`, ok),
		apiRoute("GET", "/api/v1/workspaces/:slug/diagram.svg", "", ok).withQuery("view=deployment&group=team"),
		apiRoute("GET", "/api/v1/workspaces/:slug/diagram.dot", "", ok).withQuery("focus=web&depth=1"),
		apiRoute("GET", "/api/v1/workspaces/:slug/diagram.png", "", ok).withQuery("view=deployment"),
		apiRoute("GET", "/api/v1/workspaces/:slug/shares", "", ok),
		apiRoute("POST", "/api/v1/workspaces/:slug/shares", `{"expires_in": "72h", "pin": true}`, created),
		apiRoute("DELETE", "/api/v1/workspaces/:slug/shares/:id", "", gone),
		apiRoute("GET", "/api/v1/workspaces/:slug/revisions", "", ok).withQuery("limit=5"),
		apiRoute("GET", "/api/v1/workspaces/:slug/revisions/:rev/model", "", ok),
		apiRoute("GET", "/api/v1/workspaces/:slug/diff", "", ok).withQuery("from=1"),
		apiRoute("POST", "/api/v1/workspaces/:slug/revisions/:rev/restore", "", created),

		shareRoute("GET", "/s/:token", nil),
		shareRoute("GET", "/s/:token/diagram", nil).withQuery("view=deployment"),
		shareRoute("GET", "/s/:token/diagram/panel", nil).withQuery("service=web"),
		shareRoute("GET", "/s/:token/diagram/fragment", nil).withQuery("view=deployment"),
		shareRoute("GET", "/s/:token/diagram.svg", nil).withQuery("view=deployment"),
		shareRoute("GET", "/s/:token/diagram.dot", nil),
		shareRoute("GET", "/s/:token/diagram.png", nil),
		shareRoute("POST", "/s/:token/simulate", url.Values{"fail": {"server:node-a"}}),
		shareRoute("GET", "/s/:token/findings", nil).withQuery("severity=high"),
	}
	for _, e := range []struct{ plural, create, update, patch string }{
		{"services", `{"name": "new"}`, `{"name": "web2", "kind": "frontend"}`, `{"team": "t"}`},
		{"servers", `{"name": "node-z"}`, `{"name": "node-a2"}`, `{"zone": "z9"}`},
		{"placements", `{"service": "db", "server": "node-a"}`, `{"service": "web", "server": "node-a", "instances": 4}`, `{"instances": 3}`},
		{"dependencies", `{"from": "db", "to": "web", "mode": "async"}`, `{"from": "web", "to": "cart", "calls_per_request": 3}`, `{"mode": "async"}`},
	} {
		base := "/api/v1/workspaces/:slug/" + e.plural
		rows = append(rows,
			apiRoute("GET", base, "", ok).withQuery("limit=2"),
			apiRoute("POST", base, e.create, created),
			apiRoute("GET", base+"/:id", "", ok),
			apiRoute("PUT", base+"/:id", e.update, ok),
			apiRoute("PATCH", base+"/:id", e.patch, ok),
			apiRoute("DELETE", base+"/:id", "", gone),
		)
	}
	return rows
}

// fill puts the fixture's values into a route's parameters; a share token
// goes where the credential asks for one.
func (f *accessFixture) fill(row accessRow, cred int, token string) string {
	p := row.path
	p = strings.ReplaceAll(p, ":slug", f.slug)
	p = strings.ReplaceAll(p, ":token", token)
	p = strings.ReplaceAll(p, ":section", "services")
	p = strings.ReplaceAll(p, ":service", strconv.FormatInt(f.serviceID, 10))
	p = strings.ReplaceAll(p, ":server", strconv.FormatInt(f.serverID, 10))
	p = strings.ReplaceAll(p, ":rev", strconv.FormatInt(f.revision, 10))
	if strings.HasSuffix(p, "/*") {
		p = strings.TrimSuffix(p, "*") + strings.TrimPrefix(static.Path("app.css"), "/static/")
	}
	if strings.Contains(p, ":id") {
		var id int64
		switch {
		case strings.Contains(p, "/services/"):
			id = f.serviceID
		case strings.Contains(p, "/servers/"):
			id = f.serverID
		case strings.Contains(p, "/placements/"):
			id = f.placementID
		case strings.Contains(p, "/dependencies/"):
			id = f.depID
		case strings.Contains(p, "/shares/"):
			id = f.shareAID
		case strings.Contains(p, "/tokens/"):
			id = f.apiTokenID
		default:
			panic("no id for " + p)
		}
		p = strings.Replace(p, ":id", strconv.FormatInt(id, 10), 1)
	}
	if row.query != "" {
		p += "?" + row.query
	}
	return p
}

// tokenFor is the share token a credential puts into /s/{token} routes,
// and the bearer token it sends elsewhere ("" for none).
func (f *accessFixture) tokenFor(cred int, unknown string) (pathToken, bearer string) {
	switch cred {
	case asShareThis:
		return f.shareA, f.shareA
	case asShareOther:
		return f.shareB, f.shareB
	case asRevokedShare:
		return f.revoked, f.revoked
	case asExpiredShare:
		return f.expired, f.expired
	case asBearer:
		return unknown, f.apiToken
	}
	return unknown, ""
}

// do sends one cell's request as a browser of that credential would:
// with its cookie jar (and, for a session, the session cookie), the CSRF
// token of a page it loaded for a form, and its bearer token.
func (f *accessFixture) do(tb testing.TB, row accessRow, cred int) *http.Response {
	tb.Helper()
	unknown, _, err := auth.NewSecret()
	if err != nil {
		tb.Fatal(err)
	}
	pathToken, bearer := f.tokenFor(cred, unknown)
	jar, _ := cookiejar.New(nil)
	base, _ := url.Parse(f.URL)
	if cred == asSession {
		jar.SetCookies(base, []*http.Cookie{{Name: sessionCookie, Value: f.session, Path: "/"}})
	}
	hc := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	var body *strings.Reader
	ctype := ""
	switch {
	case row.json != "":
		body, ctype = strings.NewReader(row.json), echo.MIMEApplicationJSON
	case row.method != http.MethodGet:
		form := url.Values{}
		for k, v := range row.form {
			form[k] = v
		}
		if !strings.HasPrefix(row.path, "/api/") && !strings.HasPrefix(row.path, "/s/") {
			form.Set("_csrf", f.csrfFor(tb, hc))
		}
		body, ctype = strings.NewReader(form.Encode()), echo.MIMEApplicationForm
	default:
		body = strings.NewReader("")
	}
	req, err := http.NewRequest(row.method, f.URL+f.fill(row, cred, pathToken), body)
	if err != nil {
		tb.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := hc.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

var csrfMeta = regexp.MustCompile(`<meta name="csrf-token" content="([^"]+)"`)

// csrfFor loads a page to get the CSRF cookie and token, as a browser has
// them before it sends a form.
func (f *accessFixture) csrfFor(tb testing.TB, hc *http.Client) string {
	tb.Helper()
	for _, p := range []string{"/login", "/"} {
		resp, err := hc.Get(f.URL + p)
		if err != nil {
			tb.Fatal(err)
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			tb.Fatal(err)
		}
		if m := csrfMeta.FindSubmatch(b); m != nil {
			return string(m[1])
		}
	}
	tb.Fatal("no page with a CSRF token")
	return ""
}

// TestAccessMatrix sends every route the server has with every kind of
// credential and checks the status against the table. A route missing from
// the table fails the test: a new route must say who may use it.
func TestAccessMatrix(t *testing.T) {
	probe := newAccessFixture(t)
	rows := accessRows(probe)
	covered := map[string]bool{}
	for _, r := range rows {
		k := r.method + " " + r.path
		if covered[k] {
			t.Errorf("route %s is in the table twice", k)
		}
		covered[k] = true
	}
	var missing []string
	registered := map[string]bool{}
	for _, rt := range probe.srv.echo.Routes() {
		if rt.Method == echo.RouteNotFound {
			continue
		}
		k := rt.Method + " " + rt.Path
		registered[k] = true
		if !covered[k] {
			missing = append(missing, k)
		}
	}
	slices.Sort(missing)
	for _, k := range missing {
		t.Errorf("route %s is not in the access matrix: add a row saying who may use it", k)
	}
	for k := range covered {
		if !registered[k] {
			t.Errorf("the access matrix has %s, which the server does not", k)
		}
	}

	for _, row := range rows {
		t.Run(row.method+" "+row.path, func(t *testing.T) {
			t.Parallel()
			f := newAccessFixture(t)
			row := accessRows(f)[slices.IndexFunc(rows, func(r accessRow) bool { return r.method == row.method && r.path == row.path })]
			for cred := range nCredentials {
				resp := f.do(t, row, cred)
				want := row.want[cred]
				if resp.StatusCode != want {
					t.Errorf("%s: status %d, want %d", credentialNames[cred], resp.StatusCode, want)
					continue
				}
				// A refused browser GET goes to the login page, nowhere else.
				if want == http.StatusSeeOther && row.want[asSession] != want && !strings.HasPrefix(resp.Header.Get("Location"), "/login?next=") {
					t.Errorf("%s: redirected to %q, want /login?next=…", credentialNames[cred], resp.Header.Get("Location"))
				}
			}
		})
	}
}
