package store

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/archmap/archmap/topology"
)

func TestUsers(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	if n, err := db.CountUsers(ctx); err != nil || n != 0 {
		t.Fatalf("CountUsers = %d, %v", n, err)
	}
	u, err := db.CreateUser(ctx, "  Ada@Example.org ", []byte("hash"), true)
	if err != nil {
		t.Fatal(err)
	}
	if u.ID == 0 || u.Email != "Ada@Example.org" || !u.Admin || string(u.PasswordHash) != "hash" {
		t.Errorf("created %+v", u)
	}
	for _, email := range []string{"ada@example.org", "ADA@EXAMPLE.ORG", " Ada@Example.org"} {
		got, err := db.GetUserByEmail(ctx, email)
		if err != nil || !reflect.DeepEqual(got, u) {
			t.Errorf("GetUserByEmail(%q) = %+v, %v", email, got, err)
		}
	}
	if got, err := db.GetUser(ctx, u.ID); err != nil || !reflect.DeepEqual(got, u) {
		t.Errorf("GetUser = %+v, %v", got, err)
	}
	_, err = db.GetUser(ctx, 999)
	wantCode(t, err, topology.ENOTFOUND)
	_, err = db.GetUserByEmail(ctx, "bob@example.org")
	wantCode(t, err, topology.ENOTFOUND)

	tests := []struct {
		name, email string
		code        string
	}{
		{"same email, other case", "ADA@example.ORG", topology.ECONFLICT},
		{"empty", "", topology.EINVALID},
		{"no at", "ada.example.org", topology.EINVALID},
		{"nothing after at", "ada@", topology.EINVALID},
		{"space inside", "a da@example.org", topology.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := db.CreateUser(ctx, tt.email, []byte("h"), false)
			wantCode(t, err, tt.code)
		})
	}
	if n, _ := db.CountUsers(ctx); n != 1 {
		t.Errorf("%d users after refusals, want 1", n)
	}
}

func TestCreateFirstUserOnlyOnce(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	var wg sync.WaitGroup
	codes := make(chan string, 10)
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := db.CreateFirstUser(ctx, fmt.Sprintf("admin%d@example.org", i), []byte("h"))
			codes <- topology.ErrorCode(err)
		}()
	}
	wg.Wait()
	close(codes)
	count := map[string]int{}
	for c := range codes {
		count[c]++
	}
	if count[""] != 1 || count[topology.ECONFLICT] != 9 {
		t.Errorf("outcomes %v; want one first user", count)
	}
}

