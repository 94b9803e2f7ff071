package server

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/archmap/archmap/risk"
)

// TestFindingAcceptAndWithdraw: accepting needs a reason, is refused in
// place otherwise; the reason is shown as typed (escaped); the way back
// keeps the filter and cannot be turned into a redirect elsewhere; a stale
// page is a conflict; withdrawing reopens the finding.
func TestFindingAcceptAndWithdraw(t *testing.T) {
	ts := newTestServer(t)
	c := ts.signedIn(t)
	slug := importModel(t, ts.db, "shop", shopModel())
	page := c.get("/w/" + slug + "/findings")
	page.wantStatus(t, http.StatusOK)
	rev, _ := page.doc.Find(`[data-testid="accept-form"] input[name="revision"]`).First().Attr("value")
	form := func(kv ...string) url.Values {
		v := url.Values{"revision": {rev}, "finding": {findingID(risk.Finding{Rule: "spof-instance", Subjects: []string{"service:db"}})}}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}

	noReason := c.post("/w/"+slug+"/findings/accept", form("reason", "  ", "back", "severity=high"))
	noReason.wantStatus(t, http.StatusUnprocessableEntity)
	if msg := noReason.find(t, "findings-error").Text(); !strings.Contains(msg, "reason") {
		t.Errorf("error %q does not name the reason", msg)
	}
	if _, checked := noReason.doc.Find(`[data-testid="filter-severity-high"]`).Attr("checked"); !checked {
		t.Error("the refused form lost the filter it came from")
	}
	past := c.post("/w/"+slug+"/findings/accept", form("reason", "x", "expires", "2001-01-01"))
	past.wantStatus(t, http.StatusUnprocessableEntity)
	if msg := past.find(t, "findings-error").Text(); !strings.Contains(msg, "2001-01-01 has passed") {
		t.Errorf("past expiry: %q", msg)
	}
	badDate := c.post("/w/"+slug+"/findings/accept", form("reason", "x", "expires", "next week"))
	badDate.wantStatus(t, http.StatusUnprocessableEntity)
	if msg := badDate.find(t, "findings-error").Text(); !strings.Contains(msg, "YYYY-MM-DD") {
		t.Errorf("bad date: %q", msg)
	}
	gone := c.post("/w/"+slug+"/findings/accept", form("finding", "f-000000000000", "reason", "x"))
	gone.wantStatus(t, http.StatusUnprocessableEntity)
	if msg := gone.find(t, "findings-error").Text(); !strings.Contains(msg, "no longer reported") {
		t.Errorf("unknown finding: %q", msg)
	}

	script := `<script>alert(1)</script>`
	ok := c.post("/w/"+slug+"/findings/accept", form("reason", script, "owner", "platform", "expires", "2999-01-01", "back", "severity=high&evil=//example.com"))
	ok.wantRedirect(t, "/w/"+slug+"/findings?severity=high")
	after := c.get("/w/" + slug + "/findings")
	if strings.Contains(after.body, script) || !strings.Contains(after.find(t, "finding-accepted").Text(), script) {
		t.Errorf("the reason is not shown escaped, as typed")
	}
	if n := after.doc.Find(`.finding-group-accepted [data-testid="finding-row"][data-rule="spof-instance"]`).Length(); n != 1 {
		t.Errorf("%d accepted rows", n)
	}

	// The page the first form came from is stale now.
	stale := c.post("/w/"+slug+"/findings/withdraw", form())
	stale.wantStatus(t, http.StatusUnprocessableEntity)
	if !strings.Contains(stale.find(t, "findings-error").Text(), "Someone else changed") {
		t.Error("no conflict message for a stale page")
	}
	rev, _ = after.doc.Find(`[data-testid="withdraw-form"] input[name="revision"]`).First().Attr("value")
	c.post("/w/"+slug+"/findings/withdraw", form("revision", rev)).wantRedirect(t, "/w/"+slug+"/findings")
	if n := c.get("/w/" + slug + "/findings").doc.Find(`.finding-group-accepted`).Length(); n != 0 {
		t.Error("the acceptance was not withdrawn")
	}
}
