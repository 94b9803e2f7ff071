package server

import (
	"encoding/json"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/archmap/archmap/diagram"
	"github.com/archmap/archmap/risk"
	"github.com/archmap/archmap/topology"
	"github.com/archmap/archmap/topology/topologytest"
	"github.com/archmap/archmap/views"
)

func filterOf(q string) views.FindingsFilter {
	v, _ := url.ParseQuery(q)
	return parseFindingsFilter(func(k string) []string { return v[k] })
}

// TestFindingsData: grouping, counts and titles, each filter, the marks
// the diagram is outlined from, accepted findings apart, and the bounds
// that keep a page small on a model with thousands of findings.
func TestFindingsData(t *testing.T) {
	m := topologytest.Generate(1000)
	r := risk.AnalyzeAt(m, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC))
	all := findingsData(m, r, filterOf(""), "/w/x")
	if all.Total != len(r.Findings) || all.Shown != all.Total || len(all.Groups) < 5 {
		t.Fatalf("total %d shown %d groups %d", all.Total, all.Shown, len(all.Groups))
	}
	rows, counted := 0, 0
	for _, g := range all.Groups {
		rows += len(g.Items)
		counted += g.Count
		if len(g.Items) > groupPreview || (g.Count > groupPreview && (g.More != g.Count-groupPreview || g.MoreURL == "")) {
			t.Errorf("group %s: %d items, %d more (%q) of %d", g.Rule, len(g.Items), g.More, g.MoreURL, g.Count)
		}
	}
	if counted != all.Total || rows > groupPreview*len(topology.RuleIDs) {
		t.Errorf("groups count %d of %d, %d rows on the page", counted, all.Total, rows)
	}

	// One rule, paged.
	one := findingsData(m, r, filterOf("rule=spof-instance&page=1"), "/w/x")
	if len(one.Groups) != 1 || one.Groups[0].Rule != "spof-instance" || one.Groups[0].PrevURL == "" {
		t.Fatalf("rule filter: %+v", one.Groups)
	}
	if g := one.Groups[0]; g.Count > groupPage && len(g.Items) == 0 || g.Count <= groupPage && len(g.Items) != 0 {
		t.Errorf("page 1 of %d: %d items", g.Count, len(g.Items))
	}

	// Severity and team narrow the list and the marks.
	high := findingsData(m, r, filterOf("severity=high"), "/w/x")
	team := findingsData(m, r, filterOf("severity=high&team=team-003"), "/w/x")
	if !(team.Shown < high.Shown && high.Shown < all.Shown) || team.Shown == 0 {
		t.Errorf("shown: all %d, high %d, high of team-003 %d", all.Shown, high.Shown, team.Shown)
	}
	var marks struct {
		Open     map[string]string
		Accepted map[string]bool
	}
	if err := json.Unmarshal([]byte(team.Marks), &marks); err != nil {
		t.Fatal(err)
	}
	for id, sev := range marks.Open {
		if sev != "high" {
			t.Errorf("%s marked %s under the high filter", id, sev)
		}
	}
	// 1 000 services are drawn by team: only team nodes are marked.
	if _, ok := marks.Open[diagram.TeamID("team-003")]; !ok || len(marks.Open) != 1 {
		t.Errorf("marks under the team-003 filter: %v", marks.Open)
	}
	// A model drawn service by service marks services, of the team only.
	small := topologytest.Generate(100)
	sd := findingsData(small, risk.Analyze(small), filterOf("team=team-002"), "/w/x")
	marks.Open = nil
	if err := json.Unmarshal([]byte(sd.Marks), &marks); err != nil {
		t.Fatal(err)
	}
	services := 0
	for _, s := range small.Services {
		if _, ok := marks.Open[diagram.ServiceID(s.Name)]; ok {
			services++
			if s.Team != "team-002" {
				t.Errorf("service %s of %s marked under the team-002 filter", s.Name, s.Team)
			}
		}
	}
	if services == 0 {
		t.Errorf("no service marked: %v", marks.Open)
	}

	// Text looks in subjects and messages, case folded.
	text := findingsData(m, r, filterOf("q=SVC-00042"), "/w/x")
	if text.Shown == 0 || text.Shown >= all.Shown {
		t.Errorf("text filter shows %d of %d", text.Shown, all.Shown)
	}

	// An accepted finding leaves its group for the accepted one, and its
	// elements are marked accepted.
	f := r.Findings[0]
	m.AcceptedRisks = []topology.AcceptedRisk{{Rule: f.Rule, Subjects: f.Subjects, Reason: "known"}}
	r = risk.AnalyzeAt(m, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC))
	acc := findingsData(m, r, filterOf(""), "/w/x")
	if acc.Accepted.Count != 1 {
		t.Errorf("accepted group %+v", acc.Accepted)
	}
	m, all = small, findingsData(small, risk.Analyze(small), filterOf(""), "/w/x")
	f = risk.Analyze(small).Findings[0]
	m.AcceptedRisks = []topology.AcceptedRisk{{Rule: f.Rule, Subjects: f.Subjects, Reason: "known"}}
	r = risk.AnalyzeAt(m, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC))
	acc = findingsData(m, r, filterOf(""), "/w/x")
	if acc.Accepted.Count != 1 || acc.Accepted.Items[0].Rule != f.Rule || acc.Groups[0].Count != all.Groups[0].Count-1 {
		t.Errorf("accepted group %+v; first group %d, was %d", acc.Accepted, acc.Groups[0].Count, all.Groups[0].Count)
	}
	if err := json.Unmarshal([]byte(acc.Marks), &marks); err != nil {
		t.Fatal(err)
	}
	if len(marks.Accepted) == 0 {
		t.Error("no element marked accepted")
	}
}

func TestGroupTitle(t *testing.T) {
	for _, tt := range []struct {
		rule string
		n    int
		want string
	}{
		{"spof-instance", 12, "12 services run a single instance"},
		{"spof-instance", 1, "1 service runs a single instance"},
		{"chatty-cross-network", 1, "1 call across the network is chatty"},
		{"idle-server", 2, "2 servers host nothing"},
		{"sync-cycle", 1, "1 cycle of synchronous calls"},
	} {
		if got := groupTitle(tt.rule, tt.n); got != tt.want {
			t.Errorf("groupTitle(%s, %d) = %q, want %q", tt.rule, tt.n, got, tt.want)
		}
	}
	for _, id := range topology.RuleIDs {
		if _, ok := ruleTitles[id]; !ok {
			t.Errorf("rule %s has no group title", id)
		}
	}
}

// go test -run '^$' -bench FindingsData ./server/
func BenchmarkFindingsData(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		m := topologytest.Generate(n)
		r := risk.Analyze(m)
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				findingsData(m, r, filterOf("severity=high&team=team-003"), "/w/x")
			}
		})
	}
}
