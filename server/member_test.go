package server

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/archmap/archmap/store"
)

// userWithToken makes a non-admin account with an API token.
func userWithToken(tb testing.TB, ts *testServer, email string) (*store.User, string) {
	tb.Helper()
	u, err := ts.db.CreateUser(context.Background(), email, fixturePasswordHash(tb), false)
	if err != nil {
		tb.Fatal(err)
	}
	return u, mustAPIToken(tb, ts.db, u.ID)
}

// as sends an API request with a token.
func as(tb testing.TB, ts *testServer, token, method, path string, body any) *apiResp {
	tb.Helper()
	return request(tb, ts, method, "/api/v1"+path, body, "Authorization", "Bearer "+token)
}

func TestMembersAPI(t *testing.T) {
	f := newAPIFixture(t) // an admin
	ada, adaTok := userWithToken(t, f.testServer, "ada@example.com")
	bob, bobTok := userWithToken(t, f.testServer, "bob@example.com")
	_, carolTok := userWithToken(t, f.testServer, "carol@example.com")

	var ws store.Workspace
	as(t, f.testServer, adaTok, "POST", "/workspaces", `{"name": "Ada's"}`).want(t, http.StatusCreated).decode(t, &ws)
	base := "/workspaces/" + ws.Slug
	var list struct{ Items []store.Member }
	as(t, f.testServer, adaTok, "GET", base+"/members", nil).want(t, http.StatusOK).decode(t, &list)
	if len(list.Items) != 1 || list.Items[0].UserID != ada.ID || list.Items[0].Role != "owner" {
		t.Fatalf("members of a new workspace: %+v, want its creator as owner", list.Items)
	}
	// Lists: the creator and the admin see it; nobody else.
	slugs := func(tok string) string {
		var l struct{ Items []store.Workspace }
		as(t, f.testServer, tok, "GET", "/workspaces", nil).want(t, http.StatusOK).decode(t, &l)
		var s []string
		for _, w := range l.Items {
			s = append(s, w.Slug)
		}
		return strings.Join(s, ",")
	}
	if got := slugs(adaTok); got != ws.Slug {
		t.Errorf("ada lists %q", got)
	}
	if got := slugs(bobTok); got != "" {
		t.Errorf("bob lists %q before he is a member", got)
	}
	if got := slugs(f.token); got != ws.Slug {
		t.Errorf("the admin lists %q", got)
	}
	// Bob cannot tell Ada's workspace from one that does not exist.
	hidden := as(t, f.testServer, bobTok, "GET", base+"/model", nil)
	missing := as(t, f.testServer, bobTok, "GET", "/workspaces/nope/model", nil)
	if hidden.StatusCode != http.StatusNotFound || strings.ReplaceAll(string(hidden.body), ws.Slug, "nope") != string(missing.body) {
		t.Errorf("non-member: %d %s; missing: %d %s", hidden.StatusCode, hidden.body, missing.StatusCode, missing.body)
	}

	// Ada adds Bob as a viewer.
	r := as(t, f.testServer, adaTok, "POST", base+"/members", `{"email": "BOB@example.com", "role": "viewer"}`).want(t, http.StatusCreated)
	var m store.Member
	r.decode(t, &m)
	if m.UserID != bob.ID || m.Role != "viewer" || m.Email != bob.Email {
		t.Errorf("added %+v", m)
	}
	if loc := r.Header.Get("Location"); loc != "/api/v1"+base+"/members/"+strconv.FormatInt(bob.ID, 10) {
		t.Errorf("Location %q", loc)
	}
	// A viewer reads, exports and simulates; every write is 403.
	as(t, f.testServer, bobTok, "GET", base+"/model", nil).want(t, http.StatusOK)
	as(t, f.testServer, bobTok, "POST", base+"/simulate", `{"fail": []}`).want(t, http.StatusOK)
	as(t, f.testServer, bobTok, "GET", base+"/diagram.svg", nil).want(t, http.StatusOK)
	as(t, f.testServer, bobTok, "POST", base+"/services", `{"name": "x"}`).wantError(t, http.StatusForbidden, "editor role")
	as(t, f.testServer, bobTok, "POST", base+"/shares", `{}`).want(t, http.StatusForbidden)
	as(t, f.testServer, bobTok, "GET", base+"/members", nil).wantError(t, http.StatusForbidden, "owner")
	as(t, f.testServer, bobTok, "DELETE", base, nil).want(t, http.StatusForbidden)

	// What the owner is refused, with a message that says why.
	as(t, f.testServer, adaTok, "POST", base+"/members", `{"email": "nobody@example.com", "role": "viewer"}`).wantError(t, http.StatusBadRequest, "email", "no account")
	as(t, f.testServer, adaTok, "POST", base+"/members", `{"email": "bob@example.com", "role": "editor"}`).wantError(t, http.StatusConflict, "already a member")
	as(t, f.testServer, adaTok, "POST", base+"/members", `{"email": "carol@example.com", "role": "admin"}`).wantError(t, http.StatusBadRequest, "role")
	adaPath := base + "/members/" + strconv.FormatInt(ada.ID, 10)
	as(t, f.testServer, adaTok, "PUT", adaPath, `{"role": "editor"}`).wantError(t, http.StatusConflict, "last owner")
	as(t, f.testServer, adaTok, "DELETE", adaPath, nil).wantError(t, http.StatusConflict, "last owner")
	as(t, f.testServer, adaTok, "PUT", base+"/members/999999", `{"role": "editor"}`).want(t, http.StatusNotFound)

	// Bob becomes an owner; Ada may then leave, and no longer sees it.
	bobPath := base + "/members/" + strconv.FormatInt(bob.ID, 10)
	as(t, f.testServer, adaTok, "PUT", bobPath, `{"role": "owner"}`).want(t, http.StatusOK).decode(t, &m)
	if m.Role != "owner" {
		t.Errorf("after PUT: %+v", m)
	}
	as(t, f.testServer, adaTok, "DELETE", adaPath, nil).want(t, http.StatusNoContent)
	as(t, f.testServer, adaTok, "GET", base, nil).want(t, http.StatusNotFound)
	// Carol, a member of nothing, still gets 404 for all of it.
	as(t, f.testServer, carolTok, "GET", base+"/members", nil).want(t, http.StatusNotFound)
	// The admin manages any workspace without being a member.
	as(t, f.testServer, f.token, "POST", base+"/members", `{"email": "carol@example.com", "role": "editor"}`).want(t, http.StatusCreated)
	as(t, f.testServer, carolTok, "POST", base+"/services", `{"name": "x"}`).want(t, http.StatusCreated)
	as(t, f.testServer, bobTok, "DELETE", base, nil).want(t, http.StatusNoContent)

	// The audit log has every change of members, by whom, of whom.
	events, _, err := f.db.ListAudit(t.Context(), store.AuditQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range events {
		if strings.HasPrefix(e.Action, "member.") {
			got = append(got, e.Actor+" "+e.Action+" "+e.Target+" "+e.Detail)
		}
	}
	tok := ` (API token "test")`
	want := []string{ // newest first
		testEmail + tok + " member.add " + ws.Slug + " carol@example.com as editor",
		"ada@example.com" + tok + " member.remove " + ws.Slug + " ada@example.com as owner",
		"ada@example.com" + tok + " member.role " + ws.Slug + " bob@example.com as owner",
		"ada@example.com" + tok + " member.add " + ws.Slug + " bob@example.com as viewer",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("audit log of members:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestMembersPage: an owner manages members on the members tab; each role
// sees what it may do and nothing more, and the server refuses the rest.
func TestMembersPage(t *testing.T) {
	ts := newTestServer(t)
	admin := ts.signedIn(t)
	bob, _ := userWithToken(t, ts, "bob@example.com")
	userWithToken(t, ts, "ada@example.com")
	userWithToken(t, ts, "carol@example.com")
	ada := signInAs(t, ts, "ada@example.com", testPassword)
	ada.post("/w", url.Values{"name": {"Shop"}}).wantRedirect(t, "/w/shop")
	if _, err := ts.db.ReplaceModel(t.Context(), "shop", shopModel(), 0); err != nil {
		t.Fatal(err)
	}

	p := ada.get("/w/shop/members")
	p.wantStatus(t, http.StatusOK)
	if rows := p.find(t, "member-row"); rows.Length() != 1 || !strings.Contains(rows.Text(), "ada@example.com") {
		t.Fatalf("members: %q", rows.Text())
	}
	ada.get("/w/shop").find(t, "tab-members")
	// Every field has a label.
	for _, id := range []string{"member-email", "member-role"} {
		if p.doc.Find(`label[for="`+id+`"]`).Length() != 1 {
			t.Errorf("no label for #%s", id)
		}
	}

	// Add Bob as a viewer (htmx: the section comes back).
	sec := ada.htmx("/w/shop/members", url.Values{"email": {"bob@example.com"}, "role": {"viewer"}})
	sec.wantStatus(t, http.StatusOK)
	if !strings.Contains(sec.find(t, "members-notice").Text(), "bob@example.com") || sec.find(t, "member-row").Length() != 2 {
		t.Fatalf("after adding bob:\n%s", sec.body)
	}
	bad := ada.htmx("/w/shop/members", url.Values{"email": {"nobody@example.com"}, "role": {"viewer"}})
	bad.wantStatus(t, http.StatusUnprocessableEntity)
	if !strings.Contains(bad.find(t, "field-error").Text(), "No account") {
		t.Errorf("unknown email: %q", bad.find(t, "field-error").Text())
	}
	last := ada.htmx("/w/shop/members/"+strconv.FormatInt(memberID(t, ts, "ada@example.com"), 10), url.Values{"role": {"viewer"}})
	last.wantStatus(t, http.StatusConflict)
	if !strings.Contains(last.find(t, "members-error").Text(), "last owner") {
		t.Errorf("demoting the last owner: %q", last.find(t, "members-error").Text())
	}

	// Bob, a viewer: reads everything, sees no control he may not use, and
	// is refused if he sends the forms anyway.
	bc := signInAs(t, ts, "bob@example.com", testPassword)
	if !strings.Contains(bc.get("/").body, "/w/shop") {
		t.Error("the viewer's home page does not list the workspace")
	}
	wp := bc.get("/w/shop")
	wp.wantStatus(t, http.StatusOK)
	wp.find(t, "role-note")
	for _, id := range []string{"edit", "delete", "service-add-form", "server-add-form", "tab-share", "tab-settings", "tab-members"} {
		if wp.doc.Find(`[data-testid="`+id+`"]`).Length() != 0 {
			t.Errorf("a viewer's model page has %s", id)
		}
	}
	if n := wp.doc.Find(`[data-testid="matrix-cell"] input:not([disabled])`).Length(); n != 0 {
		t.Errorf("a viewer's matrix has %d cells that take input", n)
	}
	ip := bc.get("/w/shop/import")
	ip.find(t, "download-yaml")
	if ip.doc.Find(`[data-testid="import-form"]`).Length() != 0 {
		t.Error("a viewer's import tab has the import form")
	}
	fp := bc.get("/w/shop/findings")
	fp.find(t, "finding-row")
	if fp.doc.Find(`[data-testid="accept-form"]`).Length() != 0 {
		t.Error("a viewer's findings page has the accept form")
	}
	hp := bc.get("/w/shop/history")
	if hp.doc.Find(`[data-testid="restore"], [data-testid="share-revision"]`).Length() != 0 {
		t.Error("a viewer's history page has restore or share buttons")
	}
	bc.get("/w/shop/model.yaml").wantStatus(t, http.StatusOK)
	bc.htmx("/w/shop/simulate", url.Values{"fail": {"server:node-a"}}).wantStatus(t, http.StatusOK)
	bc.htmx("/w/shop/services", url.Values{"name": {"x"}, "revision": {"0"}}).wantStatus(t, http.StatusForbidden)
	bc.get("/w/shop/members").wantStatus(t, http.StatusForbidden)
	bc.get("/w/shop/settings").wantStatus(t, http.StatusForbidden)

	// Carol, a member of nothing: as if the workspace did not exist.
	cc := signInAs(t, ts, "carol@example.com", testPassword)
	if strings.Contains(cc.get("/").body, "/w/shop") {
		t.Error("a non-member's home page lists the workspace")
	}
	cc.get("/w/shop").wantStatus(t, http.StatusNotFound)
	cc.get("/w/shop/diagram.svg").wantStatus(t, http.StatusNotFound)

	// Bob an editor: the model's controls, Share and Settings, no Members.
	ada.get("/w/shop/members")
	ada.htmx("/w/shop/members/"+strconv.FormatInt(bob.ID, 10), url.Values{"role": {"editor"}}).wantStatus(t, http.StatusOK)
	wp = bc.get("/w/shop")
	for _, id := range []string{"edit", "service-add-form", "tab-share", "tab-settings"} {
		wp.find(t, id)
	}
	for _, id := range []string{"role-note", "tab-members"} {
		if wp.doc.Find(`[data-testid="`+id+`"]`).Length() != 0 {
			t.Errorf("an editor's model page has %s", id)
		}
	}
	bc.get("/w/shop/settings").wantStatus(t, http.StatusOK)
	if bc.get("/w/shop/settings").doc.Find(`[data-testid="workspace-delete-form"]`).Length() != 0 {
		t.Error("an editor's settings page offers to delete the workspace")
	}
	bc.post("/w/shop/delete", url.Values{"confirm": {"shop"}}).wantStatus(t, http.StatusForbidden)

	// Removed (a plain form, no htmx): gone for Bob; the admin still sees it.
	ada.get("/w/shop/members")
	ada.post("/w/shop/members/"+strconv.FormatInt(bob.ID, 10)+"/delete", nil).wantStatus(t, http.StatusOK)
	bc.get("/w/shop").wantStatus(t, http.StatusNotFound)
	admin.get("/w/shop/members").find(t, "member-row")
}

func memberID(tb testing.TB, ts *testServer, email string) int64 {
	tb.Helper()
	u, err := ts.db.GetUserByEmail(context.Background(), email)
	if err != nil {
		tb.Fatal(err)
	}
	return u.ID
}

// An owner who gives up managing the workspace is led to what they may
// still open: the workspace as a viewer, the home page once removed.
func TestMemberLeavesOwnRole(t *testing.T) {
	ts := newTestServer(t)
	ts.signedIn(t)
	userWithToken(t, ts, "ada@example.com")
	userWithToken(t, ts, "bob@example.com")
	ada := signInAs(t, ts, "ada@example.com", testPassword)
	ada.post("/w", url.Values{"name": {"Shop"}}).wantRedirect(t, "/w/shop")
	ada.get("/w/shop/members")
	ada.htmx("/w/shop/members", url.Values{"email": {"bob@example.com"}, "role": {"owner"}}).wantStatus(t, http.StatusOK)
	self := "/w/shop/members/" + strconv.FormatInt(memberID(t, ts, "ada@example.com"), 10)
	p := ada.htmx(self, url.Values{"role": {"viewer"}})
	if p.StatusCode != http.StatusNoContent || p.Header.Get("HX-Redirect") != "/w/shop" {
		t.Errorf("demoting oneself: %d, HX-Redirect %q; want the workspace", p.StatusCode, p.Header.Get("HX-Redirect"))
	}
	ada.get("/w/shop").find(t, "role-note")
	ada.get("/w/shop/members").wantStatus(t, http.StatusForbidden)
	// Bob, still an owner, removes her: the workspace is gone for her.
	bob := signInAs(t, ts, "bob@example.com", testPassword)
	bob.get("/w/shop/members")
	bob.post(self+"/delete", nil).wantStatus(t, http.StatusOK)
	ada.get("/w/shop").wantStatus(t, http.StatusNotFound)
	// An owner removing themself goes home.
	bob.get("/w/shop/members")
	bob.htmx("/w/shop/members", url.Values{"email": {"ada@example.com"}, "role": {"owner"}}).wantStatus(t, http.StatusOK)
	p = bob.post("/w/shop/members/"+strconv.FormatInt(memberID(t, ts, "bob@example.com"), 10)+"/delete", nil)
	p.wantRedirect(t, "/")
}
