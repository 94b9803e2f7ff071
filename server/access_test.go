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

	"github.com/archmap/archmap/access"
	"github.com/archmap/archmap/auth"
	"github.com/archmap/archmap/risk"
	"github.com/archmap/archmap/static"
	"github.com/archmap/archmap/store"
	"github.com/archmap/archmap/topology"
)

// The credentials of the access matrix. The first seven are about the
// kind of credential (none, share tokens, the admin's session and API
// token); the rest are about roles: users with a session and an API token
// each (both are sent; each kind of route looks at its own), who are not a
// member of the workspace, or its viewer, editor or owner, and the owner's
// read-only API token.
const (
	asAnonymous = iota
	asShareThis
	asShareOther
	asRevokedShare
	asExpiredShare
	asSession // an instance admin's session: admins act as owners everywhere
	asBearer  // the same admin's API token
	asOutsider
	asViewer
	asEditor
	asOwner
	asReadOnly
	nCredentials
)

var credentialNames = [nCredentials]string{"anonymous", "share of this workspace", "share of another workspace", "revoked share",
	"expired share", "admin session", "admin token", "non-member", "viewer", "editor", "owner", "owner's read-only token"}

// roleOf is the role in workspace A of the credentials that are members.
var roleOf = map[int]access.Role{asViewer: access.Viewer, asEditor: access.Editor, asOwner: access.Owner}

// signedIn reports whether a credential carries a session cookie, and
// bearing whether it carries an API token.
func signedIn(cred int) bool { return cred == asSession || (cred >= asOutsider && cred <= asOwner) }
func bearing(cred int) bool  { return cred == asBearer || cred >= asOutsider }

// accessFixture is a server with an admin (signed in by a session, and
// with an API token), the owner, an editor and a viewer of workspace A and
// a user who is a member of nothing (each with a session and a token; the
// owner also with a read-only token), workspace A with one of every entity,
// workspace B, a live share of each, and a revoked and an expired share of A.
type accessFixture struct {
	*testServer
	slug                                    string
	session, apiToken                       string
	apiTokenID                              int64
	users                                   map[int]accessUser // by credential
	readOnlyToken                           string
	shareA, shareB, revoked, expired        string
	shareAID                                int64
	serviceID, serverID, placementID, depID int64
	revision                                int64
	// otherUserID is a second account, for the admin pages to act on;
	// passwordLink is the one-time link it was invited with.
	otherUserID  int64
	passwordLink string
}

type accessUser struct {
	id             int64
	email          string
	session, token string
}

