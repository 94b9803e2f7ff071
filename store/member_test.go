package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/archmap/archmap/access"
	"github.com/archmap/archmap/migrations"
	"github.com/archmap/archmap/topology"
)

func mustUser(tb testing.TB, db *DB, email string, admin bool) *User {
	tb.Helper()
	u, err := db.CreateUser(context.Background(), email, []byte("hash"), admin)
	if err != nil {
		tb.Fatal(err)
	}
	return u
}

func TestMembers(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	ada := mustUser(t, db, "ada@example.org", false)
	bob := mustUser(t, db, "bob@example.org", false)
	root := mustUser(t, db, "root@example.org", true)

	ws, err := db.CreateWorkspaceOwnedBy(ctx, ada.ID, "Shop", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateWorkspace(ctx, "Orphan", ""); err != nil {
		t.Fatal(err)
	}
	role := func(u *User, slug string) access.Role {
		t.Helper()
		r, err := db.WorkspaceRole(ctx, slug, u)
		if err != nil && topology.ErrorCode(err) != topology.ENOTFOUND {
			t.Fatal(err)
		}
		return r
	}
	if r := role(ada, ws.Slug); r != access.Owner {
		t.Errorf("creator's role %q, want owner", r)
	}
	if r := role(root, "orphan"); r != access.Owner {
		t.Errorf("admin's role %q, want owner", r)
	}
	// A non-member and a missing workspace give the same error, word for word.
	_, errMember := db.WorkspaceRole(ctx, ws.Slug, bob)
	_, errMissing := db.WorkspaceRole(ctx, "nowhere", bob)
	_, errGet := db.GetWorkspace(ctx, "nowhere")
	wantCode(t, errMember, topology.ENOTFOUND)
	if strings.Replace(errMember.Error(), ws.Slug, "nowhere", 1) != errMissing.Error() || errMissing.Error() != errGet.Error() {
		t.Errorf("non-member %q, missing %q, GetWorkspace %q: want the same", errMember, errMissing, errGet)
	}

	list := func(u *User) string {
		t.Helper()
		l, err := db.ListWorkspacesFor(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		var s []string
		for _, w := range l {
			s = append(s, w.Slug)
		}
		return strings.Join(s, ",")
	}
	if got := list(ada); got != "shop" {
		t.Errorf("ada sees %q", got)
	}
	if got := list(bob); got != "" {
		t.Errorf("bob sees %q", got)
	}
	if got := list(root); got != "orphan,shop" {
		t.Errorf("admin sees %q", got)
	}

	m, err := db.AddMember(ctx, ws.Slug, " BOB@example.org", access.Viewer)
	if err != nil || m.UserID != bob.ID || m.Role != access.Viewer || m.Email != bob.Email {
		t.Fatalf("AddMember = %+v, %v", m, err)
	}
	if r := role(bob, ws.Slug); r != access.Viewer {
		t.Errorf("bob's role %q", r)
	}
	if got := list(bob); got != "shop" {
		t.Errorf("bob sees %q", got)
	}
	_, err = db.AddMember(ctx, ws.Slug, "bob@example.org", access.Editor)
	wantCode(t, err, topology.ECONFLICT)
	_, err = db.AddMember(ctx, ws.Slug, "nobody@example.org", access.Editor)
	wantCode(t, err, topology.EINVALID)
	_, err = db.AddMember(ctx, ws.Slug, "root@example.org", "admin")
	wantCode(t, err, topology.EINVALID)
	_, err = db.AddMember(ctx, "nowhere", "root@example.org", access.Viewer)
	wantCode(t, err, topology.ENOTFOUND)

	// The last owner can be neither demoted nor removed.
	_, err = db.SetMemberRole(ctx, ws.Slug, ada.ID, access.Editor)
	wantCode(t, err, topology.ECONFLICT)
	_, err = db.RemoveMember(ctx, ws.Slug, ada.ID)
	wantCode(t, err, topology.ECONFLICT)
	// With a second owner, the first may go.
	if _, err := db.SetMemberRole(ctx, ws.Slug, bob.ID, access.Owner); err != nil {
		t.Fatal(err)
	}
	if m, err := db.SetMemberRole(ctx, ws.Slug, ada.ID, access.Viewer); err != nil || m.Role != access.Viewer {
		t.Fatalf("demote ada = %+v, %v", m, err)
	}
	_, err = db.RemoveMember(ctx, ws.Slug, bob.ID)
	wantCode(t, err, topology.ECONFLICT)
	if _, err := db.RemoveMember(ctx, ws.Slug, ada.ID); err != nil {
		t.Fatal(err)
	}
	if r := role(ada, ws.Slug); r != "" {
		t.Errorf("removed member's role %q", r)
	}
	_, err = db.RemoveMember(ctx, ws.Slug, ada.ID)
	wantCode(t, err, topology.ENOTFOUND)
	_, err = db.SetMemberRole(ctx, ws.Slug, ada.ID, access.Editor)
	wantCode(t, err, topology.ENOTFOUND)
	_, err = db.SetMemberRole(ctx, ws.Slug, bob.ID, "")
	wantCode(t, err, topology.EINVALID)

	ms, err := db.ListMembers(ctx, ws.Slug)
	if err != nil || len(ms) != 1 || ms[0].UserID != bob.ID || ms[0].Role != access.Owner {
		t.Errorf("ListMembers = %+v, %v", ms, err)
	}
	// Memberships go with their workspace.
	if err := db.DeleteWorkspace(ctx, ws.Slug, 0); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.read.QueryRow("SELECT COUNT(*) FROM workspace_members").Scan(&n); err != nil || n != 0 {
		t.Errorf("%d memberships left after deleting the workspace (%v)", n, err)
	}
}

// Two owners demoting each other at once: one wins, the workspace keeps
// an owner.
func TestLastOwnerUnderConcurrency(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	a := mustUser(t, db, "a@example.org", false)
	b := mustUser(t, db, "b@example.org", false)
	ws, err := db.CreateWorkspaceOwnedBy(ctx, a.ID, "W", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddMember(ctx, ws.Slug, b.Email, access.Owner); err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 2)
	for _, u := range []*User{a, b} {
		go func() { _, err := db.RemoveMember(ctx, ws.Slug, u.ID); errs <- err }()
	}
	failed := 0
	for range 2 {
		if err := <-errs; err != nil {
			wantCode(t, err, topology.ECONFLICT)
			failed++
		}
	}
	ms, _ := db.ListMembers(ctx, ws.Slug)
	if failed != 1 || len(ms) != 1 || ms[0].Role != access.Owner {
		t.Errorf("%d removals refused, members left %+v: want one owner", failed, ms)
	}
}

func TestReadOnlyToken(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	u := mustUser(t, db, "ada@example.org", false)
	rw, err := db.CreateAPIToken(ctx, u.ID, "rw", hash("rw"))
	if err != nil || rw.ReadOnly {
		t.Fatalf("token %+v, %v", rw, err)
	}
	ro, err := db.CreateAPIToken(ctx, u.ID, "ro", hash("ro"), ReadOnlyToken(true))
	if err != nil || !ro.ReadOnly {
		t.Fatalf("token %+v, %v", ro, err)
	}
	for range 2 { // the second time from the cache
		for tok, want := range map[string]bool{"rw": false, "ro": true} {
			g, err := db.AuthenticateAPIToken(ctx, hash(tok))
			if err != nil || g.ReadOnly != want || g.User.ID != u.ID || g.Name != tok {
				t.Errorf("grant of %s = %+v, %v", tok, g, err)
			}
		}
	}
	list, _ := db.ListAPITokens(ctx, u.ID)
	if len(list) != 2 || list[0].ReadOnly || !list[1].ReadOnly {
		t.Errorf("ListAPITokens = %+v", list)
	}
}

// Migration 0010 makes every admin an owner of every workspace that was
// there before it, and nobody else a member.
func TestMembersMigrationGivesAdminsOwnership(t *testing.T) {
	sqliteOnly(t) // the PostgreSQL twin runs the same INSERT … SELECT
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	all, err := loadMigrations(migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	old := fstest.MapFS{}
	for _, m := range all {
		if m.version >= 10 {
			break
		}
		old[m.name] = &fstest.MapFile{Data: []byte(m.sql)}
	}
	db := &DB{path: path, now: time.Now}
	if db.write, err = openWriterForTest(path); err != nil {
		t.Fatal(err)
	}
	if err := db.migrateFS(ctx, old); err != nil {
		t.Fatal(err)
	}
	const ts = "2026-01-01T00:00:00.000000000Z"
	for _, q := range []string{
		`INSERT INTO workspaces VALUES (1, 'a', 'A', '', 5, 5, 3, 1, '` + ts + `', '` + ts + `'), (2, 'b', 'B', '', 5, 5, 3, 1, '` + ts + `', '` + ts + `')`,
		`INSERT INTO users (id, email, email_key, password_hash, admin, created_at) VALUES
			(1, 'r@x', 'r@x', x'00', 1, '` + ts + `'), (2, 'u@x', 'u@x', x'00', 0, '` + ts + `'), (3, 's@x', 's@x', x'00', 1, '` + ts + `')`,
		`INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES (2, 't', x'01', '` + ts + `')`,
	} {
		if _, err := db.write.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.write.Close()
	db2, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	rows, err := db2.read.Query("SELECT workspace_id || ':' || user_id || ':' || role FROM workspace_members ORDER BY 1")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		got = append(got, s)
	}
	if strings.Join(got, " ") != "1:1:owner 1:3:owner 2:1:owner 2:3:owner" {
		t.Errorf("members after the migration: %v", got)
	}
	var ro sql.NullInt64
	if err := db2.read.QueryRow("SELECT read_only FROM api_tokens").Scan(&ro); err != nil || !ro.Valid || ro.Int64 != 0 {
		t.Errorf("an old token's read_only = %v, %v: want 0", ro, err)
	}
}

// BenchmarkWorkspaceRole is the one query every request of a member (not
// an admin) to a workspace route now costs.
func BenchmarkWorkspaceRole(b *testing.B) {
	ctx := context.Background()
	db := mustOpenDB(b)
	u := mustUser(b, db, "ada@example.org", false)
	ws, err := db.CreateWorkspaceOwnedBy(ctx, u.ID, "Shop", "")
	if err != nil {
		b.Fatal(err)
	}
	for i := range 200 { // other workspaces and members around it
		other := mustUser(b, db, "u"+strconv.Itoa(i)+"@example.org", false)
		if _, err := db.CreateWorkspaceOwnedBy(ctx, other.ID, "W"+strconv.Itoa(i), ""); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if r, err := db.WorkspaceRole(ctx, ws.Slug, u); err != nil || r != access.Owner {
			b.Fatal(r, err)
		}
	}
}
