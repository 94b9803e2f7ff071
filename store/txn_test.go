package store

import (
	"context"
	"testing"

	"github.com/archmap/archmap/topology"
)

// TestEveryModelWriteGoesThroughTheSkeleton drives every write to a model
// with a stale revision and with a missing workspace: each must refuse
// (EPRECONDITION before it even looks at the change, which here is also
// invalid; ENOTFOUND) and leave the model as it was. A write that skipped
// the skeleton's revision check would pass the first case.
func TestEveryModelWriteGoesThroughTheSkeleton(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	ws, before := seed(t, db)
	svc, srv, pl, dep := before.Services[0].ID, before.Servers[0].ID, before.Placements[0].ID, before.Dependencies[0].ID
	bad := "" // an empty name is invalid everywhere
	writes := map[string]func(slug string, rev int64) error{
		"create service": func(slug string, rev int64) error {
			_, _, err := db.Services().Create(ctx, slug, topology.Service{Name: bad}, rev)
			return err
		},
		"update service": func(slug string, rev int64) error {
			_, _, err := db.Services().Update(ctx, slug, svc, topology.Service{Name: bad}, rev)
			return err
		},
		"delete service": func(slug string, rev int64) error { _, err := db.Services().Delete(ctx, slug, svc, rev); return err },
		"create server": func(slug string, rev int64) error {
			_, _, err := db.Servers().Create(ctx, slug, topology.Server{Name: bad}, rev)
			return err
		},
		"update server": func(slug string, rev int64) error {
			_, _, err := db.Servers().Update(ctx, slug, srv, topology.Server{Name: bad}, rev)
			return err
		},
		"delete server": func(slug string, rev int64) error { _, err := db.Servers().Delete(ctx, slug, srv, rev); return err },
		"create placement": func(slug string, rev int64) error {
			_, _, err := db.Placements().Create(ctx, slug, topology.Placement{Service: bad}, rev)
			return err
		},
		"update placement": func(slug string, rev int64) error {
			_, _, err := db.Placements().Update(ctx, slug, pl, topology.Placement{Service: bad}, rev)
			return err
		},
		"delete placement": func(slug string, rev int64) error { _, err := db.Placements().Delete(ctx, slug, pl, rev); return err },
		"create dependency": func(slug string, rev int64) error {
			_, _, err := db.Dependencies().Create(ctx, slug, topology.Dependency{From: bad}, rev)
			return err
		},
		"update dependency": func(slug string, rev int64) error {
			_, _, err := db.Dependencies().Update(ctx, slug, dep, topology.Dependency{From: bad}, rev)
			return err
		},
		"delete dependency": func(slug string, rev int64) error {
			_, err := db.Dependencies().Delete(ctx, slug, dep, rev)
			return err
		},
		"replace model": func(slug string, rev int64) error {
			_, err := db.ReplaceModel(ctx, slug, &topology.Model{Version: topology.FormatVersion}, rev)
			return err
		},
		"update workspace": func(slug string, rev int64) error {
			_, err := db.UpdateWorkspace(ctx, slug, bad, "", rev)
			return err
		},
		"delete workspace": func(slug string, rev int64) error { return db.DeleteWorkspace(ctx, slug, rev) },
	}
	for name, write := range writes {
		t.Run(name, func(t *testing.T) {
			if err := write(ws.Slug, ws.Revision-1); topology.ErrorCode(err) != topology.EPRECONDITION {
				t.Errorf("at a stale revision: %v, want EPRECONDITION", err)
			}
			mustUnchanged(t, db, before)
			if err := write("no-such-workspace", 0); topology.ErrorCode(err) != topology.ENOTFOUND {
				t.Errorf("in a missing workspace: %v, want ENOTFOUND", err)
			}
			mustUnchanged(t, db, before)
		})
	}
}

// A change that fails half-way — here a rename onto a taken name, refused by
// the UNIQUE constraint after the existence check passed — rolls back: no
// new revision, the entity as it was.
func TestARefusedChangeMakesNoRevision(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	ws, before := seed(t, db)
	a, b := before.Services[0], before.Services[1]
	_, _, err := db.Services().Update(ctx, ws.Slug, a.ID, topology.Service{Name: b.Name}, ws.Revision)
	if topology.ErrorCode(err) != topology.ECONFLICT {
		t.Fatalf("rename onto %q: %v, want ECONFLICT", b.Name, err)
	}
	mustUnchanged(t, db, before)
}