func newAccessFixture(tb testing.TB) *accessFixture {
	tb.Helper()
	ctx := context.Background()
	f := &accessFixture{testServer: newTestServer(tb), users: map[int]accessUser{}}
	// The matrix sends one wrong password per credential, from one address:
	// the throttle (TestSignInThrottle) would slow the fourth.
	f.srv.throttle.policy.PairFree, f.srv.throttle.policy.PairLock = nCredentials, nCredentials
	f.srv.throttle.policy.AddressFree, f.srv.throttle.policy.AddressLock = nCredentials, nCredentials
	db := f.db
	newUser := func(email string, admin bool) accessUser {
		u, err := db.CreateUser(ctx, email, fixturePasswordHash(tb), admin)
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
		return accessUser{id: u.ID, email: email, session: secret, token: mustAPIToken(tb, db, u.ID)}
	}
	admin := newUser(testEmail, true)
	f.session, f.apiToken = admin.session, admin.token
	f.users[asSession], f.users[asBearer] = admin, admin
	toks, err := db.ListAPITokens(ctx, admin.id)
	if err != nil {
		tb.Fatal(err)
	}
	f.apiTokenID = toks[0].ID
	link, linkHash, err := auth.NewSecret()
	if err != nil {
		tb.Fatal(err)
	}
	invited, err := db.CreateInvitedUser(ctx, "other@example.com", false, linkHash, time.Now().Add(time.Hour))
	if err != nil {
		tb.Fatal(err)
	}
	f.otherUserID, f.passwordLink = invited.ID, link

	f.slug = importModel(tb, db, "shop", shopModel())
	other := shopModel()
	other.Name = "Other"
	importModel(tb, db, "other", other)
	for cred, email := range map[int]string{asOutsider: "outsider@example.com", asViewer: "viewer@example.com", asEditor: "editor@example.com", asOwner: "owner@example.com"} {
		f.users[cred] = newUser(email, false)
		if role, ok := roleOf[cred]; ok {
			if _, err := db.AddMember(ctx, f.slug, email, role); err != nil {
				tb.Fatal(err)
			}
		}
	}
	// The outsider owns workspace B: a member of one workspace is no
	// member of another.
	if _, err := db.AddMember(ctx, "other", f.users[asOutsider].email, access.Owner); err != nil {
		tb.Fatal(err)
	}
	ro, hash, err := auth.NewSecret()
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := db.CreateAPIToken(ctx, f.users[asOwner].id, "read-only", hash, store.ReadOnlyToken(true)); err != nil {
		tb.Fatal(err)
	}
	f.readOnlyToken = ro

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
//	API routes:      only an API token (never a session cookie, never a share token)
//	browser routes:  only a session; a GET without one is sent to /login (303), a POST is 401
//	share routes:    only a working share token in the path; unknown, revoked and expired are 404
//	public routes:   everyone
//
// and on the routes of one workspace, by role: the least action the route
// takes (access.Action) decides; a non-member gets 404, a member whose role
// falls short 403, an admin what the owner gets; a read-only token gets
// 403 for anything but a read.
func apiRoute(method, path, body string, ok int) accessRow {
	r := accessRow{method: method, path: path, json: body}
	for i := range r.want {
		r.want[i] = http.StatusUnauthorized
		if bearing(i) {
			r.want[i] = ok
		}
	}
	if method != http.MethodGet {
		r.want[asReadOnly] = http.StatusForbidden
	}
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
		if signedIn(i) {
			r.want[i] = ok
		}
	}
	return r
}

// byRole narrows a route of workspace A to the roles that may take the
// action.
func (r accessRow) byRole(a access.Action) accessRow {
	api := strings.HasPrefix(r.path, "/api/")
	r.want[asOutsider] = http.StatusNotFound
	for cred, role := range roleOf {
		if !role.Can(a) {
			r.want[cred] = http.StatusForbidden
		}
	}
	if api && (r.method == http.MethodGet || strings.HasSuffix(r.path, "/simulate")) {
		r.want[asReadOnly] = r.want[asOwner]
	}
	return r
}

func wsAPI(method, path, body string, a access.Action, ok int) accessRow {
	return apiRoute(method, path, body, ok).byRole(a)
}

