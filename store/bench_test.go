package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/archmap/archmap/topology"
	"github.com/archmap/archmap/topology/topologytest"
)

var benchSizes = []int{100, 1000, 10000}

// BenchmarkImportModel imports a generated model into a new workspace.
func BenchmarkImportModel(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			ctx := context.Background()
			db := mustOpenDB(b)
			m := topologytest.Generate(n)
			i := 0
			for b.Loop() {
				i++
				if _, _, err := db.ImportModel(ctx, fmt.Sprintf("w%d", i), m); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkReplaceModel replaces a stored model by a model that differs in
// one service in ten (the shape of a re-import after a week of changes).
func BenchmarkReplaceModel(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			ctx := context.Background()
			db := mustOpenDB(b)
			a := topologytest.Generate(n)
			c := topologytest.Generate(n)
			for i := range c.Services {
				if i%10 == 0 {
					c.Services[i].Team = "changed"
				}
			}
			if _, _, err := db.ImportModel(ctx, "w", a); err != nil {
				b.Fatal(err)
			}
			models := []*topology.Model{c, a}
			i := 0
			for b.Loop() {
				i++
				if _, err := db.ReplaceModel(ctx, "w", models[i%2], 0); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkLoadModel loads a whole stored model.
func BenchmarkLoadModel(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			ctx := context.Background()
			db := mustOpenDB(b)
			if _, _, err := db.ImportModel(ctx, "w", topologytest.Generate(n)); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if _, _, err := db.LoadModel(ctx, "w"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkUpdateService edits one service of a big model: the price of
// validating the whole model inside every write.
func BenchmarkUpdateService(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			ctx := context.Background()
			db := mustOpenDB(b)
			if _, _, err := db.ImportModel(ctx, "w", topologytest.Generate(n)); err != nil {
				b.Fatal(err)
			}
			svc, _, err := db.Services().Page(ctx, "w", 0, 1)
			if err != nil {
				b.Fatal(err)
			}
			s := svc[0]
			i := 0
			for b.Loop() {
				i++
				s.Team = fmt.Sprint("team-", i)
				if _, _, err := db.Services().Update(ctx, "w", s.ID, s.Service, 0); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkAPITokenOwner is the lookup every API request starts with, from
// 2 goroutines: "remembered" is a token this node used a moment ago (one
// read of the auth generation), "read" one it must look up (the
// token-and-owner join as well). The gap is what the token cache saves;
// the generation is what lets it stay correct across nodes.
func BenchmarkAPITokenOwner(b *testing.B) {
	ctx := context.Background()
	db := mustOpenDB(b)
	u, err := db.CreateUser(ctx, "ada@example.com", []byte("hash"), true)
	if err != nil {
		b.Fatal(err)
	}
	h := hash("token")
	if _, err := db.CreateAPIToken(ctx, u.ID, "t", h); err != nil {
		b.Fatal(err)
	}
	lookup := func(b *testing.B, forget bool) {
		b.SetParallelism(1)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if forget {
					db.tokens.mu.Lock()
					clear(db.tokens.entries)
					db.tokens.mu.Unlock()
				}
				if _, err := db.AuthenticateAPIToken(ctx, h); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	b.Run("remembered", func(b *testing.B) { lookup(b, false) })
	b.Run("read", func(b *testing.B) { lookup(b, true) })
}

// BenchmarkAttemptSignIn is what the sign-in throttle adds to a sign-in:
// one write transaction that counts the failures (with 1000 of other
// accounts and addresses in the window) and records the attempt.
//
//	go test ./store -run '^$' -bench BenchmarkAttemptSignIn
func BenchmarkAttemptSignIn(b *testing.B) {
	ctx := context.Background()
	db := mustOpenDB(b)
	now := time.Now()
	w := SignInWindow{Now: now, Since: now.Add(-15 * time.Minute), KnownSince: now.Add(-time.Hour)}
	always := func(SignInCounts) bool { return true }
	for i := range 1000 {
		if _, _, err := db.AttemptSignIn(ctx, fmt.Sprintf("u%d@example.org", i), fmt.Sprintf("10.0.%d.%d", i/256, i%256), w, always); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, _, err := db.AttemptSignIn(ctx, "ada@example.org", "192.0.2.1", w, always); err != nil {
			b.Fatal(err)
		}
		if i%5 == 4 { // a success now and then, as real users have
			if err := db.RecordSignIn(ctx, "ada@example.org", "192.0.2.1", w); err != nil {
				b.Fatal(err)
			}
		}
	}
}
