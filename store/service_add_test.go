package store

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/archmap/archmap/topology"
)

// A service with two placements (one on a server made on the way) and two
// calls is one revision, and the history says what it added.
func TestAddServiceOneRevision(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	ws, _ := seed(t, db)

	got, w, err := db.AddService(ctx, ws.Slug, NewService{
		Service: topology.Service{Name: "search", Team: "find"},
		RunsOn: []RunsOn{
			{Server: "node-a", Instances: 2},
			{Server: "search-1", NewServer: true, NewServerKind: topology.ServerServerless}, // instances default to 1
		},
		Calls: []topology.Dependency{
			{To: "db", Protocol: topology.ProtocolSQL, CallsPerRequest: 3},
			{To: "pay", Mode: topology.ModeAsync},
		},
	}, ws.Revision)
	if err != nil {
		t.Fatal(err)
	}
	if w.Revision != ws.Revision+1 {
		t.Errorf("revision %d, want %d: one change", w.Revision, ws.Revision+1)
	}
	if got.Service.Name != "search" || got.Service.Kind != topology.KindService || len(got.Servers) != 1 || got.Servers[0].Kind != topology.ServerServerless ||
		len(got.Placements) != 2 || len(got.Dependencies) != 2 {
		t.Fatalf("stored %+v", got)
	}
	m, _, err := db.LoadModel(ctx, ws.Slug)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(m.Placements, topology.Placement{Service: "search", Server: "search-1", Instances: 1}) ||
		!slices.Contains(m.Placements, topology.Placement{Service: "search", Server: "node-a", Instances: 2}) {
		t.Errorf("placements %+v", m.Placements)
	}
	want := topology.Dependency{From: "search", To: "pay", Protocol: topology.ProtocolHTTP, Mode: topology.ModeAsync, CallsPerRequest: 1}
	if !slices.Contains(m.Dependencies, want) {
		t.Errorf("dependencies %+v lack %+v", m.Dependencies, want)
	}
	revs, _, err := db.ListRevisions(ctx, ws.Slug, 0, 1)
	if err != nil || len(revs) != 1 || revs[0].Revision != w.Revision || !strings.Contains(revs[0].Summary, "+1 services, +1 servers, +2 placements, +2 calls") {
		t.Errorf("newest revision %+v, %v", revs, err)
	}
}

// Every problem is named at its field, and nothing changes: not the
// service, not the server that would have been made.
func TestAddServiceRefusedChangesNothing(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	ws, before := seed(t, db)

	cases := []struct {
		name string
		in   NewService
		want []string // problem paths and a word of each message
	}{
		{"unknown callee and server", NewService{
			Service: topology.Service{Name: "search"},
			RunsOn:  []RunsOn{{Server: "brand-new", NewServer: true}, {Server: "nosuch"}},
			Calls:   []topology.Dependency{{To: "db"}, {To: "x"}},
		}, []string{`runs_on[1].server: no server "nosuch"`, `calls[1].to: no service "x"`}},
		{"taken name, bad kind, bad rows", NewService{
			Service: topology.Service{Name: "cart", Kind: "robot"},
			RunsOn:  []RunsOn{{Server: "node-a", Instances: -1}, {Server: "node-a"}},
			Calls:   []topology.Dependency{{To: "db", Mode: "sometimes", CallsPerRequest: -2}, {To: "db"}},
		}, []string{`kind: unknown service kind`, `name: a service named "cart" already exists`,
			`runs_on[0].instances: must be`, `runs_on[1].server: "node-a" is listed twice`,
			`calls[0].mode: unknown mode`, `calls[0].calls_per_request: must be`, `calls[1].to: "db" is listed twice`}},
		{"lookalikes", NewService{
			Service: topology.Service{Name: "CART"},
			RunsOn:  []RunsOn{{Server: "NODE-A", NewServer: true}},
		}, []string{`name: `, `runs_on[0].server: `}},
		{"a new server's bad name", NewService{
			Service: topology.Service{Name: "ok"},
			RunsOn:  []RunsOn{{Server: "bad\x01name", NewServer: true}},
		}, []string{`runs_on[0].server: contains control character`}},
		{"a new server's bad kind", NewService{
			Service: topology.Service{Name: "ok"},
			RunsOn:  []RunsOn{{Server: "fine", NewServer: true, NewServerKind: "cloud"}},
		}, []string{`new_server_kind: unknown server kind "cloud"`}},
		{"too many rows", NewService{
			Service: topology.Service{Name: "ok"},
			Calls:   slices.Repeat([]topology.Dependency{{To: "db"}}, MaxAddLinks+1),
		}, []string{`calls: at most`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := db.AddService(ctx, ws.Slug, tc.in, ws.Revision)
			var ve *topology.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("err = %v (%T), want a ValidationError", err, err)
			}
			msg := ve.Error()
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("%q lacks %q", msg, w)
				}
			}
			mustUnchanged(t, db, before)
		})
	}

	// A stale revision is refused before anything else.
	_, _, err := db.AddService(ctx, ws.Slug, NewService{Service: topology.Service{Name: "late"}}, ws.Revision-1)
	wantCode(t, err, topology.EPRECONDITION)
	mustUnchanged(t, db, before)
}

