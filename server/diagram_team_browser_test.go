package server

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/archmap/archmap/diagram"
	"github.com/archmap/archmap/topology/topologytest"
)

// teamOpenJS is true once the diagram shows team's services one by one:
// each of them has a node of its own, and the team no node.
func teamOpenJS(team string, members int) string {
	return fmt.Sprintf(`(() => {
		const d = window.archmap.diagram();
		if (!d || (d.data.teams || {})[%[1]s]) return false;
		const own = Object.values(d.data.services).filter(s => s.team === %[1]s && s.ids.length && !s.ids[0].startsWith("team-"));
		return own.length === %[2]d && own.every(s => document.getElementById(s.ids[0]));
	})()`, strconv.Quote(team), members)
}

// overviewJS is true once the diagram is the overview again: the team is a
// node among the others.
func overviewJS(team string) string {
	return fmt.Sprintf(`(() => { const d = window.archmap.diagram(); return !!(d && d.data.teams && d.data.teams[%[1]s] && document.getElementById(d.data.teams[%[1]s][0])); })()`, strconv.Quote(team))
}

// TestBrowserTeamDrillDown: in the team overview of a 300-service model a
// click on a team opens it in place (its 20 services, the teams they call
// as nodes), the address says which, reload and back keep it, and the
// breadcrumb returns to the overview; on a share page too.
func TestBrowserTeamDrillDown(t *testing.T) {
	f := newAPIFixture(t)
	slug := importModel(t, f.db, "generated-300", topologytest.Generate(300))
	const team = "team-003"
	b := newBrowser(t, f.URL)
	b.viewport(1440, 900, false)
	logInBrowser(b)
	b.run("open the overview", b.navigate("/w/"+slug+"/diagram"), chromedp.WaitVisible(chromedp.CSS(`#diagram-svg svg`)))
	b.waitJS("the overview shows the team", overviewJS(team))
	node := "#" + diagram.TeamID(team)
	b.run("click the team", chromedp.Click(chromedp.CSS(node)))
	b.waitJS("the team is open", teamOpenJS(team, 20))
	b.waitJS("the address carries it", `new URLSearchParams(location.search).get("team") === "team-003" && location.pathname.endsWith("/diagram")`)
	b.waitJS("the breadcrumb names it", `document.querySelector('[data-testid="breadcrumb-team"]').textContent === "team-003"`)
	// Calls to other teams end on those teams' nodes.
	b.waitJS("neighbour teams are nodes", `Object.keys(window.archmap.diagram().data.teams).length > 0 &&
		Object.values(window.archmap.diagram().data.teams).every(ids => document.getElementById(ids[0]))`)
	// The view tabs keep the team open.
	b.waitJS("the deployment tab carries the team", `document.querySelector('[data-testid="view-deployment"]').getAttribute("href").includes("team=team-003")`)
	b.viewShot("team-open")

	// The deployment view of the team: its services' placements one by
	// one on their servers.
	b.run("switch to the deployment view", chromedp.Click(chromedp.CSS(`[data-testid="view-deployment"]`)))
	b.waitJS("the team's deployment view", `location.search.includes("view=deployment") && window.archmap.diagram() && window.archmap.diagram().data.view === "deployment" &&
		document.querySelector('[data-testid="breadcrumb-team"]') && window.archmap.diagram().data.services["svc-00060"] &&
		!window.archmap.diagram().data.services["svc-00060"].ids[0].startsWith("team-")`)
	b.viewShot("team-open-deployment")
	b.run("back to the services view", chromedp.Click(chromedp.CSS(`[data-testid="view-services"]`)))
	b.waitJS("the team's services view", `window.archmap.diagram() && window.archmap.diagram().data.view === "services"`)
	b.run("reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`#diagram-svg svg`)))
	b.waitJS("the team is still open", teamOpenJS(team, 20))
	b.run("back to the overview", chromedp.Click(chromedp.CSS(`[data-testid="breadcrumb-overview"]`)))
	b.waitJS("the overview is back", overviewJS(team)+` && !location.search.includes("team=")`)
	evalJS[bool](b, "browser back", `history.back(), true`)
	b.waitJS("back reopens the team", teamOpenJS(team, 20)+` && location.search.includes("team=team-003")`)

	// A share page opens teams the same way.
	token, _ := f.createShare(t, slug, `{"expires_in": "1h"}`)
	b.run("open the share page", b.navigate("/s/"+token), chromedp.WaitVisible(chromedp.CSS(`#diagram-svg svg`)))
	b.waitJS("the shared overview shows the team", overviewJS(team))
	b.run("click the team on the share page", chromedp.Click(chromedp.CSS(node)))
	b.waitJS("the shared team is open", teamOpenJS(team, 20)+` && location.search.includes("team=team-003")`)
	b.run("back to the shared overview", chromedp.Click(chromedp.CSS(`[data-testid="breadcrumb-overview"]`)))
	b.waitJS("the shared overview is back", overviewJS(team))
	b.checkConsole()
}

// nodesInFrameJS counts the nodes (the legend left out) whose centre is in
// the diagram frame.
const nodesInFrameJS = `(() => {
	const f = document.getElementById("diagram-frame").getBoundingClientRect();
	return [...document.querySelectorAll("#diagram-svg g.node:not(.legend)")].filter(e => {
		const r = e.getBoundingClientRect(), x = r.left + r.width / 2, y = r.top + r.height / 2;
		return x > f.left && x < f.right && y > f.top && y < f.bottom;
	}).length;
})()`

// TestBrowserFitShowsNodes: a drawing too big to fit at a readable size
// (100 services, one node each) opens where its nodes are, not on an empty
// corner: a ranked layout centres its first ranks far below the top.
func TestBrowserFitShowsNodes(t *testing.T) {
	f := newAPIFixture(t)
	slug := importModel(t, f.db, "generated-100", topologytest.Generate(100))
	b := newBrowser(t, f.URL)
	b.viewport(1440, 900, false)
	logInBrowser(b)
	b.run("open the diagram", b.navigate("/w/"+slug+"/diagram"), chromedp.WaitVisible(chromedp.CSS(`#diagram-svg svg`)))
	b.waitJS("the diagram is fitted", `window.archmap.diagram() && window.archmap.diagram().panZoom`)
	// Before: none (the top left corner of a 5 500×2 600 pt drawing); 9.
	b.waitJS("nodes are in sight", nodesInFrameJS+` >= 5`)
	fit := evalJS[diagramFit](b, "measure", measureFitJS)
	t.Logf("100 services: %d nodes in sight, median label %.1f px", evalJS[int](b, "count", nodesInFrameJS), fit.LabelPx)
	if fit.LabelPx < 11 {
		t.Errorf("median node label %.1f px, want ≥ 11", fit.LabelPx)
	}
	b.viewShot("fit-100")
	b.checkConsole()
}
