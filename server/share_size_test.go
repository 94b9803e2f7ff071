package server

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/diagram"
	"github.com/archmap/archmap/store"
	"github.com/archmap/archmap/topology/topologytest"
	"github.com/archmap/archmap/views"
)

// maxSharePageBytes is the bound of a share page (and the workspace's
// diagram page, which is the same component) whatever the model's size:
// the lists are capped (diagramPageData), the findings are summed up by rule
// past maxFindingsListed.
const maxSharePageBytes = 1 << 20

func TestSharePageOfHugeModelIsBounded(t *testing.T) {
	n := 60_000
	if testing.Short() || raceEnabled {
		n = 10_000 // past every bound of the page all the same
	}
	m := topologytest.Generate(n)
	sn := newSnapshot("w1:r1", &store.Workspace{ID: 1, Slug: "huge", Name: m.Name, Revision: 1}, 1, m)
	if len(sn.report.Findings) <= maxFindingsListed || len(m.Services) <= maxListed || len(m.Servers) <= maxServersListed {
		t.Fatalf("the model (%d findings) does not pass the page's bounds; the test tests nothing", len(sn.report.Findings))
	}
	c := echo.New().NewContext(httptest.NewRequest("GET", "/s/x", nil), httptest.NewRecorder())
	d := diagramPageData(sn, views.DiagramOptions{View: "services", Depth: diagram.DefaultDepth}, "/s/x")
	d.ReadOnly = true
	info := views.ShareInfo{Name: m.Name, Revision: 1, Pinned: true}
	html, err := renderHTML(c, views.ShareLayout(info.Name, views.SharePage(info, d)))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("share page of %d services, %d servers, %d findings: %d bytes", len(m.Services), len(m.Servers), len(sn.report.Findings), len(html))
	if len(html) > maxSharePageBytes {
		t.Errorf("share page is %d bytes, bound %d", len(html), maxSharePageBytes)
	}
	page := string(html)
	for _, want := range []string{`data-testid="focus-input"`, `data-testid="fail-input"`, `data-testid="findings-by-rule"`, `data-testid="findings-truncated"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the page of a huge model has no %s", want)
		}
	}
	if got := strings.Count(page, `data-testid="finding"`); got != maxFindingsListed {
		t.Errorf("%d findings listed, want the %d most serious", got, maxFindingsListed)
	}
}

// maxEditorPageBytes bounds the model tab whatever the model's size: its
// tables come a page at a time and the placement matrix one zone at a time.
const maxEditorPageBytes = 256 << 10

// TestEditorPageOfHugeModelIsBounded: the model tab of a 60 000-service
// model stays small (issue 12: it was 132 MB).
func TestEditorPageOfHugeModelIsBounded(t *testing.T) {
	n := 60_000
	if testing.Short() || raceEnabled {
		n = 10_000 // past every bound of the page all the same
	}
	ts := newTestServer(t)
	c := ts.signedIn(t)
	m := topologytest.Generate(n)
	importModel(t, ts.db, "huge", m)
	p := c.get("/w/huge")
	p.wantStatus(t, http.StatusOK)
	t.Logf("model tab of %d services: %d bytes", n, len(p.body))
	if len(p.body) > maxEditorPageBytes {
		t.Errorf("the model tab is %d bytes, bound %d", len(p.body), maxEditorPageBytes)
	}
	if !strings.Contains(string(p.body), `data-testid="editor"`) {
		t.Errorf("not the editor:\n%.500s", p.body)
	}
}