func wsApp(method, path string, form url.Values, a access.Action, ok int) accessRow {
	return appRoute(method, path, form, ok).byRole(a)
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

// signedInGets gives every credential with a session another status.
func (r accessRow) signedInGets(status int) accessRow {
	for i := range r.want {
		if signedIn(i) {
			r.want[i] = status
		}
	}
	return r
}

// bearersGet gives every credential with an API token another status.
func (r accessRow) bearersGet(status int) accessRow {
	for i := range r.want {
		if bearing(i) {
			r.want[i] = status
		}
	}
	return r
}

// adminRoute is a page for instance admins: any other session gets 404,
// as for an address that does not exist.
func adminRoute(method, path string, form url.Values, ok int) accessRow {
	return appRoute(method, path, form, ok).signedInGets(http.StatusNotFound).except(asSession, ok)
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
	const read, edit, share, manage = access.Read, access.Edit, access.Share, access.Manage
	rows := []accessRow{
		publicRoute("GET", "/healthz", nil, ok),
		publicRoute("GET", "/livez", nil, ok),
		publicRoute("GET", "/readyz", nil, ok),
		publicRoute("GET", "/static/*", nil, ok),
		publicRoute("GET", "/api/v1/openapi.json", nil, ok),
		publicRoute("GET", "/login", nil, ok).signedInGets(see),
		publicRoute("POST", "/login", url.Values{"email": {testEmail}, "password": {"wrong password"}}, http.StatusUnauthorized),
		publicRoute("POST", "/logout", nil, see),
		publicRoute("GET", "/setup", nil, see),
		publicRoute("POST", "/setup", url.Values{"email": {"x@example.com"}, "password": {testPassword}, "confirm": {testPassword}, "base_url": {testBaseURL}}, see),
		// A one-time link is its own credential; a refused password leaves it unused for the next cell.
		publicRoute("GET", "/password/:token", nil, ok),
		publicRoute("POST", "/password/:token", url.Values{"password": {"short"}, "confirm": {"short"}}, http.StatusUnprocessableEntity),
		// Single sign-on is off in this server: not found, for everyone
		// (its own checks are in auth_oidc_test.go).
		publicRoute("GET", "/auth/oidc/start", nil, http.StatusNotFound),
		publicRoute("GET", OIDCCallbackPath, nil, http.StatusNotFound),

		appRoute("GET", "/", nil, ok),
		appRoute("GET", "/account", nil, ok),
		appRoute("POST", "/account/tokens", url.Values{"name": {"new"}}, ok),
		// The admin's token: anyone else's answer is that there is no such token.
		appRoute("POST", "/account/tokens/:id/delete", nil, see).signedInGets(http.StatusNotFound).except(asSession, see),
		appRoute("POST", "/account/password", url.Values{"current": {testPassword}, "password": {"a new long password"}, "confirm": {"a new long password"}}, see),
		// Admins only: every other session gets 404 (TestAdminPagesAreHiddenFromOthers).
		adminRoute("GET", "/admin/users", nil, ok),
		adminRoute("POST", "/admin/users", url.Values{"email": {"new@example.com"}}, ok),
		adminRoute("POST", "/admin/users/:id/disable", nil, see),
		adminRoute("POST", "/admin/users/:id/enable", nil, see),
		adminRoute("POST", "/admin/users/:id/admin", url.Values{"admin": {"1"}}, see),
		adminRoute("POST", "/admin/users/:id/reset", nil, ok),
		adminRoute("GET", "/admin/audit", nil, ok),
		appRoute("POST", "/w", url.Values{"name": {"New"}}, see),
		wsApp("GET", "/w/:slug", nil, read, ok),
		wsApp("GET", "/w/:slug/model/:section", nil, read, ok),
		wsApp("POST", "/w/:slug/delete", url.Values{"confirm": {f.slug}}, manage, see),
		wsApp("GET", "/w/:slug/settings", nil, edit, ok),
		wsApp("POST", "/w/:slug/settings", form("name", "Renamed"), edit, see),
		wsApp("POST", "/w/:slug/settings/thresholds", form("chatty_calls_per_request", "3", "max_sync_chain", "4", "blast_radius", "2"), edit, see),
		wsApp("GET", "/w/:slug/findings", nil, read, ok),
		wsApp("POST", "/w/:slug/findings/accept", form("finding", findingID(risk.Finding{Rule: "spof-instance", Subjects: []string{"service:db"}}), "reason", "known"), edit, see),
		// The fixture accepts nothing, so a withdrawal is refused in place.
		wsApp("POST", "/w/:slug/findings/withdraw", form("finding", findingID(risk.Finding{Rule: "spof-instance", Subjects: []string{"service:db"}})), edit, http.StatusUnprocessableEntity),
		wsApp("GET", "/w/:slug/import", nil, read, ok),
		wsApp("POST", "/w/:slug/import", form("format", "model", "text", string(model)), edit, ok),
		wsApp("GET", "/w/:slug/model.json", nil, read, ok),
		wsApp("GET", "/w/:slug/model.yaml", nil, read, ok),
		wsApp("GET", "/w/:slug/history", nil, read, ok),
		wsApp("GET", "/w/:slug/compare", nil, read, ok).withQuery("from=1"),
		wsApp("GET", "/w/:slug/compare/fragment", nil, read, ok).withQuery("from=1&view=deployment"),
		wsApp("POST", "/w/:slug/revisions/:rev/restore", form(), edit, see),
		wsApp("GET", "/w/:slug/diagram", nil, read, ok),
		wsApp("GET", "/w/:slug/diagram/panel", nil, read, ok).withQuery("service=web"),
		wsApp("GET", "/w/:slug/diagram/fragment", nil, read, ok).withQuery("view=deployment"),
		wsApp("GET", "/w/:slug/diagram.svg", nil, read, ok),
		wsApp("GET", "/w/:slug/diagram.dot", nil, read, ok),
		wsApp("GET", "/w/:slug/diagram.png", nil, read, ok),
		wsApp("POST", "/w/:slug/simulate", url.Values{"fail": {"server:node-a"}}, read, ok),
		wsApp("POST", "/w/:slug/services", form("name", "new"), edit, ok),
		wsApp("GET", "/w/:slug/services/:id", nil, read, ok),
		wsApp("GET", "/w/:slug/services/:id/edit", nil, edit, ok),
		wsApp("POST", "/w/:slug/services/:id", form("name", "web2"), edit, ok),
		wsApp("POST", "/w/:slug/services/:id/delete", form(), edit, ok),
		wsApp("POST", "/w/:slug/servers", form("name", "node-z"), edit, ok),
		wsApp("GET", "/w/:slug/servers/:id", nil, read, ok),
		wsApp("GET", "/w/:slug/servers/:id/edit", nil, edit, ok),
		wsApp("POST", "/w/:slug/servers/:id", form("name", "node-a2"), edit, ok),
		wsApp("POST", "/w/:slug/servers/:id/delete", form(), edit, ok),
		wsApp("POST", "/w/:slug/placements", form("service", "db", "server", "node-a", "instances", "1"), edit, ok),
		wsApp("POST", "/w/:slug/placements/matrix/:service/:server", form("instances", "3"), edit, ok),
		wsApp("GET", "/w/:slug/placements/:id", nil, read, ok),
		wsApp("GET", "/w/:slug/placements/:id/edit", nil, edit, ok),
		wsApp("POST", "/w/:slug/placements/:id", form("service", "web", "server", "node-a", "instances", "4"), edit, ok),
		wsApp("POST", "/w/:slug/placements/:id/delete", form(), edit, ok),
		wsApp("POST", "/w/:slug/dependencies", form("from", "db", "to", "web"), edit, ok),
		wsApp("GET", "/w/:slug/dependencies/:id", nil, read, ok),
		wsApp("GET", "/w/:slug/dependencies/:id/edit", nil, edit, ok),
		wsApp("POST", "/w/:slug/dependencies/:id", form("from", "web", "to", "cart", "calls_per_request", "3"), edit, ok),
		wsApp("POST", "/w/:slug/dependencies/:id/delete", form(), edit, ok),
		wsApp("GET", "/w/:slug/shares", nil, share, ok),
		wsApp("POST", "/w/:slug/shares", url.Values{"expires_in": {"7d"}}, share, ok),
		wsApp("POST", "/w/:slug/shares/:id/revoke", nil, share, see),
		wsApp("GET", "/w/:slug/members", nil, manage, ok),
		wsApp("POST", "/w/:slug/members", url.Values{"email": {"outsider@example.com"}, "role": {"viewer"}}, manage, ok),
		wsApp("POST", "/w/:slug/members/:user_id", url.Values{"role": {"editor"}}, manage, ok),
		wsApp("POST", "/w/:slug/members/:user_id/delete", nil, manage, ok),

		apiRoute("GET", "/api/v1/workspaces", "", ok),
		apiRoute("POST", "/api/v1/workspaces", `{"name": "New"}`, created),
		wsAPI("GET", "/api/v1/workspaces/:slug", "", read, ok),
		wsAPI("DELETE", "/api/v1/workspaces/:slug", "", manage, gone),
		wsAPI("GET", "/api/v1/workspaces/:slug/model", "", read, ok),
		wsAPI("PUT", "/api/v1/workspaces/:slug/model", string(model), edit, ok),
		wsAPI("PATCH", "/api/v1/workspaces/:slug/model", `{"settings": {"max_sync_chain": 7}}`, edit, ok),
		wsAPI("GET", "/api/v1/workspaces/:slug/findings", "", read, ok),
		wsAPI("POST", "/api/v1/workspaces/:slug/simulate", `{"fail": ["zone:z1"]}`, read, ok),
		wsAPI("GET", "/api/v1/workspaces/:slug/diagram.svg", "", read, ok).withQuery("view=deployment&group=team"),
		wsAPI("GET", "/api/v1/workspaces/:slug/diagram.dot", "", read, ok).withQuery("focus=web&depth=1"),
		wsAPI("GET", "/api/v1/workspaces/:slug/diagram.png", "", read, ok).withQuery("view=deployment"),
		wsAPI("GET", "/api/v1/workspaces/:slug/shares", "", share, ok),
		wsAPI("POST", "/api/v1/workspaces/:slug/shares", `{"expires_in": "72h", "pin": true}`, share, created),
		wsAPI("DELETE", "/api/v1/workspaces/:slug/shares/:id", "", share, gone),
		wsAPI("GET", "/api/v1/workspaces/:slug/revisions", "", read, ok).withQuery("limit=5"),
		wsAPI("GET", "/api/v1/workspaces/:slug/revisions/:rev/model", "", read, ok),
		wsAPI("GET", "/api/v1/workspaces/:slug/diff", "", read, ok).withQuery("from=1"),
		wsAPI("POST", "/api/v1/workspaces/:slug/revisions/:rev/restore", "", edit, created),
		wsAPI("GET", "/api/v1/workspaces/:slug/members", "", manage, ok),
		wsAPI("POST", "/api/v1/workspaces/:slug/members", `{"email": "outsider@example.com", "role": "viewer"}`, manage, created),
		wsAPI("PUT", "/api/v1/workspaces/:slug/members/:user_id", `{"role": "editor"}`, manage, ok),
		wsAPI("DELETE", "/api/v1/workspaces/:slug/members/:user_id", "", manage, gone),
		// An admin's token only; every other token gets 403 (TestAuditAPIIsForAdmins).
		apiRoute("GET", "/api/v1/audit", "", ok).withQuery("limit=5").bearersGet(http.StatusForbidden).except(asBearer, ok),

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
			wsAPI("GET", base, "", read, ok).withQuery("limit=2"),
			wsAPI("POST", base, e.create, edit, created),
			wsAPI("GET", base+"/:id", "", read, ok),
			wsAPI("PUT", base+"/:id", e.update, edit, ok),
			wsAPI("PATCH", base+"/:id", e.patch, edit, ok),
			wsAPI("DELETE", base+"/:id", "", edit, gone),
		)
	}
	return rows
}

