package diff

import (
	"strings"
	"testing"

	"github.com/archmap/archmap/risk"
	"github.com/archmap/archmap/topology"
)

func parse(tb testing.TB, doc string) *topology.Model {
	tb.Helper()
	m, err := topology.Parse([]byte(doc))
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

// TestAcceptedRisksInDiff: an acceptance is a part of the model that can
// be added, changed and removed; a new finding that is accepted is listed
// but neither counted nor failed on.
func TestAcceptedRisksInDiff(t *testing.T) {
	base := "version: 1\nname: A\nservices: [{name: db, kind: database}, {name: api}]\nservers: [{name: n1}, {name: n2}]\nplacements:\n  - {service: api, server: n1}\n  - {service: api, server: n2}\n"
	newer := base + "  - {service: db, server: n1}\naccepted_risks:\n  - rule: spof-instance\n    subjects: [service:db]\n    reason: backed up hourly\n"
	r := Compare(parse(t, base), parse(t, newer))
	subject := "accepted_risk:spof-instance:service:db"
	if len(r.Model.Added) == 0 || r.Model.Added[len(r.Model.Added)-1].Subject != subject {
		t.Errorf("added %+v, want %s last", r.Model.Added, subject)
	}
	var db *risk.Finding
	for i := range r.Findings.New {
		if r.Findings.New[i].Rule == risk.RuleSpofInstance {
			db = &r.Findings.New[i]
		}
	}
	if db == nil || db.Accepted == nil {
		t.Fatalf("new findings %+v", r.Findings.New)
	}
	if r.Summary.New.High != 0 || r.FailingNew(risk.High) != 0 {
		t.Errorf("an accepted new finding counts: %+v, failing %d", r.Summary.New, r.FailingNew(risk.High))
	}
	var b strings.Builder
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "(accepted)") {
		t.Errorf("text report does not mark it:\n%s", b.String())
	}

	changed := Compare(parse(t, newer), parse(t, strings.Replace(newer, "backed up hourly", "backed up daily", 1)))
	if len(changed.Model.Changed) != 1 || changed.Model.Changed[0].Subject != subject || changed.Model.Changed[0].Fields["reason"] != [2]any{"backed up hourly", "backed up daily"} {
		t.Errorf("changed %+v", changed.Model.Changed)
	}
	removed := Compare(parse(t, newer), parse(t, strings.SplitN(newer, "accepted_risks:", 2)[0]))
	if len(removed.Model.Removed) != 1 || removed.Model.Removed[0].Subject != subject || removed.FailingNew(risk.High) != 0 {
		t.Errorf("removed %+v", removed.Model.Removed)
	}
}