// A call to itself is allowed, as the model allows it; a server named in
// two ways (new, and then as existing) is one server.
func TestAddServiceSelfCall(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	ws, _ := seed(t, db)
	got, _, err := db.AddService(ctx, ws.Slug, NewService{
		Service: topology.Service{Name: "loop"},
		RunsOn:  []RunsOn{{Server: "node-b", NewServer: true}},
		Calls:   []topology.Dependency{{To: "loop"}},
	}, ws.Revision)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Servers) != 0 || len(got.Dependencies) != 1 || got.Dependencies[0].ToID != got.Service.ID {
		t.Errorf("stored %+v", got)
	}
}

// The placement form's "add the server if it is new" is one revision, and
// a refused placement leaves no server behind.
func TestPlaceServiceMakesItsServerInTheSameChange(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	ws, before := seed(t, db)

	// The placement is refused after the new server was made in the same
	// transaction: the server must not stay.
	_, _, _, err := db.PlaceService(ctx, ws.Slug, topology.Placement{Service: "nosuch", Server: "fresh"}, true, ws.Revision)
	var ve *topology.ValidationError
	if !errors.As(err, &ve) || !strings.Contains(ve.Error(), `service: unknown service "nosuch"`) {
		t.Fatalf("err = %v", err)
	}
	mustUnchanged(t, db, before)
	_, _, _, err = db.PlaceService(ctx, ws.Slug, topology.Placement{Service: "cart", Server: "NODE-A"}, true, ws.Revision)
	if !strings.HasPrefix(topology.ErrorMessage(err), "server: ") {
		t.Errorf("a lookalike new server: %v, want it at the server field", err)
	}
	mustUnchanged(t, db, before)

	pl, made, w, err := db.PlaceService(ctx, ws.Slug, topology.Placement{Service: "cart", Server: "fresh", Instances: 2}, true, ws.Revision)
	if err != nil {
		t.Fatal(err)
	}
	if made == nil || made.Name != "fresh" || made.Kind != topology.ServerVM || pl.ServerID != made.ID || w.Revision != ws.Revision+1 {
		t.Errorf("placed %+v, made %+v, revision %d (want %d)", pl, made, w.Revision, ws.Revision+1)
	}
	// An existing server is used as it is.
	_, made, _, err = db.PlaceService(ctx, ws.Slug, topology.Placement{Service: "db", Server: "fresh"}, true, w.Revision)
	if err != nil || made != nil {
		t.Errorf("made %+v, %v for a server that exists", made, err)
	}
}
