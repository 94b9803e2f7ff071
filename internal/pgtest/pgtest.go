// Package pgtest gives tests a fresh PostgreSQL database to run on: a new
// schema of the database ARCHMAP_TEST_DATABASE_URL names, dropped when the
// test ends. Without the variable a test is skipped with a message, except
// under CI=true, where it fails: CI must run the PostgreSQL tests (.ci/run
// starts a server and sets the variable).
package pgtest

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"sync"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
)

// EnvVar names the database the PostgreSQL tests use.
const EnvVar = "ARCHMAP_TEST_DATABASE_URL"

// Base returns ARCHMAP_TEST_DATABASE_URL, skipping the test when it is
// unset (failing it under CI=true).
func Base(tb testing.TB) string {
	tb.Helper()
	u := os.Getenv(EnvVar)
	if u == "" {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("%s is unset under CI=true: the PostgreSQL tests must run in CI", EnvVar)
		}
		tb.Skipf("%s is unset: set it to postgres://… to run this test on PostgreSQL", EnvVar)
	}
	return u
}

var (
	adminOnce sync.Once
	admin     *sql.DB
	adminErr  error
)

// URL returns the URL of a fresh, empty schema in the test database (its
// search_path), dropped with everything in it when the test ends.
func URL(tb testing.TB) string {
	tb.Helper()
	base := Base(tb)
	adminOnce.Do(func() {
		admin, adminErr = sql.Open("pgx", base)
		if adminErr == nil {
			admin.SetMaxOpenConns(2)
		}
	})
	if adminErr != nil {
		tb.Fatalf("%s: %v", EnvVar, adminErr)
	}
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		tb.Fatal(err)
	}
	schema := "archmap_test_" + hex.EncodeToString(b)
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		tb.Fatalf("create a schema for the test in %s: %v", EnvVar, err)
	}
	tb.Cleanup(func() {
		if _, err := admin.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			tb.Errorf("drop the test's schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("%s: %v", EnvVar, err)
	}
	q := u.Query()
	q.Set("search_path", schema) // pgx sends it as a run-time parameter
	u.RawQuery = q.Encode()
	return u.String()
}
