package store

import (
	"context"
	"reflect"
	"testing"

	"github.com/archmap/archmap/topology"
)

func TestReplaceModelRoundTrip(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	ws := mustCreateWorkspace(t, db, "w")

	in := sampleModel()
	before := sampleModel()
	up, err := db.ReplaceModel(ctx, ws.Slug, in, ws.Revision)
	if err != nil {
		t.Fatal(err)
	}
	if up.Revision != 2 || up.Name != in.Name || up.Description != in.Description || up.Slug != "w" {
		t.Errorf("workspace after replace: %+v", up)
	}
	if !reflect.DeepEqual(in, before) {
		t.Error("ReplaceModel changed its argument")
	}
	got, gotWS, err := db.LoadModel(ctx, ws.Slug)
	if err != nil {
		t.Fatal(err)
	}
	want := sampleModel()
	want.ApplyDefaults()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("LoadModel after ReplaceModel:\n got %+v\nwant %+v", got, want)
	}
	if *gotWS != *up {
		t.Errorf("LoadModel workspace %+v, ReplaceModel returned %+v", gotWS, up)
	}
}

func TestReplaceModelAppliesDefaults(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	ws := mustCreateWorkspace(t, db, "w")
	in := &topology.Model{
		Name:         "bare",
		Services:     []topology.Service{{Name: "a"}, {Name: "b"}},
		Servers:      []topology.Server{{Name: "s"}},
		Placements:   []topology.Placement{{Service: "a", Server: "s"}},
		Dependencies: []topology.Dependency{{From: "a", To: "b"}},
	}
	if _, err := db.ReplaceModel(ctx, ws.Slug, in, 0); err != nil {
		t.Fatal(err)
	}
	got, _, err := db.LoadModel(ctx, ws.Slug)
	if err != nil {
		t.Fatal(err)
	}
	if in.Services[0].Kind != "" || in.Settings.BlastRadius != 0 {
		t.Error("ReplaceModel applied defaults to the caller's model")
	}
	want := &topology.Model{
		Version:      topology.FormatVersion,
		Name:         "bare",
		Settings:     topology.DefaultSettings(),
		Services:     []topology.Service{{Name: "a", Kind: topology.KindService}, {Name: "b", Kind: topology.KindService}},
		Servers:      []topology.Server{{Name: "s", Kind: topology.ServerVM}},
		Placements:   []topology.Placement{{Service: "a", Server: "s", Instances: 1}},
		Dependencies: []topology.Dependency{{From: "a", To: "b", Protocol: topology.ProtocolHTTP, Mode: topology.ModeSync, CallsPerRequest: 1}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}

// TestReplaceModelKeepsIDs: entities the new model keeps by name keep their
// ids (a page open on them stays valid); the others go, with their
// placements and dependencies.
func TestReplaceModelKeepsIDs(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	ws := mustCreateWorkspace(t, db, "w")
	if _, err := db.ReplaceModel(ctx, ws.Slug, sampleModel(), 0); err != nil {
		t.Fatal(err)
	}
	before, err := db.LoadRecords(ctx, ws.Slug)
	if err != nil {
		t.Fatal(err)
	}
	m := sampleModel()
	// Drop "db" (and so its placement and dependency), reverse the services,
	// change cart's team.
	m.Services = []topology.Service{m.Services[5], m.Services[4], {Name: "cart", Kind: topology.KindService, Team: "new"}, m.Services[1], m.Services[0]}
	m.Placements = []topology.Placement{m.Placements[0], m.Placements[1], m.Placements[2], m.Placements[4]}
	m.Dependencies = []topology.Dependency{m.Dependencies[0], m.Dependencies[1], m.Dependencies[3], m.Dependencies[4]}
	if _, err := db.ReplaceModel(ctx, ws.Slug, m, 0); err != nil {
		t.Fatal(err)
	}
	after, err := db.LoadRecords(ctx, ws.Slug)
	if err != nil {
		t.Fatal(err)
	}
	ids := func(list []ServiceRecord) map[string]int64 {
		out := map[string]int64{}
		for _, s := range list {
			out[s.Name] = s.ID
		}
		return out
	}
	b, a := ids(before.Services), ids(after.Services)
	for _, name := range []string{"web", "cart", "日本"} {
		if a[name] != b[name] {
			t.Errorf("service %q changed id %d -> %d", name, b[name], a[name])
		}
	}
	if _, ok := a["db"]; ok {
		t.Error("db survived")
	}
	if !reflect.DeepEqual(after.Model(), withDefaults(m)) {
		t.Errorf("got %+v\nwant %+v", after.Model(), withDefaults(m))
	}
	if before.Placements[0].ID != after.Placements[0].ID {
		t.Errorf("placement web/node-a changed id")
	}
	if n := countRows(t, db, "placements"); n != 4 {
		t.Errorf("%d placements stored, want 4", n)
	}
}

func TestReplaceModelRefusals(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	ws := mustCreateWorkspace(t, db, "w")
	if _, err := db.ReplaceModel(ctx, ws.Slug, sampleModel(), 0); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		edit     func(m *topology.Model)
		revision int64
		code     string
	}{
		{"stale revision", func(m *topology.Model) {}, 1, topology.EPRECONDITION},
		{"future revision", func(m *topology.Model) {}, 99, topology.EPRECONDITION},
		{"duplicate service", func(m *topology.Model) { m.Services = append(m.Services, m.Services[0]) }, 0, topology.EINVALID},
		{"unknown server", func(m *topology.Model) { m.Placements[0].Server = "nope" }, 0, topology.EINVALID},
		{"zero instances", func(m *topology.Model) { m.Placements[0].Instances = -1 }, 0, topology.EINVALID},
		{"bad protocol", func(m *topology.Model) { m.Dependencies[0].Protocol = "smoke" }, 0, topology.EINVALID},
		{"no name", func(m *topology.Model) { m.Name = "" }, 0, topology.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := sampleModel()
			m.Services = append(m.Services, topology.Service{Name: "new one"})
			tt.edit(m)
			_, err := db.ReplaceModel(ctx, ws.Slug, m, tt.revision)
			wantCode(t, err, tt.code)
			got, w, err := db.LoadModel(ctx, ws.Slug)
			if err != nil {
				t.Fatal(err)
			}
			if w.Revision != 2 || !reflect.DeepEqual(got, withDefaults(sampleModel())) {
				t.Errorf("a refused replace changed the model (revision %d)", w.Revision)
			}
		})
	}
	_, err := db.ReplaceModel(ctx, "nope", sampleModel(), 0)
	wantCode(t, err, topology.ENOTFOUND)
}

