package server

import (
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/archmap/archmap/topology/topologytest"
)

// TestBrowserFindingsView is issue 16's must-show on a 300-service model:
// the findings view shows groups with counts; filtering to one team and to
// high shrinks the list and the diagram's outlines (and is in the URL);
// accepting a finding from the UI moves it to the accepted group and into
// the exported model.
func TestBrowserFindingsView(t *testing.T) {
	ts := newTestServer(t)
	c := ts.signedIn(t)
	m := topologytest.Generate(300)
	if _, _, err := ts.db.ImportModel(t.Context(), "big", m); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, ts.URL)
	b.run("sign in",
		b.navigate("/login"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="login-form"]`)),
		chromedp.SendKeys(chromedp.CSS(`#login-email`), testEmail),
		chromedp.SendKeys(chromedp.CSS(`#login-password`), testPassword),
		chromedp.Click(chromedp.CSS(`[data-testid="login-submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="logout"]`)),
	)
	b.run("open the findings tab", b.navigate("/w/big/findings"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="tab-findings"][aria-current="page"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="finding-groups"]`)))
	b.waitJS("the diagram is drawn and outlined", `document.querySelector("#findings-diagram[data-outlined]")`)

	type state struct {
		Groups   int    `json:"groups"`
		Total    int    `json:"total"` // the groups' counts, summed
		Rows     int    `json:"rows"`
		Outlined int    `json:"outlined"`
		Sevs     string `json:"sevs"` // severities of the outlines
		Title    string `json:"title"`
		URL      string `json:"url"`
	}
	read := func(step string) state {
		return evalJS[state](b, step, `(() => {
			const groups = [...document.querySelectorAll('[data-testid="finding-group"]:not(.finding-group-accepted)')];
			const sevs = new Set();
			document.querySelectorAll('#findings-diagram g[class*="fo-"]').forEach(g => g.classList.forEach(c => c.startsWith("fo-") && c !== "fo-accepted" && sevs.add(c)));
			return {
				groups: groups.length,
				total: groups.reduce((n, g) => n + Number(g.dataset.count), 0),
				rows: document.querySelectorAll('[data-testid="finding-row"]').length,
				outlined: Number(document.querySelector("#findings-diagram").dataset.outlined),
				sevs: [...sevs].sort().join(","),
				title: (document.querySelector('[data-testid="group-title"]') || {}).textContent || "",
				url: location.search,
			};
		})()`)
	}
	b.screenshot("findings-view")
	all := read("read the whole view")
	if all.Groups < 4 || all.Total < 200 || all.Outlined < 10 {
		t.Fatalf("whole view: %+v", all)
	}
	if all.Rows > 25*all.Groups+25 {
		t.Errorf("%d rows on one page for %d findings: not bounded", all.Rows, all.Total)
	}
	if !strings.Contains(all.Title, " ") || all.Title[0] < '1' || all.Title[0] > '9' {
		t.Errorf("group title %q does not count", all.Title)
	}

	evalJS[chromedp.Void](b, "filter to one team", `(() => {
		const s = document.querySelector('[data-testid="filter-team"]');
		s.value = "team-003";
		s.dispatchEvent(new Event("change", {bubbles: true}));
	})()`)
	b.waitJS("the list follows the team", `location.search.includes("team=team-003") && document.querySelector('[data-testid="findings-shown"]')`)
	b.waitJS("the outlines follow the team", `Number(document.querySelector("#findings-diagram").dataset.outlined) < `+strconv.Itoa(all.Outlined))
	team := read("read the team's view")
	if team.Total >= all.Total || team.Total == 0 || team.Outlined >= all.Outlined || team.Outlined == 0 {
		t.Errorf("team filter: %+v, whole: %+v", team, all)
	}

	evalJS[chromedp.Void](b, "filter to high", `document.querySelector('[data-testid="filter-severity-high"]').click()`)
	b.waitJS("the list follows the severity", `location.search.includes("severity=high")`)
	b.waitJS("the list follows the severity", `document.querySelectorAll('[data-testid="finding-row"]:not([data-severity="high"])').length === 0`)
	// 300 services are drawn grouped by team (the diagram's own bound), so
	// the team's one node stays outlined, for its high findings only (the
	// outlines of single services are TestBrowserFindingsOutlines').
	high := read("read the team's high findings")
	if high.Total >= team.Total || high.Total == 0 || high.Outlined > team.Outlined || high.Sevs != "fo-high" {
		t.Errorf("high filter: %+v, team: %+v", high, team)
	}
	b.screenshot("findings-view-team-high")
	if n := evalJS[int](b, "count non-high rows", count(`[data-testid="finding-row"]:not([data-severity="high"])`)); n != 0 {
		t.Errorf("%d rows that are not high under the high filter", n)
	}
	// The filter is in the URL: a reload shows the same.
	b.run("reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`[data-testid="finding-groups"]`)))
	if again := read("read after reload"); again.Total != high.Total || again.URL != high.URL {
		t.Errorf("after reload %+v, before %+v", again, high)
	}

	// Accept the first finding of the list, from the UI.
	first := evalJS[string](b, "the first finding", `document.querySelector('[data-testid="finding-row"]').id`)
	rule := evalJS[string](b, "its rule", `document.querySelector('[data-testid="finding-row"]').dataset.rule`)
	b.run("accept it",
		chromedp.Click(chromedp.CSS(`#`+first+` [data-testid="accept-open"]`)),
		chromedp.SendKeys(chromedp.CSS(`#`+first+` [data-testid="accept-reason"]`), "Known; the rebuild takes 2 minutes"),
		chromedp.SendKeys(chromedp.CSS(`#`+first+` [data-testid="accept-owner"]`), "platform"),
		chromedp.Click(chromedp.CSS(`#`+first+` [data-testid="accept-submit"]`)),
	)
	b.waitJS("the finding moves to the accepted group", `document.querySelector('.finding-group-accepted #`+first+`')`)
	after := read("read after accepting")
	if after.Total != high.Total-1 || !strings.Contains(after.URL, "severity=high") {
		t.Errorf("after accepting: %+v, before %+v", after, high)
	}
	b.checkConsole()

	exp := c.get("/w/big/model.yaml")
	if !strings.Contains(exp.body, "accepted_risks:\n  - rule: "+rule) || !strings.Contains(exp.body, "reason: Known; the rebuild takes 2 minutes") || !strings.Contains(exp.body, "owner: platform") {
		t.Errorf("the export lacks the acceptance:\n%s", exp.body[max(0, strings.Index(exp.body, "accepted_risks")-10):])
	}

	// And it can be withdrawn again.
	b.run("withdraw it", chromedp.Click(chromedp.CSS(`#`+first+` [data-testid="withdraw-submit"]`)))
	b.waitJS("the finding is open again", `document.querySelector('.finding-group:not(.finding-group-accepted) #`+first+`')`)
	b.checkConsole()
}

