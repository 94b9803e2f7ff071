package store

import (
	"context"
	"crypto/sha256"
	"testing"
	"time"

	"github.com/archmap/archmap/topology"
)

// mustOpenDB opens a fresh database of the pass's engine (engine_test.go)
// and closes it when the test ends.
func mustOpenDB(tb testing.TB) *DB {
	tb.Helper()
	db, err := OpenURL(context.Background(), openTestURL(tb))
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return db
}

// mustCreateWorkspace creates a workspace named name and returns it.
func mustCreateWorkspace(tb testing.TB, db *DB, name string) *Workspace {
	tb.Helper()
	ws, err := db.CreateWorkspace(context.Background(), name, "")
	if err != nil {
		tb.Fatalf("CreateWorkspace(%q): %v", name, err)
	}
	return ws
}

// wantCode fails unless err carries the domain error code want.
func wantCode(tb testing.TB, err error, want string) {
	tb.Helper()
	if got := topology.ErrorCode(err); got != want {
		tb.Fatalf("error code = %q (%v), want %q", got, err, want)
	}
}

var timeZero time.Time

// hash is the SHA-256 of a made-up token, as the server would compute it.
func hash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// sampleModel is a small model that sets every field, with names that
// would break naive escaping and a non-default order.
func sampleModel() *topology.Model {
	return &topology.Model{
		Version:     topology.FormatVersion,
		Name:        "Shop <b>",
		Description: "Online shop\nsecond line",
		Settings:    topology.Settings{ChattyCallsPerRequest: 2.5, MaxSyncChain: 7, BlastRadius: 4},
		Services: []topology.Service{
			{Name: "web", Kind: topology.KindFrontend, Team: "web", Tech: "ts", Description: "the site"},
			{Name: "api \"gw\"", Kind: topology.KindGateway, Team: "platform"},
			{Name: "cart", Kind: topology.KindService, Team: "shop", Tech: "go"},
			{Name: "db", Kind: topology.KindDatabase},
			{Name: "pay", Kind: topology.KindExternal},
			{Name: "日本", Kind: topology.KindWorker},
		},
		Servers: []topology.Server{
			{Name: "node-b", Kind: topology.ServerVM, Zone: "z2", Region: "r"},
			{Name: "node-a", Kind: topology.ServerPhysical, Zone: "z1", Region: "r"},
			{Name: "lambda", Kind: topology.ServerServerless},
		},
		Placements: []topology.Placement{
			{Service: "web", Server: "node-a", Instances: 2},
			{Service: "web", Server: "node-b", Instances: 1},
			{Service: "cart", Server: "node-a", Instances: 3},
			{Service: "db", Server: "node-b", Instances: 1},
			{Service: "日本", Server: "lambda", Instances: 1},
		},
		Dependencies: []topology.Dependency{
			{From: "web", To: "api \"gw\"", Protocol: topology.ProtocolHTTP, Mode: topology.ModeSync, CallsPerRequest: 1},
			{From: "api \"gw\"", To: "cart", Protocol: topology.ProtocolGRPC, Mode: topology.ModeSync, CallsPerRequest: 6.5, Description: "lookups"},
			{From: "cart", To: "db", Protocol: topology.ProtocolSQL, Mode: topology.ModeSync, CallsPerRequest: 3},
			{From: "cart", To: "日本", Protocol: topology.ProtocolQueue, Mode: topology.ModeAsync, CallsPerRequest: 1},
			{From: "cart", To: "pay", Protocol: topology.ProtocolHTTP, Mode: topology.ModeSync, CallsPerRequest: 0.5},
		},
	}
}
