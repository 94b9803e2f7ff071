package store

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/archmap/archmap/internal/pgtest"
	"github.com/archmap/archmap/topology"
)

// TestCopyKnowsEveryTable: every table the migrations make has a rule in
// copyTables, and every rule a table: a migration that adds a table fails
// here until whoever wrote it says how archmap db copy moves it.
func TestCopyKnowsEveryTable(t *testing.T) {
	db := mustOpenDB(t)
	ctx := context.Background()
	tx, err := db.beginRead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	tables, err := db.copyDialect().tables(ctx, tx)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range tables {
		if _, ok := copyTables[name]; !ok {
			t.Errorf("table %s has no rule in copyTables (store/copy.go)", name)
		}
	}
	for name := range copyTables {
		if !slices.Contains(tables, name) {
			t.Errorf("copyTables names %s, which the migrations do not make", name)
		}
	}
}

// fillForCopy gives db something of everything: users, sessions, tokens,
// shares (one pinned, one revoked), three workspaces with history and an
// accepted risk, a deleted workspace and deleted rows (ids handed out and
// gone), and an instance setting.
func fillForCopy(tb testing.TB, db *DB) {
	tb.Helper()
	ctx := context.Background()
	must := func(err error) {
		tb.Helper()
		if err != nil {
			tb.Fatal(err)
		}
	}
	u, err := db.CreateFirstUser(ctx, "ada@example.com", []byte("hash-of-ada"))
	must(err)
	v, err := db.CreateUser(ctx, "bob@example.com", []byte("hash-of-bob"), false)
	must(err)
	must(db.CreateSession(ctx, u.ID, hash("session-ada"), time.Now().Add(time.Hour)))
	_, err = db.CreateAPIToken(ctx, u.ID, "ci", hash("token-ada"))
	must(err)
	gone, err := db.CreateAPIToken(ctx, v.ID, "old", hash("token-bob-old"))
	must(err)
	must(db.DeleteAPIToken(ctx, v.ID, gone.ID))
	_, err = db.CreateAPIToken(ctx, v.ID, "laptop", hash("token-bob"))
	must(err)
	must(db.SetInstanceSetting(ctx, "base_url", "https://archmap.example"))

	for i, slug := range []string{"shop", "billing", "search"} {
		m := sampleModel()
		m.Name = fmt.Sprintf("%s %d", slug, i)
		_, _, err := db.ImportModel(ctx, slug, m)
		must(err)
		m.Services[2].Team = "changed"
		_, err = db.ReplaceModel(ctx, slug, m, 0)
		must(err)
	}
	// The newest workspace goes: its id is the highest handed out.
	_, _, err = db.ImportModel(ctx, "doomed", sampleModel())
	must(err)
	_, err = db.AcceptRisk(ctx, "shop", topology.AcceptedRisk{Rule: "spof-instance", Subjects: []string{"service:db"}, Reason: "a replica is ordered"}, 0)
	must(err)
	_, err = db.CreateShare(ctx, "shop", hash("share-live"), time.Time{}, false)
	must(err)
	_, err = db.CreateShare(ctx, "billing", hash("share-pinned"), time.Now().Add(24*time.Hour), true)
	must(err)
	revoked, err := db.CreateShare(ctx, "search", hash("share-revoked"), time.Time{}, false)
	must(err)
	must(db.RevokeShare(ctx, "search", revoked.ID))
	_, err = db.CreateShare(ctx, "doomed", hash("share-doomed"), time.Time{}, false)
	must(err)
	must(db.DeleteWorkspace(ctx, "doomed", 0))
	_, _, err = db.DeleteExpiredSessionsOnce(ctx, "test", time.Hour) // a lease row
	must(err)
}

