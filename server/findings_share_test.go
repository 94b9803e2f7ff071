package server

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/archmap/archmap/topology"
)

// TestShareFindingsPanel: a share link shows the findings panel, grouped
// and filtered like the workspace's, read-only; the API's findings and
// model carry the acceptances (the JSON contract of docs/rules/README.md#findings).
func TestShareFindingsPanel(t *testing.T) {
	f := newAPIFixture(t)
	m := shopModel()
	m.AcceptedRisks = []topology.AcceptedRisk{{Rule: "spof-instance", Subjects: []string{"service:db"}, Reason: "<b>backed up</b> hourly", Owner: "dba"}}
	slug := importModel(t, f.db, "shop", m)

	token, _ := f.createShare(t, slug, `{}`)
	r := f.anon(t, "GET", "/s/"+token+"/findings?severity=high", nil).want(t, http.StatusOK)
	doc := parseHTML(t, r)
	if doc.Find(`[data-testid="finding-group"]`).Length() == 0 {
		t.Fatal("no finding groups on the share page")
	}
	doc.Find(`[data-testid="finding-row"]`).Each(func(_ int, s *goquery.Selection) {
		if sev, _ := s.Attr("data-severity"); sev != "high" {
			t.Errorf("a %s row under the high filter", sev)
		}
	})
	if doc.Find(`form[method="post"]`).Length() != 0 || doc.Find(`[data-testid="accept-form"]`).Length() != 0 {
		t.Error("the share page offers a form that writes")
	}
	if strings.Contains(string(r.body), "<b>backed up</b>") || !strings.Contains(doc.Find(`[data-testid="finding-accepted"]`).Text(), "<b>backed up</b> hourly") {
		t.Error("the accepted reason is not shown escaped")
	}
	if href, _ := doc.Find(`[data-testid="show-on-diagram"]`).First().Attr("href"); !strings.HasPrefix(href, "/s/"+token+"/diagram") {
		t.Errorf("show on diagram leads to %q, out of the share", href)
	}

	// The API: the findings JSON marks the acceptance; the model carries it.
	var rep struct {
		Findings []struct {
			Rule     string
			Subjects []string
			Accepted *struct{ Reason, Owner, Expires string }
		}
		Summary map[string]int
	}
	if err := json.Unmarshal(f.api(t, "GET", "/workspaces/"+slug+"/findings", "").want(t, http.StatusOK).body, &rep); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, x := range rep.Findings {
		if x.Rule == "spof-instance" && x.Subjects[0] == "service:db" {
			found = x.Accepted != nil && x.Accepted.Owner == "dba"
		}
	}
	if !found || rep.Summary["accepted"] != 1 {
		t.Errorf("API findings: %+v", rep)
	}
	model := string(f.api(t, "GET", "/workspaces/"+slug+"/model", "").want(t, http.StatusOK).body)
	if !strings.Contains(model, `"accepted_risks"`) || !strings.Contains(model, `"reason":"<b>backed up</b> hourly"`) {
		t.Errorf("API model lacks the acceptance:\n%s", model)
	}

	// A PUT of a model with a broken acceptance is refused, naming the
	// place and line, and stores nothing.
	bad := "version: 1\nname: Shop\nservices: [{name: web}]\naccepted_risks:\n  - rule: spof-everything\n    subjects: [web]\n"
	msg := f.api(t, "PUT", "/workspaces/"+slug+"/model", []byte(bad), "Content-Type", "application/yaml").want(t, http.StatusBadRequest).errorText(t)
	for _, want := range []string{`accepted_risks[0].rule: unknown rule "spof-everything"`, "(line 5)", `accepted_risks[0].subjects[0]: malformed subject "web"`, "accepted_risks[0].reason: required"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}
}