// fill puts the fixture's values into a route's parameters; a share token
// goes where the credential asks for one.
func (f *accessFixture) fill(row accessRow, cred int, token string) string {
	p := row.path
	if strings.HasPrefix(p, "/password/") {
		p = strings.ReplaceAll(p, ":token", f.passwordLink)
	}
	p = strings.ReplaceAll(p, ":slug", f.slug)
	p = strings.ReplaceAll(p, ":token", token)
	p = strings.ReplaceAll(p, ":section", "services")
	p = strings.ReplaceAll(p, ":service", strconv.FormatInt(f.serviceID, 10))
	p = strings.ReplaceAll(p, ":server", strconv.FormatInt(f.serverID, 10))
	p = strings.ReplaceAll(p, ":rev", strconv.FormatInt(f.revision, 10))
	// The member every members route changes or removes: the viewer.
	p = strings.ReplaceAll(p, ":user_id", strconv.FormatInt(f.users[asViewer].id, 10))
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
		case strings.Contains(p, "/users/"):
			id = f.otherUserID
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
	case asReadOnly:
		return unknown, f.readOnlyToken
	}
	if bearing(cred) {
		return unknown, f.users[cred].token
	}
	return unknown, ""
}

// do sends one cell's request as a browser of that credential would:
// with its cookie jar (and, for a session, the session cookie), the CSRF
// token of a page it loaded for a form, and its bearer token. The body is
// read into the response's Body again.
func (f *accessFixture) do(tb testing.TB, row accessRow, cred int) (*http.Response, []byte) {
	return f.doAt(tb, row, cred, f.slug)
}

