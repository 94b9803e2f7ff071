package store

import (
	"context"
	"math/rand/v2"
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

// TestEntityWritesKeepTheModelValid: thousands of random entity writes —
// valid ones, duplicates, dangling references, bad kinds, zero counts,
// names that collide on rename — through the store's entity API: every
// write is either refused and changes nothing (the revision stays), or
// accepted, and after each the stored model passes Model.Validate. The
// entity writes validate only what they touch; this is the check that the
// schema's constraints and those per-entity checks add up to every rule.
func TestEntityWritesKeepTheModelValid(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	ws := mustCreateWorkspace(t, db, "w")
	rng := rand.New(rand.NewPCG(7, 11))
	names := []string{"a", "b", "c", "d", "e", "", "bad\x01name"}
	pick := func() string { return names[rng.IntN(len(names))] }
	kinds := []string{"service", "datastore", "bogus", ""}
	accepted, refused := 0, 0
	for i := range 1500 {
		recs, err := db.LoadRecords(ctx, ws.Slug)
		if err != nil {
			t.Fatal(err)
		}
		anyID := func(n int, id func(int) int64) int64 {
			if n == 0 || rng.IntN(10) == 0 {
				return 999999 // missing
			}
			return id(rng.IntN(n))
		}
		svcID := func(j int) int64 { return recs.Services[j].ID }
		srvID := func(j int) int64 { return recs.Servers[j].ID }
		var op string
		switch rng.IntN(12) {
		case 0, 1:
			op = "create service"
			_, _, err = db.Services().Create(ctx, ws.Slug, topology.Service{Name: pick(), Kind: topology.ServiceKind(kinds[rng.IntN(len(kinds))])}, 0)
		case 2:
			op = "update service"
			_, _, err = db.Services().Update(ctx, ws.Slug, anyID(len(recs.Services), svcID), topology.Service{Name: pick()}, 0)
		case 3:
			op = "delete service"
			_, err = db.Services().Delete(ctx, ws.Slug, anyID(len(recs.Services), svcID), 0)
		case 4, 5:
			op = "create server"
			_, _, err = db.Servers().Create(ctx, ws.Slug, topology.Server{Name: pick(), Zone: pick()}, 0)
		case 6:
			op = "update server"
			_, _, err = db.Servers().Update(ctx, ws.Slug, anyID(len(recs.Servers), srvID), topology.Server{Name: pick()}, 0)
		case 7:
			op = "delete server"
			_, err = db.Servers().Delete(ctx, ws.Slug, anyID(len(recs.Servers), srvID), 0)
		case 8:
			op = "create placement"
			_, _, err = db.Placements().Create(ctx, ws.Slug, topology.Placement{Service: pick(), Server: pick(), Instances: rng.IntN(3) - 1}, 0)
		case 9:
			op = "update placement"
			id := anyID(len(recs.Placements), func(j int) int64 { return recs.Placements[j].ID })
			_, _, err = db.Placements().Update(ctx, ws.Slug, id, topology.Placement{Service: pick(), Server: pick(), Instances: rng.IntN(3)}, 0)
		case 10:
			op = "create dependency"
			_, _, err = db.Dependencies().Create(ctx, ws.Slug, topology.Dependency{From: pick(), To: pick(), CallsPerRequest: float64(rng.IntN(3) - 1)}, 0)
		case 11:
			op = "update or delete dependency"
			id := anyID(len(recs.Dependencies), func(j int) int64 { return recs.Dependencies[j].ID })
			if rng.IntN(2) == 0 {
				_, err = db.Dependencies().Delete(ctx, ws.Slug, id, 0)
			} else {
				_, _, err = db.Dependencies().Update(ctx, ws.Slug, id, topology.Dependency{From: pick(), To: pick()}, 0)
			}
		}
		after, lerr := db.LoadRecords(ctx, ws.Slug)
		if lerr != nil {
			t.Fatal(lerr)
		}
		if err != nil {
			refused++
			if code := topology.ErrorCode(err); code != topology.EINVALID && code != topology.ECONFLICT && code != topology.ENOTFOUND {
				t.Fatalf("write %d (%s) failed with %v", i, op, err)
			}
			if after.Workspace.Revision != recs.Workspace.Revision || !reflect.DeepEqual(after, recs) {
				t.Fatalf("write %d (%s) was refused (%v) but changed the model", i, op, err)
			}
			continue
		}
		accepted++
		if verr := after.Model().Validate(); verr != nil {
			t.Fatalf("write %d (%s) was accepted and left an invalid model: %v", i, op, verr)
		}
	}
	if accepted < 300 || refused < 300 {
		t.Errorf("%d writes accepted, %d refused: the mix does not exercise both", accepted, refused)
	}
}
