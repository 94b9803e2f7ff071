package store

import (
	"context"
	"reflect"
	"testing"

	"github.com/archmap/archmap/topology"
)

// seed returns a workspace holding sampleModel, at revision 2.
func seed(tb testing.TB, db *DB) (*Workspace, *Records) {
	tb.Helper()
	ws := mustCreateWorkspace(tb, db, "w")
	if _, err := db.ReplaceModel(context.Background(), ws.Slug, sampleModel(), 0); err != nil {
		tb.Fatal(err)
	}
	r, err := db.LoadRecords(context.Background(), ws.Slug)
	if err != nil {
		tb.Fatal(err)
	}
	return r.Workspace, r
}

// mustUnchanged fails when the workspace's records differ from before.
func mustUnchanged(tb testing.TB, db *DB, before *Records) {
	tb.Helper()
	after, err := db.LoadRecords(context.Background(), before.Workspace.Slug)
	if err != nil {
		tb.Fatal(err)
	}
	if !reflect.DeepEqual(after, before) {
		tb.Errorf("a refused write changed the workspace (revision %d -> %d)", before.Workspace.Revision, after.Workspace.Revision)
	}
}

func TestServiceCRUD(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	ws, _ := seed(t, db)

	rec, w, err := db.Services().Create(ctx, ws.Slug, topology.Service{Name: "search", Team: "find"}, ws.Revision)
	if err != nil {
		t.Fatal(err)
	}
	if rec.ID == 0 || rec.Kind != topology.KindService || w.Revision != ws.Revision+1 {
		t.Errorf("created %+v at revision %d", rec, w.Revision)
	}
	got, err := db.Services().Get(ctx, ws.Slug, rec.ID)
	if err != nil || *got != *rec {
		t.Errorf("Services().Get = %+v, %v; want %+v", got, err, rec)
	}
	list, err := db.Services().List(ctx, ws.Slug)
	if err != nil || len(list) != 7 || list[6] != *rec || list[0].Name != "web" {
		t.Errorf("Services().List = %+v, %v; want the new one last", list, err)
	}

	// Renaming cart keeps its placements and dependencies.
	cart := list[2]
	up, w2, err := db.Services().Update(ctx, ws.Slug, cart.ID, topology.Service{Name: "basket", Kind: topology.KindWorker}, w.Revision)
	if err != nil {
		t.Fatal(err)
	}
	if up.ID != cart.ID || up.Name != "basket" || w2.Revision != w.Revision+1 {
		t.Errorf("updated %+v at revision %d", up, w2.Revision)
	}
	m, _, err := db.LoadModel(ctx, ws.Slug)
	if err != nil {
		t.Fatal(err)
	}
	if m.Placements[2].Service != "basket" || m.Dependencies[1].To != "basket" || m.Dependencies[2].From != "basket" || m.Services[2].Name != "basket" {
		t.Errorf("after the rename: %+v", m)
	}

	// Deleting it removes its placement and its three dependencies.
	w3, err := db.Services().Delete(ctx, ws.Slug, cart.ID, w2.Revision)
	if err != nil {
		t.Fatal(err)
	}
	if w3.Revision != w2.Revision+1 {
		t.Errorf("revision after delete %d", w3.Revision)
	}
	m, _, _ = db.LoadModel(ctx, ws.Slug)
	if len(m.Services) != 6 || len(m.Placements) != 4 || len(m.Dependencies) != 1 {
		t.Errorf("after deleting cart: %d services, %d placements, %d dependencies; want 6, 4, 1", len(m.Services), len(m.Placements), len(m.Dependencies))
	}
	_, err = db.Services().Get(ctx, ws.Slug, cart.ID)
	wantCode(t, err, topology.ENOTFOUND)
}

