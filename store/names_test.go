package store

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/archmap/archmap/topology"
)

// An entity write cannot put a lookalike beside a name of its kind, by
// creating or by renaming, and the refusal stores nothing.
func TestEntityWritesRefuseLookalikeNames(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	ws, before := seed(t, db)
	web := before.Services[0].ID
	tests := []struct {
		name string
		do   func() error
		want string
	}{
		{"zero-width space", func() error {
			_, _, err := db.Services().Create(ctx, ws.Slug, topology.Service{Name: "ca\u200brt"}, 0)
			return err
		}, `looks the same as "cart"`},
		{"case, by renaming", func() error {
			_, _, err := db.Services().Update(ctx, ws.Slug, web, topology.Service{Name: "CART"}, 0)
			return err
		}, `looks the same as "cart"`},
		{"server, soft hyphen", func() error {
			_, _, err := db.Servers().Create(ctx, ws.Slug, topology.Server{Name: before.Servers[0].Name + "\u00ad"}, 0)
			return err
		}, `looks the same as "` + before.Servers[0].Name + `"`},
		{"noncharacter", func() error {
			_, _, err := db.Services().Create(ctx, ws.Slug, topology.Service{Name: "x\uffff"}, 0)
			return err
		}, "noncharacter U+FFFF"},
		{"bidi override", func() error {
			_, _, err := db.Servers().Update(ctx, ws.Slug, before.Servers[0].ID, topology.Server{Name: "a\u202eb"}, 0)
			return err
		}, "bidi control U+202E"},
		{"instances above the bound", func() error {
			_, _, err := db.Placements().Update(ctx, ws.Slug, before.Placements[0].ID, topology.Placement{
				Service: before.Placements[0].Service, Server: before.Placements[0].Server, Instances: 1_000_001}, 0)
			return err
		}, "from 1 to 1000000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.do()
			if err == nil {
				t.Fatal("accepted")
			}
			if msg := topology.ErrorMessage(err); !strings.Contains(msg, tt.want) {
				t.Errorf("message %q, want it to contain %q", msg, tt.want)
			}
			mustUnchanged(t, db, before)
		})
	}
	// Renaming a service to a new spelling of its own name is no conflict.
	if _, _, err := db.Services().Update(ctx, ws.Slug, web, topology.Service{Name: strings.ToUpper(before.Services[0].Name)}, 0); err != nil {
		t.Errorf("renaming %q to its own name in capitals: %v", before.Services[0].Name, err)
	}
}

// The database holds password hashes and every model: the file and the
// -wal and -shm files SQLite makes beside it are the owner's only, whatever
// the umask allows.
func TestDatabaseFilesArePrivate(t *testing.T) {
	sqliteOnly(t)
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	path := filepath.Join(t.TempDir(), "archmap.db")
	db, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	mustCreateWorkspace(t, db, "w") // a write, so that the WAL exists
	for _, f := range []string{path, path + "-wal", path + "-shm"} {
		st, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if mode := st.Mode().Perm(); mode != 0o600 {
			t.Errorf("%s has mode %o, want 600", filepath.Base(f), mode)
		}
	}
}

// Rows stored before name_key existed get their key when the database is
// opened, so the lookalike check holds for them too.
func TestNameKeysFilledForOlderRows(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	ws := mustCreateWorkspace(t, db, "w")
	if _, _, err := db.Services().Create(ctx, ws.Slug, topology.Service{Name: "Payments"}, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := db.write.ExecContext(ctx, "UPDATE services SET name_key = NULL"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db, err := reopenDB(t, db)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, _, err = db.Services().Create(ctx, ws.Slug, topology.Service{Name: "pay\u200bments"}, 0)
	if msg := topology.ErrorMessage(err); !strings.Contains(msg, `looks the same as "Payments"`) {
		t.Errorf("after reopening: %v, want looks the same", err)
	}
}