// dumpTables is every row of every table but the migration record, as
// text, sorted: two databases with equal dumps hold the same data.
func dumpTables(tb testing.TB, db *DB) map[string][]string {
	tb.Helper()
	ctx := context.Background()
	tx, err := db.beginRead(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	defer tx.Rollback()
	tables, err := db.copyDialect().tables(ctx, tx)
	if err != nil {
		tb.Fatal(err)
	}
	out := map[string][]string{}
	for _, table := range tables {
		if copyTables[table] == copySchema {
			continue
		}
		cols, err := db.copyDialect().columns(ctx, tx, table)
		if err != nil {
			tb.Fatal(err)
		}
		slices.Sort(cols)
		out[table] = dumpRows(tb, tx, table, cols)
		slices.Sort(out[table])
	}
	return out
}

// dumpRows is every row of table as "col=value …" text, bytes in hex.
func dumpRows(tb testing.TB, tx *Tx, table string, cols []string) []string {
	tb.Helper()
	rows, err := tx.QueryContext(context.Background(), "SELECT "+strings.Join(cols, ", ")+" FROM "+table)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			tb.Fatal(err)
		}
		var b strings.Builder
		for i, v := range vals {
			if b, ok := v.([]byte); ok {
				v = fmt.Sprintf("%x", b)
			}
			fmt.Fprintf(&b, "%s=%v ", cols[i], v)
		}
		out = append(out, b.String())
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

// TestCopy copies a database into a new one of the same engine: every row
// of every table alike, ids kept, the history not made again by the
// inserts, triggers working afterwards, and new ids after every id ever
// handed out. In the PostgreSQL pass the copy also goes to SQLite and back.
func TestCopy(t *testing.T) {
	src := mustOpenDB(t)
	fillForCopy(t, src)
	dst := openCopyTarget(t, openTestURL(t))
	checkCopy(t, src, dst, true)

	if testEngine == "postgres" {
		t.Run("to SQLite and back", func(t *testing.T) {
			lite := openCopyTarget(t, "sqlite:"+filepath.Join(t.TempDir(), "copy.db"))
			checkCopy(t, src, lite, false)
			back := openCopyTarget(t, pgtest.URL(t))
			checkCopy(t, lite, back, true)
		})
	}
}

// checkCopy copies src into the empty dst and checks the copy; then, when
// edit is set, that the copy takes new writes as it should.
func checkCopy(t *testing.T, src, dst *DB, edit bool) {
	t.Helper()
	ctx := context.Background()
	counts, err := Copy(ctx, src, dst)
	if err != nil {
		t.Fatal(err)
	}
	byTable := map[string]TableCount{}
	for _, c := range counts {
		byTable[c.Table] = c
		if c.Source != c.Target {
			t.Errorf("%s: %d rows in the source, %d in the target", c.Table, c.Source, c.Target)
		}
	}
	for table, want := range map[string]int64{"users": 2, "api_tokens": 2, "workspaces": 3, "shares": 3, "pinned_models": 1, "sessions": 1, "accepted_risks": 1, "leases": 1} {
		if got := byTable[table].Source; got != want {
			t.Errorf("%s: %d rows copied, want %d", table, got, want)
		}
	}
	if byTable["model_changes"].Source == 0 || byTable["revisions"].Source < 6 {
		t.Errorf("history: %+v, %+v; want the history of three workspaces", byTable["model_changes"], byTable["revisions"])
	}
	// Parents before children.
	order := make([]string, len(counts))
	for i, c := range counts {
		order[i] = c.Table
	}
	if slices.Index(order, "workspaces") > slices.Index(order, "services") || slices.Index(order, "services") > slices.Index(order, "placements") ||
		slices.Index(order, "users") > slices.Index(order, "api_tokens") {
		t.Errorf("copy order %v puts a table before one it refers to", order)
	}

	want, got := dumpTables(t, src), dumpTables(t, dst)
	for table, rows := range want {
		if !slices.Equal(rows, got[table]) {
			t.Errorf("table %s differs after the copy:\nsource %q\ntarget %q", table, rows, got[table])
		}
	}

	// What the store reads is the same: models, tokens, shares.
	for _, slug := range []string{"shop", "billing", "search"} {
		a, _, err := src.LoadModel(ctx, slug)
		if err != nil {
			t.Fatal(err)
		}
		b, _, err := dst.LoadModel(ctx, slug)
		if err != nil {
			t.Fatal(err)
		}
		ja, _ := topology.EncodeJSON(a)
		jb, _ := topology.EncodeJSON(b)
		if string(ja) != string(jb) {
			t.Errorf("workspace %s: the copy's model differs", slug)
		}
		old, _, err := dst.ModelAt(ctx, slug, 1)
		if err != nil || old.Services[2].Team == "changed" {
			t.Errorf("workspace %s: revision 1 on the copy: %v (team %q)", slug, err, old.Services[2].Team)
		}
	}
	if u, err := dst.GetAPITokenUser(ctx, hash("token-bob")); err != nil || u.Email != "bob@example.com" {
		t.Errorf("bob's token on the copy: %v, %v", u, err)
	}
	if _, err := dst.ResolveShare(ctx, hash("share-pinned"), time.Now()); err != nil {
		t.Errorf("the pinned link on the copy: %v", err)
	}
	_, err = dst.ResolveShare(ctx, hash("share-revoked"), time.Now())
	wantCode(t, err, topology.ENOTFOUND)

	// No id handed out in the source comes back: not the deleted
	// workspace's, not the deleted token's. (Read before the edits below.)
	marks := idMarksOf(t, src)
	srcTokens, dstTokens := idMarksOf(t, src)["api_tokens"], idMarksOf(t, dst)["api_tokens"]
	if dstTokens < srcTokens {
		t.Errorf("api_tokens: the copy's ids continue after %d, the source's after %d", dstTokens, srcTokens)
	}

	if !edit {
		return
	}
	// The triggers are back: an edit on the copy is recorded.
	ws, err := dst.GetWorkspace(ctx, "shop")
	if err != nil {
		t.Fatal(err)
	}
	m, _, err := dst.LoadModel(ctx, "shop")
	if err != nil {
		t.Fatal(err)
	}
	m.Services[0].Team = "after the copy"
	if _, err := dst.ReplaceModel(ctx, "shop", m, ws.Revision); err != nil {
		t.Fatal(err)
	}
	if revs, _, err := dst.ListRevisions(ctx, "shop", 0, 1); err != nil || revs[0].Revision != ws.Revision+1 {
		t.Errorf("after an edit on the copy: %+v, %v", revs, err)
	}
	if d, _, err := dst.ModelAt(ctx, "shop", ws.Revision); err != nil || d.Services[0].Team == "after the copy" {
		t.Errorf("the copy's history did not record the edit: %v", err)
	}
	fresh := mustCreateWorkspace(t, dst, "After")
	if fresh.ID <= marks["workspaces"] {
		t.Errorf("a new workspace on the copy got id %d, which the source handed out (up to %d)", fresh.ID, marks["workspaces"])
	}
	if _, err := dst.CreateAPIToken(ctx, 1, "after", hash("token-after")); err != nil {
		t.Errorf("a new token on the copy: %v", err)
	}
}

// idMarksOf is the highest id each table of db has handed out.
func idMarksOf(tb testing.TB, db *DB) map[string]int64 {
	tb.Helper()
	ctx := context.Background()
	tx, err := db.beginRead(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	defer tx.Rollback()
	tables, err := db.copyDialect().tables(ctx, tx)
	if err != nil {
		tb.Fatal(err)
	}
	marks, err := db.copyDialect().idMarks(ctx, tx, tables)
	if err != nil {
		tb.Fatal(err)
	}
	return marks
}

// TestCopyRefuses: a target with data, and a source with a table this
// archmap does not know, are refused, and the target is left as it was.
func TestCopyRefuses(t *testing.T) {
	ctx := context.Background()
	src := mustOpenDB(t)
	fillForCopy(t, src)

	full := mustOpenDB(t)
	mustCreateWorkspace(t, full, "Mine")
	_, err := Copy(ctx, src, full)
	if err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("copy into a database with a workspace: %v, want a refusal", err)
	}
	if ws, err := full.ListWorkspaces(ctx); err != nil || len(ws) != 1 {
		t.Errorf("the refused target changed: %v, %v", ws, err)
	}

	if _, err := src.write.ExecContext(ctx, "CREATE TABLE plugin_data (id INTEGER PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	empty := mustOpenDB(t)
	_, err = Copy(ctx, src, empty)
	if err == nil || !strings.Contains(err.Error(), "plugin_data") {
		t.Errorf("copy of a source with an unknown table: %v, want a refusal naming it", err)
	}
	if ws, err := empty.ListWorkspaces(ctx); err != nil || len(ws) != 0 {
		t.Errorf("the refused target changed: %v, %v", ws, err)
	}
}

// openCopyTarget opens the database u names and closes it when the test
// ends.
func openCopyTarget(tb testing.TB, u string) *DB {
	tb.Helper()
	db, err := OpenURL(context.Background(), u)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}