func TestServiceRefusals(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	ws, before := seed(t, db)
	other := mustCreateWorkspace(t, db, "other")
	web := before.Services[0].ID
	tests := []struct {
		name string
		do   func() error
		code string
		path string
	}{
		{"create duplicate name", func() error {
			_, _, err := db.Services().Create(ctx, ws.Slug, topology.Service{Name: "cart"}, 0)
			return err
		}, topology.ECONFLICT, ""},
		{"rename onto another", func() error {
			_, _, err := db.Services().Update(ctx, ws.Slug, web, topology.Service{Name: "cart"}, 0)
			return err
		}, topology.ECONFLICT, ""},
		{"bad kind", func() error {
			_, _, err := db.Services().Create(ctx, ws.Slug, topology.Service{Name: "x", Kind: "mainframe"}, 0)
			return err
		}, topology.EINVALID, "kind"},
		{"empty name", func() error {
			_, _, err := db.Services().Update(ctx, ws.Slug, web, topology.Service{}, 0)
			return err
		}, topology.EINVALID, "name"},
		{"stale revision", func() error {
			_, _, err := db.Services().Create(ctx, ws.Slug, topology.Service{Name: "x"}, 1)
			return err
		}, topology.EPRECONDITION, ""},
		{"stale delete", func() error { _, err := db.Services().Delete(ctx, ws.Slug, web, 1); return err }, topology.EPRECONDITION, ""},
		{"unknown workspace", func() error {
			_, _, err := db.Services().Create(ctx, "nope", topology.Service{Name: "x"}, 0)
			return err
		}, topology.ENOTFOUND, ""},
		{"id of another workspace", func() error {
			_, _, err := db.Services().Update(ctx, other.Slug, web, topology.Service{Name: "x"}, 0)
			return err
		}, topology.ENOTFOUND, ""},
		{"delete through another workspace", func() error { _, err := db.Services().Delete(ctx, other.Slug, web, 0); return err }, topology.ENOTFOUND, ""},
		{"get through another workspace", func() error { _, err := db.Services().Get(ctx, other.Slug, web); return err }, topology.ENOTFOUND, ""},
		{"missing id", func() error { _, err := db.Services().Delete(ctx, ws.Slug, 9999, 0); return err }, topology.ENOTFOUND, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.do()
			wantCode(t, err, tt.code)
			if tt.path != "" {
				wantProblemAt(t, err, tt.path)
			}
			mustUnchanged(t, db, before)
		})
	}
	_, _, err := db.Services().Create(ctx, ws.Slug, topology.Service{Name: "cart"}, 0)
	if want := `name: a service named "cart" already exists`; topology.ErrorMessage(err) != want {
		t.Errorf("conflict message %q, want %q", topology.ErrorMessage(err), want)
	}
}

func TestServerCRUD(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	ws, before := seed(t, db)

	rec, w, err := db.Servers().Create(ctx, ws.Slug, topology.Server{Name: "node-c", Zone: "z3"}, ws.Revision)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Kind != topology.ServerVM || w.Revision != ws.Revision+1 {
		t.Errorf("created %+v at revision %d", rec, w.Revision)
	}
	if got, err := db.Servers().Get(ctx, ws.Slug, rec.ID); err != nil || *got != *rec {
		t.Errorf("Servers().Get = %+v, %v", got, err)
	}
	_, _, err = db.Servers().Create(ctx, ws.Slug, topology.Server{Name: "node-a"}, 0)
	wantCode(t, err, topology.ECONFLICT)
	_, _, err = db.Servers().Create(ctx, ws.Slug, topology.Server{Name: "x", Kind: "cloud"}, 0)
	wantProblemAt(t, err, "kind")
	_, _, err = db.Servers().Create(ctx, ws.Slug, topology.Server{Name: "x"}, ws.Revision)
	wantCode(t, err, topology.EPRECONDITION)

	nodeA := before.Servers[1]
	if _, _, err := db.Servers().Update(ctx, ws.Slug, nodeA.ID, topology.Server{Name: "node-alpha", Kind: topology.ServerPhysical, Zone: "z1"}, 0); err != nil {
		t.Fatal(err)
	}
	m, _, _ := db.LoadModel(ctx, ws.Slug)
	if m.Placements[0].Server != "node-alpha" || m.Placements[2].Server != "node-alpha" {
		t.Errorf("placements did not follow the rename: %+v", m.Placements)
	}
	if _, err := db.Servers().Delete(ctx, ws.Slug, nodeA.ID, 0); err != nil {
		t.Fatal(err)
	}
	m, w, _ = db.LoadModel(ctx, ws.Slug)
	if len(m.Servers) != 3 || len(m.Placements) != 3 || len(m.Services) != 6 || w.Revision != ws.Revision+3 {
		t.Errorf("after deleting node-a: %d servers, %d placements, %d services, revision %d", len(m.Servers), len(m.Placements), len(m.Services), w.Revision)
	}
	servers, err := db.Servers().List(ctx, ws.Slug)
	if err != nil || len(servers) != 3 || servers[2].Name != "node-c" {
		t.Errorf("Servers().List = %+v, %v", servers, err)
	}
}