func TestImportModel(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)

	ws, created, err := db.ImportModel(ctx, "shop", sampleModel())
	if err != nil {
		t.Fatal(err)
	}
	if !created || ws.Slug != "shop" || ws.Name != "Shop <b>" || ws.Revision != 1 {
		t.Errorf("first import: %+v, created %v", ws, created)
	}
	m := sampleModel()
	m.Name = "Shop 2"
	m.Services = m.Services[:1]
	m.Placements = m.Placements[:2]
	m.Dependencies = nil
	ws, created, err = db.ImportModel(ctx, "shop", m)
	if err != nil {
		t.Fatal(err)
	}
	if created || ws.Slug != "shop" || ws.Name != "Shop 2" || ws.Revision != 2 {
		t.Errorf("second import: %+v, created %v", ws, created)
	}
	got, _, err := db.LoadModel(ctx, "shop")
	if err != nil {
		t.Fatal(err)
	}
	want := withDefaults(m)
	want.Dependencies = []topology.Dependency{}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}

	tests := []struct {
		name, slug string
		model      *topology.Model
		code       string
	}{
		{"bad slug", "Not A Slug", sampleModel(), topology.EINVALID},
		{"slug too long", "a-very-long-slug-that-goes-on-and-on-and-on-and-on-and-on", sampleModel(), topology.EINVALID},
		{"invalid model, new workspace", "fresh", &topology.Model{Name: "x", Services: []topology.Service{{Name: "a", Kind: "bogus"}}}, topology.EINVALID},
		{"invalid model, existing workspace", "shop", &topology.Model{Name: ""}, topology.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := db.ImportModel(ctx, tt.slug, tt.model)
			wantCode(t, err, tt.code)
		})
	}
	list, _ := db.ListWorkspaces(ctx)
	if len(list) != 1 || list[0].Revision != 2 {
		t.Errorf("refused imports left traces: %+v", list)
	}
}

// TestEveryWriteValidatesTheWholeModel: a row that breaks a rule, put there
// behind the store's back, makes every later write fail and store nothing,
// which shows that validation runs on the whole model inside each write.
func TestEveryWriteValidatesTheWholeModel(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	ws := mustCreateWorkspace(t, db, "w")
	if _, err := db.ReplaceModel(ctx, ws.Slug, sampleModel(), 0); err != nil {
		t.Fatal(err)
	}
	if _, err := db.write.ExecContext(ctx, "UPDATE services SET kind = 'bogus' WHERE name = 'web'"); err != nil {
		t.Fatal(err)
	}
	recs, err := db.LoadRecords(ctx, ws.Slug)
	if err != nil {
		t.Fatal(err)
	}
	cart := recs.Services[2].ID
	writes := []struct {
		name string
		do   func() error
	}{
		{"update workspace", func() error { _, err := db.UpdateWorkspace(ctx, ws.Slug, "x", "", 0); return err }},
		{"create service", func() error { _, _, err := db.CreateService(ctx, ws.Slug, topology.Service{Name: "x"}, 0); return err }},
		{"update service", func() error {
			_, _, err := db.UpdateService(ctx, ws.Slug, cart, topology.Service{Name: "cart2"}, 0)
			return err
		}},
		{"delete service", func() error { _, err := db.DeleteService(ctx, ws.Slug, cart, 0); return err }},
		{"create server", func() error { _, _, err := db.CreateServer(ctx, ws.Slug, topology.Server{Name: "x"}, 0); return err }},
		{"delete server", func() error { _, err := db.DeleteServer(ctx, ws.Slug, recs.Servers[0].ID, 0); return err }},
		{"create placement", func() error {
			_, _, err := db.CreatePlacement(ctx, ws.Slug, topology.Placement{Service: "pay", Server: "lambda"}, 0)
			return err
		}},
		{"delete placement", func() error { _, err := db.DeletePlacement(ctx, ws.Slug, recs.Placements[0].ID, 0); return err }},
		{"create dependency", func() error {
			_, _, err := db.CreateDependency(ctx, ws.Slug, topology.Dependency{From: "db", To: "pay"}, 0)
			return err
		}},
		{"delete dependency", func() error { _, err := db.DeleteDependency(ctx, ws.Slug, recs.Dependencies[0].ID, 0); return err }},
	}
	for _, w := range writes {
		t.Run(w.name, func(t *testing.T) {
			wantProblemAt(t, w.do(), "services[0].kind")
		})
	}
	after, err := db.LoadRecords(ctx, ws.Slug)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(after, recs) {
		t.Error("a refused write changed the model")
	}
}