// TestBrowserFindingsOutlines: on a model drawn service by service, the
// severity filter removes the outlines of what it hides, and an accepted
// finding's service is drawn dashed grey, not in its severity's colour.
func TestBrowserFindingsOutlines(t *testing.T) {
	ts := newTestServer(t)
	ts.signedIn(t)
	m := topologytest.Generate(60)
	if _, _, err := ts.db.ImportModel(t.Context(), "small", m); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, ts.URL)
	b.run("sign in",
		b.navigate("/login"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="login-form"]`)),
		chromedp.SendKeys(chromedp.CSS(`#login-email`), testEmail),
		chromedp.SendKeys(chromedp.CSS(`#login-password`), testPassword),
		chromedp.Click(chromedp.CSS(`[data-testid="login-submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="logout"]`)),
		b.navigate("/w/small/findings?rule=spof-instance"),
	)
	b.waitJS("the diagram is outlined", `document.querySelector("#findings-diagram[data-outlined]")`)
	outlined := func() int {
		return evalJS[int](b, "count outlines", `Number(document.querySelector("#findings-diagram").dataset.outlined)`)
	}
	all := outlined()
	evalJS[chromedp.Void](b, "filter to high", `document.querySelector('[data-testid="filter-severity-high"]').click()`)
	b.waitJS("the outlines follow", `Number(document.querySelector("#findings-diagram").dataset.outlined) < `+strconv.Itoa(all))
	if n := evalJS[int](b, "non-high outlines", count(`#findings-diagram g.fo-medium, #findings-diagram g.fo-low, #findings-diagram g.fo-info`)); n != 0 || outlined() == 0 {
		t.Errorf("under the high filter: %d outlined, %d not high (of %d before)", outlined(), n, all)
	}
	first := evalJS[string](b, "the first finding", `document.querySelector('[data-testid="finding-row"]').id`)
	target := evalJS[string](b, "its service", `document.querySelector('[data-testid="finding-row"]').dataset.targets.split(" ")[0]`)
	b.run("accept it",
		chromedp.Click(chromedp.CSS(`#`+first+` [data-testid="accept-open"]`)),
		chromedp.SendKeys(chromedp.CSS(`#`+first+` [data-testid="accept-reason"]`), "a cache"),
		chromedp.Click(chromedp.CSS(`#`+first+` [data-testid="accept-submit"]`)),
	)
	b.waitJS("its service is marked accepted", `document.querySelector("#findings-diagram[data-outlined] g.fo-accepted#`+target+`")`)
	dash := evalJS[string](b, "its outline", `getComputedStyle(document.querySelector("#`+target+` :is(polygon, ellipse, path)")).strokeDasharray`)
	if dash == "none" || dash == "" {
		t.Errorf("the accepted service's outline is not dashed: %q", dash)
	}
	b.checkConsole()
}