// doAt is do with another workspace's slug in the path.
func (f *accessFixture) doAt(tb testing.TB, row accessRow, cred int, slug string) (*http.Response, []byte) {
	tb.Helper()
	unknown, _, err := auth.NewSecret()
	if err != nil {
		tb.Fatal(err)
	}
	pathToken, bearer := f.tokenFor(cred, unknown)
	jar, _ := cookiejar.New(nil)
	base, _ := url.Parse(f.URL)
	if signedIn(cred) {
		jar.SetCookies(base, []*http.Cookie{{Name: sessionCookie, Value: f.users[cred].session, Path: "/"}})
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
	target := f.fill(row, cred, pathToken)
	if slug != f.slug {
		target = strings.Replace(target, "/"+f.slug, "/"+slug, 1)
	}
	req, err := http.NewRequest(row.method, f.URL+target, body)
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
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		tb.Fatal(err)
	}
	return resp, b
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

	cells := 0
	for _, row := range rows {
		t.Run(row.method+" "+row.path, func(t *testing.T) {
			t.Parallel()
			base := newAccessFixture(t)
			find := func(f *accessFixture) accessRow {
				return accessRows(f)[slices.IndexFunc(rows, func(r accessRow) bool { return r.method == row.method && r.path == row.path })]
			}
			row := find(base)
			check := func(f *accessFixture, cred int) {
				t.Helper()
				resp, body := f.do(t, row, cred)
				want := row.want[cred]
				if resp.StatusCode != want {
					t.Errorf("%s: status %d, want %d", credentialNames[cred], resp.StatusCode, want)
					return
				}
				// A refused browser GET goes to the login page, nowhere else.
				if want == http.StatusSeeOther && row.want[asSession] != want && !strings.HasPrefix(resp.Header.Get("Location"), "/login?next=") {
					t.Errorf("%s: redirected to %q, want /login?next=…", credentialNames[cred], resp.Header.Get("Location"))
				}
				// A non-member cannot tell the workspace from one that does
				// not exist: same status, same body, word for word.
				if cred == asOutsider && want == http.StatusNotFound && strings.Contains(row.path, ":slug") {
					missing, mbody := f.doAt(t, row, cred, "no-such-workspace")
					got, other := normalizeBody(body, f.slug), normalizeBody(mbody, "no-such-workspace")
					if missing.StatusCode != resp.StatusCode || got != other {
						t.Errorf("non-member: %d %q; a missing workspace: %d %q", resp.StatusCode, got, missing.StatusCode, other)
					}
				}
			}
			// Cells that are refused, and reads, share one fixture; a write
			// that succeeds gets a fixture of its own, so that every role
			// allowed to delete something finds it there.
			var writes []int
			for cred := range nCredentials {
				if changes(row, cred) {
					writes = append(writes, cred)
					continue
				}
				check(base, cred)
			}
			for _, cred := range writes {
				check(newAccessFixture(t), cred)
			}
		})
		cells += nCredentials
	}
	t.Logf("access matrix: %d routes × %d credentials = %d cells", len(rows), nCredentials, cells)
}

// changes reports whether a cell is expected to change the fixture.
func changes(row accessRow, cred int) bool {
	want := row.want[cred]
	if row.method == http.MethodPost && row.path == "/login" {
		return true // a failed sign-in counts against the address's limit
	}
	if row.method == http.MethodGet || want >= 400 || strings.HasPrefix(row.path, "/s/") {
		return false
	}
	// A refused browser POST without a session is 401; a refused GET 303.
	return !(want == http.StatusSeeOther && !signedIn(cred) && !strings.HasPrefix(row.path, "/api/"))
}

var csrfValue = regexp.MustCompile(`(name="csrf-token" content="|name="_csrf" value=")[^"]*`)

// normalizeBody takes out of a body what differs between any two answers
// (the CSRF token, masked afresh each time) and the slug the request named.
func normalizeBody(b []byte, slug string) string {
	s := csrfValue.ReplaceAllString(string(b), "${1}CSRF")
	return strings.ReplaceAll(s, slug, "SLUG")
}