func TestPlacementCRUD(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	ws, before := seed(t, db)

	rec, w, err := db.Placements().Create(ctx, ws.Slug, topology.Placement{Service: "pay", Server: "lambda"}, ws.Revision)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Instances != 1 || rec.ServiceID != before.Services[4].ID || rec.ServerID != before.Servers[2].ID || w.Revision != ws.Revision+1 {
		t.Errorf("created %+v at revision %d", rec, w.Revision)
	}
	if got, err := db.Placements().Get(ctx, ws.Slug, rec.ID); err != nil || *got != *rec {
		t.Errorf("Placements().Get = %+v, %v; want %+v", got, err, rec)
	}
	moved, _, err := db.Placements().Update(ctx, ws.Slug, rec.ID, topology.Placement{Service: "pay", Server: "node-a", Instances: 4}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if moved.ServerID != before.Servers[1].ID || moved.Instances != 4 {
		t.Errorf("moved %+v", moved)
	}
	if _, err := db.Placements().Delete(ctx, ws.Slug, rec.ID, 0); err != nil {
		t.Fatal(err)
	}
	list, err := db.Placements().List(ctx, ws.Slug)
	if err != nil || !reflect.DeepEqual(list, before.Placements) {
		t.Errorf("Placements().List = %+v, %v; want the seeded ones", list, err)
	}
	after, _ := db.LoadRecords(ctx, ws.Slug)
	before.Workspace = after.Workspace

	tests := []struct {
		name  string
		p     topology.Placement
		code  string
		paths []string
	}{
		{"unknown service and server", topology.Placement{Service: "ghost", Server: "void"}, topology.EINVALID, []string{"service", "server"}},
		{"no server", topology.Placement{Service: "web"}, topology.EINVALID, []string{"server"}},
		{"negative instances", topology.Placement{Service: "pay", Server: "node-a", Instances: -2}, topology.EINVALID, []string{"instances"}},
		{"already placed", topology.Placement{Service: "web", Server: "node-a", Instances: 5}, topology.ECONFLICT, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := db.Placements().Create(ctx, ws.Slug, tt.p, 0)
			wantCode(t, err, tt.code)
			for _, p := range tt.paths {
				wantProblemAt(t, err, p)
			}
			_, _, err = db.Placements().Update(ctx, ws.Slug, before.Placements[2].ID, tt.p, 0)
			wantCode(t, err, tt.code)
			mustUnchanged(t, db, before)
		})
	}
}

