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

// The audit page and API: newest first, a page at a time, filtered, and
// everything an attacker typed shown as typed.
func TestAuditPageAndAPI(t *testing.T) {
	ts := newTestServer(t)
	admin := ts.signedIn(t)
	ctx := context.Background()
	const hostile = `<script>alert(1)</script>@x"><img src=x onerror=alert(2)>`
	probe := ts.browserAt(t)
	probe.post("/login", url.Values{"email": {hostile}, "password": {"wrong password"}}).wantStatus(t, http.StatusUnauthorized)
	for i := range 60 {
		if err := ts.db.RecordAudit(ctx, store.AuditEvent{Action: store.AuditTokenCreate, Actor: "bot", Target: "t" + strconv.Itoa(i), Address: "192.0.2.1"}); err != nil {
			t.Fatal(err)
		}
	}

	p := admin.get("/admin/audit")
	p.wantStatus(t, http.StatusOK)
	if strings.Contains(p.body, "<script>alert(1)") || strings.Contains(p.body, "<img src=x") {
		t.Fatal("the audit page shows a typed email as HTML")
	}
	rows := p.find(t, "audit-row")
	if rows.Length() != auditPageSize {
		t.Errorf("%d rows on the first page, want %d", rows.Length(), auditPageSize)
	}
	if got := rows.First().Find(`[data-testid="audit-target"]`).Text(); got != "t59" {
		t.Errorf("first row is %q, want the newest (t59)", got)
	}
	older, _ := p.find(t, "audit-older").Attr("href")
	p = admin.get(older)
	p.wantStatus(t, http.StatusOK)
	if n := p.find(t, "audit-row").Length(); n < 10 {
		t.Errorf("%d rows on the second page", n)
	}

	p = admin.get("/admin/audit?action=" + store.AuditSignInFailed)
	p.wantStatus(t, http.StatusOK)
	got := p.find(t, "audit-row")
	if got.Length() != 1 || got.Find(`[data-testid="audit-target"]`).Text() != hostile {
		t.Errorf("filtered by sign_in_failed: %d rows, target %q", got.Length(), got.Find(`[data-testid="audit-target"]`).Text())
	}
	if sel, _ := p.doc.Find(`#audit-action option[selected]`).Attr("value"); sel != store.AuditSignInFailed {
		t.Errorf("the filter shows %q selected", sel)
	}
	me, _ := ts.db.GetUserByEmail(ctx, testEmail)
	p = admin.get("/admin/audit?user=" + strconv.FormatInt(me.ID, 10))
	for _, a := range p.doc.Find(`[data-testid="audit-action"]`).EachIter() {
		if a.Text() == store.AuditTokenCreate {
			t.Error("the user filter shows the bot's events")
			break
		}
	}
	admin.get("/admin/audit?offset=-1").wantStatus(t, http.StatusBadRequest)

	token := mustAPIToken(t, ts.db, me.ID)
	bearer := []string{"Authorization", "Bearer " + token}
	var page struct {
		Events []store.AuditEvent `json:"events"`
		Total  int                `json:"total"`
	}
	request(t, ts, "GET", "/api/v1/audit?limit=5&action="+store.AuditTokenCreate, nil, bearer...).want(t, http.StatusOK).decode(t, &page)
	if len(page.Events) != 5 || page.Total != 60 || page.Events[0].Target != "t59" || page.Events[0].Action != store.AuditTokenCreate {
		t.Errorf("API page: %d events, total %d, first %+v", len(page.Events), page.Total, page.Events[0])
	}
	request(t, ts, "GET", "/api/v1/audit?limit=5&offset=58&action="+store.AuditTokenCreate, nil, bearer...).want(t, http.StatusOK).decode(t, &page)
	if len(page.Events) != 2 || page.Events[1].Target != "t0" {
		t.Errorf("API last page: %+v", page.Events)
	}
	request(t, ts, "GET", "/api/v1/audit?limit=0", nil, bearer...).wantError(t, http.StatusBadRequest, "limit")
	request(t, ts, "GET", "/api/v1/audit?limit=201", nil, bearer...).wantError(t, http.StatusBadRequest, "limit")
	request(t, ts, "GET", "/api/v1/audit", nil).want(t, http.StatusUnauthorized)
}
