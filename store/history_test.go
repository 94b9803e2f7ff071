package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/archmap/archmap/topology"
	"github.com/archmap/archmap/topology/topologytest"
)

func exportYAML(tb testing.TB, m *topology.Model) string {
	tb.Helper()
	b, err := topology.EncodeYAML(m)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// TestHistoryRebuildsEveryRevision makes random edits of every kind —
// entity creates, updates, renames and deletes (with what cascades from
// them), whole-model replaces, header and settings changes, refused writes
// — and checks that every revision's model, rebuilt from the history, is
// exactly what was exported at the time.
func TestHistoryRebuildsEveryRevision(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	rng := rand.New(rand.NewPCG(7, 11))
	if _, _, err := db.ImportModel(ctx, "w", topologytest.Generate(30)); err != nil {
		t.Fatal(err)
	}
	exported := map[int64]string{}
	record := func() {
		m, ws, err := db.LoadModel(ctx, "w")
		if err != nil {
			t.Fatal(err)
		}
		exported[ws.Revision] = exportYAML(t, m)
	}
	record()
	pick := func(n int) int { return rng.IntN(n) }
	for step := 0; step < 300; step++ {
		r, err := db.LoadRecords(ctx, "w")
		if err != nil {
			t.Fatal(err)
		}
		var werr error
		switch op := pick(12); {
		case op == 0:
			_, _, werr = db.Services().Create(ctx, "w", topology.Service{Name: fmt.Sprintf("svc-%d", step), Team: "t"}, 0)
		case op == 1 && len(r.Services) > 0:
			s := r.Services[pick(len(r.Services))]
			s.Team = fmt.Sprint("team-", step)
			if pick(3) == 0 {
				s.Name = fmt.Sprintf("renamed-%d", step)
			}
			_, _, werr = db.Services().Update(ctx, "w", s.ID, s.Service, 0)
		case op == 2 && len(r.Services) > 5:
			_, werr = db.Services().Delete(ctx, "w", r.Services[pick(len(r.Services))].ID, 0)
		case op == 3:
			_, _, werr = db.Servers().Create(ctx, "w", topology.Server{Name: fmt.Sprintf("srv-%d", step), Zone: "z"}, 0)
		case op == 4 && len(r.Servers) > 2:
			_, werr = db.Servers().Delete(ctx, "w", r.Servers[pick(len(r.Servers))].ID, 0)
		case op == 5 && len(r.Services) > 0 && len(r.Servers) > 0:
			p := topology.Placement{Service: r.Services[pick(len(r.Services))].Name, Server: r.Servers[pick(len(r.Servers))].Name, Instances: 1 + pick(3)}
			_, _, werr = db.Placements().Create(ctx, "w", p, 0) // may be refused as a duplicate
		case op == 6 && len(r.Placements) > 0:
			p := r.Placements[pick(len(r.Placements))]
			p.Instances = 1 + pick(5)
			_, _, werr = db.Placements().Update(ctx, "w", p.ID, p.Placement, 0)
		case op == 7 && len(r.Placements) > 0:
			_, werr = db.Placements().Delete(ctx, "w", r.Placements[pick(len(r.Placements))].ID, 0)
		case op == 8 && len(r.Services) > 1:
			d := topology.Dependency{From: r.Services[pick(len(r.Services))].Name, To: r.Services[pick(len(r.Services))].Name, CallsPerRequest: float64(1 + pick(9))}
			_, _, werr = db.Dependencies().Create(ctx, "w", d, 0)
		case op == 9 && len(r.Dependencies) > 0:
			d := r.Dependencies[pick(len(r.Dependencies))]
			d.Mode = topology.ModeAsync
			d.CallsPerRequest = 0.5
			_, _, werr = db.Dependencies().Update(ctx, "w", d.ID, d.Dependency, 0)
		case op == 10:
			_, werr = db.UpdateWorkspace(ctx, "w", fmt.Sprint("Shop ", step), "described at "+fmt.Sprint(step), 0)
		case op == 11:
			// A whole-model replace: reversed services, a setting changed,
			// one dependency dropped.
			m := r.Model()
			for i, j := 0, len(m.Services)-1; i < j; i, j = i+1, j-1 {
				m.Services[i], m.Services[j] = m.Services[j], m.Services[i]
			}
			m.Settings.BlastRadius = 2 + pick(4)
			if len(m.Dependencies) > 0 {
				m.Dependencies = m.Dependencies[1:]
			}
			_, werr = db.ReplaceModel(ctx, "w", m, r.Workspace.Revision)
		default:
			continue
		}
		if werr != nil && topology.ErrorCode(werr) == "" {
			t.Fatalf("step %d: %v", step, werr)
		}
		record()
	}
	if len(exported) < 150 {
		t.Fatalf("only %d revisions made", len(exported))
	}
	for rev, want := range exported {
		m, entry, err := db.ModelAt(ctx, "w", rev)
		if err != nil {
			t.Fatalf("ModelAt(%d): %v", rev, err)
		}
		if entry.Revision != rev {
			t.Errorf("ModelAt(%d) returned the entry of revision %d", rev, entry.Revision)
		}
		if got := exportYAML(t, m); got != want {
			t.Fatalf("revision %d rebuilt differently:\n--- exported then\n%s\n--- rebuilt\n%s", rev, want, got)
		}
	}
	// One walk over the whole history hands over the same models.
	var newest int64
	for rev := range exported {
		newest = max(newest, rev)
	}
	walked := 0
	err := db.WalkRevisions(ctx, "w", newest, 1, func(rev int64, m *topology.Model) error {
		walked++
		if got := exportYAML(t, m); got != exported[rev] {
			t.Fatalf("the walk rebuilt revision %d differently", rev)
		}
		return nil
	})
	if err != nil || walked != len(exported) {
		t.Errorf("WalkRevisions: %d of %d revisions (%v)", walked, len(exported), err)
	}
	_, total, err := db.ListRevisions(ctx, "w", 0, 1)
	if err != nil || total != len(exported) {
		t.Errorf("ListRevisions total %d (%v), want %d", total, err, len(exported))
	}
}

func TestHistoryEntries(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	alice := WithChange(ctx, Change{Author: "alice@example.com"})
	bob := WithChange(ctx, Change{Author: "bob@example.com (API token ci)"})
	if _, err := db.CreateWorkspace(alice, "Shop", ""); err != nil {
		t.Fatal(err)
	}
	_, _, err := db.Services().Create(alice, "shop", topology.Service{Name: "cart"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	srv, _, err := db.Servers().Create(bob, "shop", topology.Server{Name: "node-b"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	p, _, err := db.Placements().Create(bob, "shop", topology.Placement{Service: "cart", Server: "node-b", Instances: 2}, 0)
	if err != nil {
		t.Fatal(err)
	}
	p.Instances = 3
	if _, _, err := db.Placements().Update(alice, "shop", p.ID, p.Placement, 0); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.Dependencies().Create(alice, "shop", topology.Dependency{From: "cart", To: "cart"}, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Servers().Delete(bob, "shop", srv.ID, 0); err != nil {
		t.Fatal(err)
	}
	// A refused write records nothing.
	if _, _, err := db.Services().Create(alice, "shop", topology.Service{Name: "cart"}, 0); err == nil {
		t.Fatal("a duplicate service was accepted")
	}
	revs, total, err := db.ListRevisions(ctx, "shop", 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range revs {
		got = append(got, fmt.Sprintf("%d %s: %s", r.Revision, r.Author, r.Summary))
		if r.CreatedAt.IsZero() {
			t.Errorf("revision %d has no time", r.Revision)
		}
	}
	want := []string{
		"7 bob@example.com (API token ci): removed server node-b; with 1 placement(s) and call(s) that went with it",
		"6 alice@example.com: added call cart → cart",
		"5 alice@example.com: cart on node-b: 2 → 3 instances",
		"4 bob@example.com (API token ci): placed cart on node-b ×2",
		"3 bob@example.com (API token ci): added server node-b",
		"2 alice@example.com: added service cart",
		"1 alice@example.com: created the workspace",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") || total != 7 {
		t.Errorf("history (total %d):\n%s\nwant:\n%s", total, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	page, _, err := db.ListRevisions(ctx, "shop", 2, 2)
	if err != nil || len(page) != 2 || page[0].Revision != 5 {
		t.Errorf("page 2 of 2: %+v %v", page, err)
	}
	if _, _, err := db.ModelAt(ctx, "shop", 8); topology.ErrorCode(err) != topology.ENOTFOUND {
		t.Errorf("a revision that does not exist: %v", err)
	}
	if _, _, err := db.ModelAt(ctx, "nope", 1); topology.ErrorCode(err) != topology.ENOTFOUND {
		t.Errorf("a workspace that does not exist: %v", err)
	}
}

func TestRestoreRevision(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	ws, _ := seed(t, db) // revision 2
	first, _, err := db.LoadModel(ctx, ws.Slug)
	if err != nil {
		t.Fatal(err)
	}
	m := topologytest.Generate(10)
	m.Name = "Other"
	if _, err := db.ReplaceModel(ctx, ws.Slug, m, 0); err != nil {
		t.Fatal(err)
	}
	// A stale expected revision is refused and changes nothing.
	_, err = db.RestoreRevision(ctx, ws.Slug, 2, 2)
	wantCode(t, err, topology.EPRECONDITION)
	_, err = db.RestoreRevision(ctx, ws.Slug, 99, 3)
	wantCode(t, err, topology.ENOTFOUND)
	after, err := db.RestoreRevision(WithChange(ctx, Change{Author: "carol"}), ws.Slug, 2, 3)
	if err != nil {
		t.Fatal(err)
	}
	if after.Revision != 4 {
		t.Errorf("restore made revision %d, want 4", after.Revision)
	}
	now, _, err := db.LoadModel(ctx, ws.Slug)
	if err != nil {
		t.Fatal(err)
	}
	if exportYAML(t, now) != exportYAML(t, first) {
		t.Errorf("the restored model differs from revision 2")
	}
	// History is never rewritten: revision 3 is still there.
	three, _, err := db.ModelAt(ctx, ws.Slug, 3)
	if err != nil || three.Name != "Other" {
		t.Errorf("revision 3 after the restore: %v %v", three, err)
	}
	revs, _, _ := db.ListRevisions(ctx, ws.Slug, 0, 1)
	if revs[0].Summary != "restored revision 2" || revs[0].Author != "carol" {
		t.Errorf("the restore's entry: %+v", revs[0])
	}
}

// Deleting a workspace takes its history with it, and leaves nothing that
// a later workspace could inherit.
func TestDeleteWorkspaceDeletesHistory(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	ws, _ := seed(t, db)
	if err := db.DeleteWorkspace(ctx, ws.Slug, 0); err != nil {
		t.Fatal(err)
	}
	var changes, revisions int
	if err := db.write.QueryRowContext(ctx, "SELECT (SELECT COUNT(*) FROM model_changes), (SELECT COUNT(*) FROM revisions)").Scan(&changes, &revisions); err != nil {
		t.Fatal(err)
	}
	if changes != 0 || revisions != 0 {
		t.Errorf("after the delete: %d changes and %d revisions left", changes, revisions)
	}
	again := mustCreateWorkspace(t, db, "w")
	revs, total, err := db.ListRevisions(ctx, again.Slug, 0, 10)
	if err != nil || total != 1 || revs[0].Summary != "created the workspace" {
		t.Errorf("a new workspace of the same name: %+v %d %v", revs, total, err)
	}
}

// BenchmarkHistory measures what history costs: the bytes one entity edit
// adds to the database at 1 000 services, and the time to rebuild the
// oldest of 1 000 revisions.
func BenchmarkHistory(b *testing.B) {
	ctx := context.Background()
	db := mustOpenDB(b)
	if _, _, err := db.ImportModel(ctx, "w", topologytest.Generate(1000)); err != nil {
		b.Fatal(err)
	}
	svc, _, err := db.Services().Page(ctx, "w", 0, 1)
	if err != nil {
		b.Fatal(err)
	}
	s := svc[0]
	size := func() int64 {
		var n int64
		if err := db.write.QueryRowContext(ctx, `SELECT
			(SELECT COALESCE(SUM(LENGTH(old_row) + LENGTH(new_row) + LENGTH(tbl) + 24), 0) FROM model_changes) +
			(SELECT COALESCE(SUM(LENGTH(author) + LENGTH(summary) + LENGTH(created_at) + 24), 0) FROM revisions)`).Scan(&n); err != nil {
			b.Fatal(err)
		}
		return n
	}
	edits := 0
	edit := func() {
		edits++
		s.Team = fmt.Sprint("team-", edits)
		if _, _, err := db.Services().Update(ctx, "w", s.ID, s.Service, 0); err != nil {
			b.Fatal(err)
		}
	}
	// Bytes are counted as the rows' text plus a fixed 24 per row for
	// keys and record headers; SQLite's pages add their own slack.
	b.Run("one-entity-edit-1000", func(b *testing.B) {
		before, n := size(), 0
		for b.Loop() {
			edit()
			n++
		}
		b.ReportMetric(float64(size()-before)/float64(n), "bytes/edit")
	})
	for edits < 1000 {
		edit()
	}
	b.Run("rebuild-oldest-of-1000", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := db.ModelAt(ctx, "w", 1); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("rebuild-newest", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := db.ModelAt(ctx, "w", int64(edits)+1); err != nil {
				b.Fatal(err)
			}
		}
	})
}
