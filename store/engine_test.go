package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/archmap/archmap/internal/pgtest"
)

// The store's whole suite runs once per engine. TestMain runs it on SQLite,
// then — when ARCHMAP_TEST_DATABASE_URL names a PostgreSQL database — again
// on PostgreSQL, every test in a fresh schema of that database (dropped
// when it ends). Tests open their database with mustOpenDB (or
// openTestURL/reopenDB), never by a path of their own, unless they are
// about SQLite (sqliteOnly).
//
// ARCHMAP_TEST_ENGINES=postgres (or sqlite) runs one pass only, for a quick
// loop. Unset URL: the PostgreSQL pass is skipped with a message — and
// fails the run under CI=true, where it must run.

// testEngine is the engine of the pass running now.
var testEngine = "sqlite"

func TestMain(m *testing.M) {
	engines := strings.Split(os.Getenv("ARCHMAP_TEST_ENGINES"), ",")
	if engines[0] == "" {
		engines = []string{"sqlite", "postgres"}
	}
	code := 0
	if slices.Contains(engines, "sqlite") {
		code = m.Run()
	}
	if slices.Contains(engines, "postgres") {
		u := os.Getenv(pgtest.EnvVar)
		switch {
		case u == "" && os.Getenv("CI") == "true":
			fmt.Fprintln(os.Stderr, "store: ARCHMAP_TEST_DATABASE_URL is unset under CI=true; the suite must also run on PostgreSQL in CI (.ci/run starts one)")
			code = 1
		case u == "":
			fmt.Println("store: SKIP the PostgreSQL pass: ARCHMAP_TEST_DATABASE_URL is unset (postgres://… runs the suite on PostgreSQL too)")
		default:
			fmt.Println("store: the suite again, on PostgreSQL")
			testEngine = "postgres"
			code = max(code, m.Run())
		}
	}
	os.Exit(code)
}

// sqliteOnly skips a test about SQLite itself (its files, pragmas, rebuilt
// tables) in the PostgreSQL pass.
func sqliteOnly(tb testing.TB) {
	tb.Helper()
	if testEngine != "sqlite" {
		tb.Skip("about SQLite itself; runs in the SQLite pass")
	}
}

// postgresOnly skips a test about PostgreSQL in the SQLite pass.
func postgresOnly(tb testing.TB) {
	tb.Helper()
	if testEngine != "postgres" {
		tb.Skip("about PostgreSQL; runs in the PostgreSQL pass (ARCHMAP_TEST_DATABASE_URL)")
	}
}

// openTestURL returns the URL of a fresh, empty database for this test: a
// file in a temporary directory, or a new schema of the PostgreSQL test
// database, dropped when the test ends.
func openTestURL(tb testing.TB) string {
	tb.Helper()
	if testEngine == "sqlite" {
		return filepath.Join(tb.TempDir(), "archmap.db")
	}
	return pgtest.URL(tb)
}

// reopenDB opens the database db is open on, a second time (another
// process, or a restart).
func reopenDB(tb testing.TB, db *DB) (*DB, error) {
	tb.Helper()
	if db.pg {
		return OpenURL(context.Background(), db.url)
	}
	return Open(context.Background(), db.Path())
}