func TestDependencyCRUD(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	ws, before := seed(t, db)

	rec, w, err := db.Dependencies().Create(ctx, ws.Slug, topology.Dependency{From: "db", To: "db", Mode: topology.ModeAsync}, ws.Revision)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Protocol != topology.ProtocolHTTP || rec.CallsPerRequest != 1 || rec.FromID != before.Services[3].ID || rec.ToID != rec.FromID || w.Revision != ws.Revision+1 {
		t.Errorf("created %+v at revision %d", rec, w.Revision)
	}
	if got, err := db.Dependencies().Get(ctx, ws.Slug, rec.ID); err != nil || *got != *rec {
		t.Errorf("Dependencies().Get = %+v, %v; want %+v", got, err, rec)
	}
	up, _, err := db.Dependencies().Update(ctx, ws.Slug, rec.ID, topology.Dependency{From: "db", To: "pay", Protocol: topology.ProtocolTCP, CallsPerRequest: 2, Description: "backup"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if up.To != "pay" || up.ToID != before.Services[4].ID || up.Mode != topology.ModeSync {
		t.Errorf("updated %+v", up)
	}
	if _, err := db.Dependencies().Delete(ctx, ws.Slug, rec.ID, 0); err != nil {
		t.Fatal(err)
	}
	list, err := db.Dependencies().List(ctx, ws.Slug)
	if err != nil || !reflect.DeepEqual(list, before.Dependencies) {
		t.Errorf("Dependencies().List = %+v, %v; want the seeded ones", list, err)
	}
	after, _ := db.LoadRecords(ctx, ws.Slug)
	before.Workspace = after.Workspace

	tests := []struct {
		name  string
		d     topology.Dependency
		code  string
		paths []string
	}{
		{"unknown ends", topology.Dependency{From: "ghost", To: "void"}, topology.EINVALID, []string{"from", "to"}},
		{"bad mode", topology.Dependency{From: "web", To: "db", Mode: "maybe"}, topology.EINVALID, []string{"mode"}},
		{"negative calls", topology.Dependency{From: "web", To: "db", CallsPerRequest: -1}, topology.EINVALID, []string{"calls_per_request"}},
		{"duplicate pair", topology.Dependency{From: "cart", To: "db"}, topology.ECONFLICT, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := db.Dependencies().Create(ctx, ws.Slug, tt.d, 0)
			wantCode(t, err, tt.code)
			for _, p := range tt.paths {
				wantProblemAt(t, err, p)
			}
			_, _, err = db.Dependencies().Update(ctx, ws.Slug, before.Dependencies[0].ID, tt.d, 0)
			wantCode(t, err, tt.code)
			mustUnchanged(t, db, before)
		})
	}
}

func TestListPages(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	ws, all := seed(t, db)
	tests := []struct {
		name          string
		offset, limit int
		from, to      int
	}{
		{"first page", 0, 2, 0, 2},
		{"middle page", 2, 3, 2, 5},
		{"last, short page", 4, 10, 4, 6},
		{"past the end", 10, 5, 6, 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, total, err := db.Services().Page(ctx, ws.Slug, tt.offset, tt.limit)
			if err != nil || total != 6 || !reflect.DeepEqual(got, all.Services[tt.from:tt.to]) {
				t.Errorf("Services().Page(%d, %d) = %+v, %d, %v", tt.offset, tt.limit, got, total, err)
			}
		})
	}
	if got, total, err := db.Servers().Page(ctx, ws.Slug, 1, 1); err != nil || total != 3 || !reflect.DeepEqual(got, all.Servers[1:2]) {
		t.Errorf("Servers().Page = %+v, %d, %v", got, total, err)
	}
	if got, total, err := db.Placements().Page(ctx, ws.Slug, 3, 5); err != nil || total != 5 || !reflect.DeepEqual(got, all.Placements[3:]) {
		t.Errorf("Placements().Page = %+v, %d, %v", got, total, err)
	}
	if got, total, err := db.Dependencies().Page(ctx, ws.Slug, 0, 1); err != nil || total != 5 || !reflect.DeepEqual(got, all.Dependencies[:1]) {
		t.Errorf("Dependencies().Page = %+v, %d, %v", got, total, err)
	}
	_, _, err := db.Services().Page(ctx, ws.Slug, -1, 5)
	wantCode(t, err, topology.EINVALID)
	_, _, err = db.Services().Page(ctx, ws.Slug, 0, 0)
	wantCode(t, err, topology.EINVALID)
	_, _, err = db.Services().Page(ctx, "nope", 0, 5)
	wantCode(t, err, topology.ENOTFOUND)
}

// TestConflictMessages pins what a taken name or pair says, on create and
// on update, for each kind: the generic table builds the messages from
// each kind's noun or format.
func TestConflictMessages(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	ws, r := seed(t, db)

	svc := topology.Service{Name: `api "gw"`}
	_, _, created := db.Services().Create(ctx, ws.Slug, svc, 0)
	_, _, updated := db.Services().Update(ctx, ws.Slug, r.Services[0].ID, svc, 0)
	wantConflict(t, `name: a service named "api \"gw\"" already exists`, created, updated)

	srv := topology.Server{Name: "node-b"}
	_, _, created = db.Servers().Create(ctx, ws.Slug, srv, 0)
	_, _, updated = db.Servers().Update(ctx, ws.Slug, r.Servers[2].ID, srv, 0)
	wantConflict(t, `name: a server named "node-b" already exists`, created, updated)

	pl := topology.Placement{Service: "web", Server: "node-a"}
	_, _, created = db.Placements().Create(ctx, ws.Slug, pl, 0)
	_, _, updated = db.Placements().Update(ctx, ws.Slug, r.Placements[2].ID, pl, 0)
	wantConflict(t, `server: service "web" is already placed on server "node-a"`, created, updated)

	dep := topology.Dependency{From: `api "gw"`, To: "cart"}
	_, _, created = db.Dependencies().Create(ctx, ws.Slug, dep, 0)
	_, _, updated = db.Dependencies().Update(ctx, ws.Slug, r.Dependencies[0].ID, dep, 0)
	wantConflict(t, `to: a dependency from "api \"gw\"" to "cart" already exists`, created, updated)

	mustUnchanged(t, db, r)
}

// wantConflict fails unless each of errs is ECONFLICT saying want.
func wantConflict(tb testing.TB, want string, errs ...error) {
	tb.Helper()
	for _, err := range errs {
		wantCode(tb, err, topology.ECONFLICT)
		if got := topology.ErrorMessage(err); got != want {
			tb.Errorf("conflict message %q, want %q", got, want)
		}
	}
}
