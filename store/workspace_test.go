package store

import (
	"context"
	"strings"
	"testing"

	"github.com/archmap/archmap/topology"
)

func TestSlugify(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "Shop", "shop"},
		{"spaces and case", "Demo Shop", "demo-shop"},
		{"punctuation runs", "  a -- b!!c  ", "a-b-c"},
		{"accents dropped", "Café Crème", "cafe-creme"},
		{"digits kept", "Shop 2024", "shop-2024"},
		{"non-ASCII only", "日本語", "workspace"},
		{"symbols only", "<script>", "script"},
		{"empty", "", "workspace"},
		{"long cut at a word", strings.Repeat("abcdefghi ", 8), "abcdefghi-abcdefghi-abcdefghi-abcdefghi-abcdefghi"},
		{"long single word", strings.Repeat("x", 80), strings.Repeat("x", MaxSlugLen)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := slugify(tt.in)
			if got != tt.want {
				t.Errorf("slugify(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if !ValidSlug(got) {
				t.Errorf("slugify(%q) = %q is not a valid slug", tt.in, got)
			}
		})
	}
}

func TestWorkspaceCRUD(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)

	ws, err := db.CreateWorkspace(ctx, "Demo Shop", "the shop")
	if err != nil {
		t.Fatal(err)
	}
	if ws.Slug != "demo-shop" || ws.Name != "Demo Shop" || ws.Description != "the shop" || ws.Revision != 1 || ws.CreatedAt.IsZero() {
		t.Fatalf("created %+v", ws)
	}
	got, err := db.GetWorkspace(ctx, "demo-shop")
	if err != nil || *got != *ws {
		t.Fatalf("GetWorkspace = %+v, %v; want %+v", got, err, ws)
	}
	m, _, err := db.LoadModel(ctx, ws.Slug)
	if err != nil {
		t.Fatal(err)
	}
	if m.Settings != topology.DefaultSettings() || len(m.Services) != 0 || m.Name != "Demo Shop" {
		t.Errorf("a new workspace's model is %+v", m)
	}

	// Names that make the same slug: unique slugs.
	for i, want := range []string{"demo-shop-2", "demo-shop-3"} {
		other, err := db.CreateWorkspace(ctx, "Demo shop"+strings.Repeat("!", i+1), "")
		if err != nil || other.Slug != want {
			t.Fatalf("CreateWorkspace(again) = %+v, %v; want slug %q", other, err, want)
		}
	}

	// Rename keeps the slug and bumps the revision.
	up, err := db.UpdateWorkspace(ctx, "demo-shop", "Shop of Demos", "", 1)
	if err != nil {
		t.Fatal(err)
	}
	if up.Slug != "demo-shop" || up.Name != "Shop of Demos" || up.Description != "" || up.Revision != 2 || !up.UpdatedAt.After(ws.UpdatedAt) {
		t.Errorf("after rename: %+v", up)
	}
	_, err = db.UpdateWorkspace(ctx, "demo-shop", "Stale", "", 1)
	wantCode(t, err, topology.EPRECONDITION)

	list, err := db.ListWorkspaces(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, w := range list {
		names = append(names, w.Name)
	}
	if strings.Join(names, "|") != "Demo shop!|Demo shop!!|Shop of Demos" {
		t.Errorf("ListWorkspaces names = %q", names)
	}

	wantCode(t, db.DeleteWorkspace(ctx, "demo-shop", ws.Revision), topology.EPRECONDITION) // stale: renamed since
	if _, err := db.GetWorkspace(ctx, "demo-shop"); err != nil {
		t.Fatalf("a refused delete deleted: %v", err)
	}
	if err := db.DeleteWorkspace(ctx, "demo-shop", up.Revision); err != nil {
		t.Fatal(err)
	}
	_, err = db.GetWorkspace(ctx, "demo-shop")
	wantCode(t, err, topology.ENOTFOUND)
	wantCode(t, db.DeleteWorkspace(ctx, "demo-shop", 0), topology.ENOTFOUND)
	_, err = db.UpdateWorkspace(ctx, "nope", "x", "", 0)
	wantCode(t, err, topology.ENOTFOUND)
}

func TestWorkspaceValidation(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	ws := mustCreateWorkspace(t, db, "w")
	tests := []struct {
		name, wsName, desc, path string
	}{
		{"empty name", "", "", "name"},
		{"long name", strings.Repeat("n", 101), "", "name"},
		{"control character", "a\x00b", "", "name"},
		{"long description", "ok", strings.Repeat("d", topology.MaxDescriptionLen+1), "description"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := db.CreateWorkspace(ctx, tt.wsName, tt.desc)
			wantProblemAt(t, err, tt.path)
			_, err = db.UpdateWorkspace(ctx, ws.Slug, tt.wsName, tt.desc, 0)
			wantProblemAt(t, err, tt.path)
		})
	}
	list, _ := db.ListWorkspaces(ctx)
	got, _ := db.GetWorkspace(ctx, ws.Slug)
	if len(list) != 1 || got.Name != "w" || got.Revision != 1 {
		t.Errorf("invalid writes left traces: %d workspaces, %+v", len(list), got)
	}
}

func TestDeleteWorkspaceCascades(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	ws := mustCreateWorkspace(t, db, "w")
	if _, err := db.ReplaceModel(ctx, ws.Slug, sampleModel(), 0); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateShare(ctx, ws.Slug, hash("s"), timeZero, true); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteWorkspace(ctx, ws.Slug, 0); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"services", "servers", "placements", "dependencies", "shares"} {
		if n := countRows(t, db, table); n != 0 {
			t.Errorf("%d rows left in %s", n, table)
		}
	}
}

// wantProblemAt fails unless err is a *topology.ValidationError with a
// problem at path.
func wantProblemAt(tb testing.TB, err error, path string) {
	tb.Helper()
	wantCode(tb, err, topology.EINVALID)
	ve, ok := err.(*topology.ValidationError)
	if !ok {
		tb.Fatalf("error %T %v is not a *topology.ValidationError", err, err)
	}
	for _, p := range ve.Problems {
		if p.Path == path {
			return
		}
	}
	tb.Fatalf("problems %v name no %q", ve.Problems, path)
}

func countRows(tb testing.TB, db *DB, table string) int {
	tb.Helper()
	var n int
	if err := db.read.QueryRowContext(context.Background(), "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
		tb.Fatal(err)
	}
	return n
}
