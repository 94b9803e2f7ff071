package store

import (
	"context"
	"io/fs"
	"strconv"
	"strings"
	"testing"

	"github.com/archmap/archmap/topology"
)

func TestWorkspaceNamesUniqueIgnoringCase(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	shop := mustCreateWorkspace(t, db, "Shop")
	other := mustCreateWorkspace(t, db, "Équipe")

	for _, name := range []string{"Shop", "shop", "SHOP", "ÉQUIPE", "e\u0301quipe"} {
		_, err := db.CreateWorkspace(ctx, name, "")
		wantCode(t, err, topology.ECONFLICT)
		if err != nil && !strings.Contains(err.Error(), "already exists") {
			t.Errorf("CreateWorkspace(%q) = %v, want a message saying the name exists", name, err)
		}
	}
	// Renaming onto another's name is refused; a change of case of its own
	// name is not.
	_, err := db.UpdateWorkspace(ctx, other.Slug, "shop", "", 0)
	wantCode(t, err, topology.ECONFLICT)
	if _, err := db.UpdateWorkspace(ctx, shop.Slug, "SHOP", "", 0); err != nil {
		t.Errorf("renaming Shop to SHOP: %v", err)
	}
	// A model file that names another workspace cannot rename this one.
	_, err = db.ReplaceModel(ctx, other.Slug, &topology.Model{Version: 1, Name: "Shop"}, 0)
	wantCode(t, err, topology.ECONFLICT)
	// Nor can the CLI's import create a second one.
	_, _, err = db.ImportModel(ctx, "shop-two", &topology.Model{Version: 1, Name: "shop"})
	wantCode(t, err, topology.ECONFLICT)

	// The database itself refuses, whatever path a write takes.
	_, err = db.write.ExecContext(ctx, "UPDATE workspaces SET name = 'sHoP' WHERE id = ?", other.ID)
	if !isUnique(err) {
		t.Errorf("a direct UPDATE to a name in another case = %v, want a UNIQUE violation", err)
	}
}

// The migration renames the duplicates a database already holds, oldest
// first kept, before it creates the index.
func TestWorkspaceNamesMigrationRenamesDuplicates(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	var file string
	matches, err := fs.Glob(db.migrationsFS(), "*_workspace_names_unique.sql")
	if err != nil || len(matches) != 1 {
		t.Fatalf("migration file: %v %v", matches, err)
	}
	file = matches[0]
	var version int
	if err := db.write.QueryRowContext(ctx, "SELECT version FROM schema_migrations WHERE name = ?", file).Scan(&version); err != nil {
		t.Fatalf("migration %s not recorded: %v", file, err)
	}
	// Back to the schema before it, with duplicates. Only this migration
	// runs again: later ones (the rebuild of workspaces) are not meant to.
	for _, q := range []string{"DROP INDEX workspaces_name_nocase", "DELETE FROM schema_migrations WHERE version = " + itoa(version)} {
		if _, err := db.write.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	first := mustCreateWorkspace(t, db, "Shop")
	second := mustCreateWorkspace(t, db, "Other")
	third := mustCreateWorkspace(t, db, "Third")
	for _, ws := range []*Workspace{second, third} {
		if _, err := db.write.ExecContext(ctx, "UPDATE workspaces SET name = 'shop' WHERE id = ?", ws.ID); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.migrate(ctx); err != nil {
		t.Fatal(err)
	}
	names := map[int64]string{}
	list, err := db.ListWorkspaces(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, ws := range list {
		names[ws.ID] = ws.Name
	}
	if names[first.ID] != "Shop" || names[second.ID] != "shop ("+itoa(int(second.ID))+")" || names[third.ID] != "shop ("+itoa(int(third.ID))+")" {
		t.Errorf("names after the migration: %v", names)
	}
	_, err = db.CreateWorkspace(ctx, "SHOP", "")
	wantCode(t, err, topology.ECONFLICT)
}

func itoa(n int) string { return strconv.Itoa(n) }

// The home page's order is SQLite's NOCASE on both engines: ASCII letters
// folded, then bytes — "Zebra" before "Équipe", "apple" and "Banana"
// interleaved.
func TestWorkspaceOrderIsNocase(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	for _, n := range []string{"Équipe", "banana", "Apple", "Zebra", "cherry", "éclair"} {
		mustCreateWorkspace(t, db, n)
	}
	list, err := db.ListWorkspaces(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ws := range list {
		got = append(got, ws.Name)
	}
	if want := "Apple,banana,cherry,Zebra,Équipe,éclair"; strings.Join(got, ",") != want {
		t.Errorf("order %s, want %s", strings.Join(got, ","), want)
	}
}