func TestSessions(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	u, err := db.CreateUser(ctx, "a@example.org", []byte("h"), false)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	db.now = func() time.Time { return now }

	if err := db.CreateSession(ctx, u.ID, hash("live"), now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateSession(ctx, u.ID, hash("old"), now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got, err := db.GetSessionUser(ctx, hash("live")); err != nil || got.ID != u.ID {
		t.Fatalf("GetSessionUser = %+v, %v", got, err)
	}
	if err := db.CreateSession(ctx, u.ID, []byte("raw token"), now.Add(time.Hour)); err == nil {
		t.Error("a session was stored under something that is not a SHA-256")
	}
	wantCode(t, db.CreateSession(ctx, 999, hash("x"), now.Add(time.Hour)), topology.ENOTFOUND)
	_, err = db.GetSessionUser(ctx, hash("unknown"))
	wantCode(t, err, topology.ENOTFOUND)

	// Two minutes later the short session has expired.
	now = now.Add(2 * time.Minute)
	_, err = db.GetSessionUser(ctx, hash("old"))
	wantCode(t, err, topology.ENOTFOUND)
	if n, err := db.DeleteExpiredSessions(ctx); err != nil || n != 1 {
		t.Errorf("DeleteExpiredSessions = %d, %v; want 1", n, err)
	}
	if _, err := db.GetSessionUser(ctx, hash("live")); err != nil {
		t.Errorf("the live session went too: %v", err)
	}

	if err := db.DeleteSession(ctx, hash("live")); err != nil {
		t.Fatal(err)
	}
	_, err = db.GetSessionUser(ctx, hash("live"))
	wantCode(t, err, topology.ENOTFOUND)
	if err := db.DeleteSession(ctx, hash("live")); err != nil {
		t.Errorf("logging out twice: %v", err)
	}
}

func TestAPITokens(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	ada, _ := db.CreateUser(ctx, "ada@example.org", []byte("h"), false)
	bob, _ := db.CreateUser(ctx, "bob@example.org", []byte("h"), false)
	now := time.Now().UTC()
	db.now = func() time.Time { return now }

	tok, err := db.CreateAPIToken(ctx, ada.ID, "ci", hash("t1"))
	if err != nil {
		t.Fatal(err)
	}
	if tok.Name != "ci" || tok.UserID != ada.ID || !tok.LastUsedAt.IsZero() || !tok.CreatedAt.Equal(now) {
		t.Errorf("created %+v", tok)
	}
	if _, err := db.CreateAPIToken(ctx, ada.ID, "laptop", hash("t2")); err != nil {
		t.Fatal(err)
	}
	_, err = db.CreateAPIToken(ctx, ada.ID, "", hash("t3"))
	wantProblemAt(t, err, "name")
	_, err = db.CreateAPIToken(ctx, 999, "x", hash("t4"))
	wantCode(t, err, topology.ENOTFOUND)

	got, err := db.GetAPITokenUser(ctx, hash("t1"))
	if err != nil || got.ID != ada.ID {
		t.Fatalf("GetAPITokenUser = %+v, %v", got, err)
	}
	_, err = db.GetAPITokenUser(ctx, hash("nope"))
	wantCode(t, err, topology.ENOTFOUND)

	list, err := db.ListAPITokens(ctx, ada.ID)
	if err != nil || len(list) != 2 || list[0].Name != "ci" || !list[0].LastUsedAt.Equal(now) || !list[1].LastUsedAt.IsZero() {
		t.Errorf("ListAPITokens = %+v, %v; want ci used now, laptop never", list, err)
	}
	// A use within the minute does not write; one after it does.
	now = now.Add(30 * time.Second)
	if _, err := db.GetAPITokenUser(ctx, hash("t1")); err != nil {
		t.Fatal(err)
	}
	list, _ = db.ListAPITokens(ctx, ada.ID)
	if !list[0].LastUsedAt.Equal(now.Add(-30 * time.Second)) {
		t.Errorf("last used moved within the minute: %v", list[0].LastUsedAt)
	}
	now = now.Add(time.Minute)
	if _, err := db.GetAPITokenUser(ctx, hash("t1")); err != nil {
		t.Fatal(err)
	}
	list, _ = db.ListAPITokens(ctx, ada.ID)
	if !list[0].LastUsedAt.Equal(now) {
		t.Errorf("last used = %v, want %v", list[0].LastUsedAt, now)
	}

	if bobs, err := db.ListAPITokens(ctx, bob.ID); err != nil || len(bobs) != 0 {
		t.Errorf("bob's tokens: %+v, %v", bobs, err)
	}
	wantCode(t, db.DeleteAPIToken(ctx, bob.ID, tok.ID), topology.ENOTFOUND)
	if err := db.DeleteAPIToken(ctx, ada.ID, tok.ID); err != nil {
		t.Fatal(err)
	}
	_, err = db.GetAPITokenUser(ctx, hash("t1"))
	wantCode(t, err, topology.ENOTFOUND)
	wantCode(t, db.DeleteAPIToken(ctx, ada.ID, tok.ID), topology.ENOTFOUND)
}

func TestShares(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	ws, _ := seed(t, db)
	other := mustCreateWorkspace(t, db, "other")
	now := time.Now().UTC()
	db.now = func() time.Time { return now }

	live, err := db.CreateShare(ctx, ws.Slug, hash("live"), time.Time{}, false)
	if err != nil {
		t.Fatal(err)
	}
	pinned, err := db.CreateShare(ctx, ws.Slug, hash("pinned"), now.Add(72*time.Hour), true)
	if err != nil {
		t.Fatal(err)
	}
	if live.PinnedRevision != 0 || !live.ExpiresAt.IsZero() || pinned.PinnedRevision != ws.Revision || !pinned.ExpiresAt.Equal(now.Add(72*time.Hour)) {
		t.Errorf("created %+v and %+v", live, pinned)
	}
	_, err = db.CreateShare(ctx, ws.Slug, hash("past"), now.Add(-time.Second), false)
	wantCode(t, err, topology.EINVALID)
	_, err = db.CreateShare(ctx, "nope", hash("x"), time.Time{}, false)
	wantCode(t, err, topology.ENOTFOUND)

	// Change the model: the live link follows, the pinned one does not.
	if _, _, err := db.Services().Create(ctx, ws.Slug, topology.Service{Name: "later"}, 0); err != nil {
		t.Fatal(err)
	}
	wantModel := withDefaults(sampleModel())
	resolve := func(token string) (*SharedLink, *topology.Model, int64) {
		t.Helper()
		l, err := db.ResolveShare(ctx, hash(token), now)
		if err != nil {
			t.Fatal(err)
		}
		sm, err := db.LoadSharedModel(ctx, l)
		if err != nil {
			t.Fatal(err)
		}
		return l, sm.Model, sm.Revision
	}
	l, m, rev := resolve("pinned")
	if !l.Pinned() || l.Revision != ws.Revision || rev != ws.Revision || l.Workspace.Slug != ws.Slug || !reflect.DeepEqual(m, wantModel) {
		t.Errorf("pinned share shows revision %d/%d: %+v", l.Revision, rev, m)
	}
	l, m, rev = resolve("live")
	if l.Pinned() || l.Revision != ws.Revision+1 || rev != ws.Revision+1 || len(m.Services) != len(wantModel.Services)+1 {
		t.Errorf("live share shows revision %d/%d with %d services", l.Revision, rev, len(m.Services))
	}
	// A live link loaded after a write shows the write, at its revision.
	if _, _, err := db.Services().Create(ctx, ws.Slug, topology.Service{Name: "later-still"}, 0); err != nil {
		t.Fatal(err)
	}
	if sm, err := db.LoadSharedModel(ctx, l); err != nil || sm.Revision != ws.Revision+2 || sm.Workspace.Revision != sm.Revision || len(sm.Model.Services) != len(wantModel.Services)+2 {
		t.Errorf("live share loaded after a write: %+v, err %v", sm, err)
	}

	list, err := db.ListShares(ctx, ws.Slug)
	if err != nil || len(list) != 2 || list[0].ID != pinned.ID || !list[0].LastUsedAt.Equal(now) {
		t.Errorf("ListShares = %+v, %v", list, err)
	}
	if l, _ := db.ListShares(ctx, other.Slug); len(l) != 0 {
		t.Errorf("the other workspace lists %+v", l)
	}

	wantCode(t, db.RevokeShare(ctx, other.Slug, live.ID), topology.ENOTFOUND)
	if err := db.RevokeShare(ctx, ws.Slug, live.ID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, db.RevokeShare(ctx, ws.Slug, live.ID), topology.ENOTFOUND)
	_, err = db.LoadSharedModel(ctx, l)
	wantCode(t, err, topology.ENOTFOUND) // revoked between resolving and loading
	if l, _ := db.ListShares(ctx, ws.Slug); len(l) != 1 {
		t.Errorf("a revoked share is still listed: %+v", l)
	}

	// Unknown, revoked and expired links get the very same answer.
	var msgs []string
	for _, tc := range []struct {
		name  string
		token string
		at    time.Time
	}{
		{"unknown", "never-issued", now},
		{"revoked", "live", now},
		{"expired", "pinned", now.Add(72 * time.Hour)},
	} {
		_, err := db.ResolveShare(ctx, hash(tc.token), tc.at)
		wantCode(t, err, topology.ENOTFOUND)
		msgs = append(msgs, topology.ErrorMessage(err))
	}
	if msgs[0] != msgs[1] || msgs[1] != msgs[2] {
		t.Errorf("different answers for unknown, revoked, expired: %q", msgs)
	}
	if _, err := db.ResolveShare(ctx, hash("pinned"), now.Add(71*time.Hour)); err != nil {
		t.Errorf("the pinned link stopped working before it expired: %v", err)
	}
}
