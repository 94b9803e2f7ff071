package store

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/archmap/archmap/topology"
)

// A disabled account's sessions and tokens are refused at the next lookup,
// the token cache included; enabling it again revives the tokens but not
// the sessions, which disabling deleted.
func TestDisabledUserIsRefusedEverywhere(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	if _, err := db.CreateUser(ctx, "admin@example.org", []byte("h"), true); err != nil {
		t.Fatal(err)
	}
	u, err := db.CreateUser(ctx, "bob@example.org", []byte("h"), false)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.CreateSession(ctx, u.ID, hash("bob-session"), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateAPIToken(ctx, u.ID, "ci", hash("bob-token")); err != nil {
		t.Fatal(err)
	}
	if _, err := db.GetSessionUser(ctx, hash("bob-session")); err != nil {
		t.Fatal(err)
	}
	if _, err := db.GetAPITokenUser(ctx, hash("bob-token")); err != nil { // now in the cache
		t.Fatal(err)
	}

	got, err := db.SetUserDisabled(ctx, u.ID, true)
	if err != nil || !got.Disabled() {
		t.Fatalf("SetUserDisabled = %+v, %v", got, err)
	}
	_, err = db.GetSessionUser(ctx, hash("bob-session"))
	wantCode(t, err, topology.ENOTFOUND)
	_, err = db.GetAPITokenUser(ctx, hash("bob-token"))
	wantCode(t, err, topology.ENOTFOUND)

	if _, err := db.SetUserDisabled(ctx, u.ID, false); err != nil {
		t.Fatal(err)
	}
	if _, err := db.GetAPITokenUser(ctx, hash("bob-token")); err != nil {
		t.Errorf("token of the enabled account: %v", err)
	}
	_, err = db.GetSessionUser(ctx, hash("bob-session"))
	wantCode(t, err, topology.ENOTFOUND) // deleted when disabled: no revival
}

func TestTheLastEnabledAdminStays(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	a, _ := db.CreateUser(ctx, "a@example.org", []byte("h"), true)
	b, _ := db.CreateUser(ctx, "b@example.org", []byte("h"), false)

	_, err := db.SetUserDisabled(ctx, a.ID, true)
	wantCode(t, err, topology.ECONFLICT)
	_, err = db.SetUserAdmin(ctx, a.ID, false)
	wantCode(t, err, topology.ECONFLICT)

	if _, err := db.SetUserAdmin(ctx, b.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SetUserDisabled(ctx, b.ID, true); err != nil {
		t.Fatal(err)
	}
	// b is an admin, but disabled: a is still the last enabled one.
	_, err = db.SetUserAdmin(ctx, a.ID, false)
	wantCode(t, err, topology.ECONFLICT)
	if _, err := db.SetUserDisabled(ctx, b.ID, false); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SetUserAdmin(ctx, a.ID, false); err != nil {
		t.Fatalf("with b enabled, a may stop being an admin: %v", err)
	}

	// Two admins demoting each other at once: one must stay.
	if _, err := db.SetUserAdmin(ctx, a.ID, true); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for _, id := range []int64{a.ID, b.ID} {
		wg.Go(func() { _, _ = db.SetUserAdmin(ctx, id, false) }) // one of the two must fail
	}
	wg.Wait()
	users, err := db.ListUsers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	admins := 0
	for _, u := range users {
		if u.Admin && !u.Disabled() {
			admins++
		}
	}
	if admins != 1 {
		t.Errorf("%d enabled admins after two demotions at once, want 1", admins)
	}
	_, err = db.SetUserDisabled(ctx, 999, true)
	wantCode(t, err, topology.ENOTFOUND)
}

func TestPasswordLinks(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	db.now = func() time.Time { return now }

	u, err := db.CreateInvitedUser(ctx, "new@example.org", false, hash("invite"), now.Add(72*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(u.PasswordHash) != 0 {
		t.Errorf("an invited account has password hash %q", u.PasswordHash)
	}
	l, err := db.GetPasswordLink(ctx, hash("invite"))
	if err != nil || l.User.ID != u.ID || l.Purpose != PurposeInvite {
		t.Fatalf("GetPasswordLink = %+v, %v", l, err)
	}
	if err := db.CreateSession(ctx, u.ID, hash("s1"), now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}

	got, err := db.UsePasswordLink(ctx, hash("invite"), []byte("pw1"))
	if err != nil || got.ID != u.ID || string(got.PasswordHash) != "pw1" {
		t.Fatalf("UsePasswordLink = %+v, %v", got, err)
	}
	_, err = db.GetSessionUser(ctx, hash("s1"))
	wantCode(t, err, topology.ENOTFOUND) // sessions end with a new password
	_, err = db.UsePasswordLink(ctx, hash("invite"), []byte("pw2"))
	wantCode(t, err, topology.ENOTFOUND) // once only
	_, err = db.GetPasswordLink(ctx, hash("invite"))
	wantCode(t, err, topology.ENOTFOUND)

	// A newer link voids the older; an expired one opens nothing.
	if err := db.CreatePasswordLink(ctx, u.ID, PurposeReset, hash("r1"), now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := db.CreatePasswordLink(ctx, u.ID, PurposeReset, hash("r2"), now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	_, err = db.GetPasswordLink(ctx, hash("r1"))
	wantCode(t, err, topology.ENOTFOUND)
	now = now.Add(time.Hour)
	_, err = db.UsePasswordLink(ctx, hash("r2"), []byte("pw3"))
	wantCode(t, err, topology.ENOTFOUND)
	if cur, _ := db.GetUser(ctx, u.ID); string(cur.PasswordHash) != "pw1" {
		t.Errorf("password %q after refused links, want pw1", cur.PasswordHash)
	}

	// A disabled account's link opens nothing either.
	if err := db.CreatePasswordLink(ctx, u.ID, PurposeReset, hash("r3"), now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SetUserDisabled(ctx, u.ID, true); err != nil {
		t.Fatal(err)
	}
	_, err = db.UsePasswordLink(ctx, hash("r3"), []byte("pw4"))
	wantCode(t, err, topology.ENOTFOUND)

	err = db.CreatePasswordLink(ctx, u.ID, PurposeReset, hash("r4"), now.Add(-time.Second))
	wantCode(t, err, topology.EINVALID)
	_, err = db.CreateInvitedUser(ctx, "NEW@example.org", false, hash("dup"), now.Add(time.Hour))
	wantCode(t, err, topology.ECONFLICT)
}

func TestSetPasswordKeepsOneSession(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	u, _ := db.CreateUser(ctx, "a@example.org", []byte("old"), true)
	for _, s := range []string{"here", "there", "elsewhere"} {
		if err := db.CreateSession(ctx, u.ID, hash(s), time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.SetPassword(ctx, u.ID, []byte("new"), hash("here")); err != nil {
		t.Fatal(err)
	}
	if _, err := db.GetSessionUser(ctx, hash("here")); err != nil {
		t.Errorf("the session that changed the password ended: %v", err)
	}
	for _, s := range []string{"there", "elsewhere"} {
		_, err := db.GetSessionUser(ctx, hash(s))
		wantCode(t, err, topology.ENOTFOUND)
	}
}

func TestSignInFailureCounts(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	win := func(now time.Time) SignInWindow {
		return SignInWindow{Now: now, Since: now.Add(-15 * time.Minute), KnownSince: now.Add(-time.Hour)}
	}
	always := func(SignInCounts) bool { return true }
	fail := func(email, addr string, at time.Time) {
		t.Helper()
		if _, ok, err := db.AttemptSignIn(ctx, email, addr, win(at), always); err != nil || !ok {
			t.Fatal(ok, err)
		}
	}
	fail("Ada@example.org", "10.0.0.1", t0)
	fail("ada@example.org", "10.0.0.1", t0.Add(time.Minute))
	fail("ada@example.org", "10.0.0.2", t0.Add(2*time.Minute))
	fail("bob@example.org", "10.0.0.1", t0.Add(3*time.Minute))

	now := t0.Add(4 * time.Minute)
	c, err := db.SignInFailures(ctx, " ADA@example.org", "10.0.0.1", win(now))
	if err != nil {
		t.Fatal(err)
	}
	if c.Pair != 2 || c.Account != 3 || c.Address != 3 || c.Known {
		t.Errorf("counts %+v, want pair 2, account 3, address 3", c)
	}
	if !c.PairLast.Equal(t0.Add(time.Minute)) || !c.AccountLast.Equal(t0.Add(2*time.Minute)) || !c.AddressLast.Equal(t0.Add(3*time.Minute)) {
		t.Errorf("last times %+v", c)
	}
	// Only those in the window count.
	if c, _ := db.SignInFailures(ctx, "ada@example.org", "10.0.0.1", win(t0.Add(15*time.Minute+90*time.Second))); c.Pair != 0 || c.Account != 1 {
		t.Errorf("counts 16.5 min on %+v, want pair 0, account 1", c)
	}
	// An attempt refused is not counted; the counts it was judged by are
	// those before it.
	got, ok, err := db.AttemptSignIn(ctx, "ada@example.org", "10.0.0.1", win(now), func(c SignInCounts) bool { return c.Pair < 2 })
	if err != nil || ok || got.Pair != 2 {
		t.Fatalf("refused attempt: %+v, %v, %v", got, ok, err)
	}
	if c, _ := db.SignInFailures(ctx, "ada@example.org", "10.0.0.1", win(now)); c.Pair != 2 {
		t.Errorf("a refused attempt was counted: %+v", c)
	}
	// A success clears the account's count and the pair's, and makes the
	// address known; the failures from elsewhere still count there.
	if err := db.RecordSignIn(ctx, "ada@example.org", "10.0.0.1", win(now)); err != nil {
		t.Fatal(err)
	}
	c, _ = db.SignInFailures(ctx, "ada@example.org", "10.0.0.1", win(now))
	if c.Pair != 0 || c.Account != 0 || c.Address != 1 || !c.Known {
		t.Errorf("after a success %+v, want pair 0, account 0, address 1 (bob), known", c)
	}
	c, _ = db.SignInFailures(ctx, "ada@example.org", "10.0.0.2", win(now))
	if c.Pair != 1 || c.Account != 0 || c.Address != 1 || c.Known {
		t.Errorf("elsewhere after a success %+v, want pair 1, account 0, address 1", c)
	}
	// Old failures are deleted as new attempts come.
	fail("carol@example.org", "10.0.0.3", t0.Add(time.Hour))
	c, _ = db.SignInFailures(ctx, "bob@example.org", "10.0.0.1", SignInWindow{KnownSince: t0})
	if c.Account != 0 {
		t.Errorf("bob's failure of an hour ago is kept: %+v", c)
	}
}

// Attempts sent at once are judged one after the other: a burst gets no
// more tries than the count allows.
func TestSignInAttemptsAtOnce(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	now := time.Now()
	w := SignInWindow{Now: now, Since: now.Add(-time.Hour), KnownSince: now.Add(-time.Hour)}
	var wg sync.WaitGroup
	var mu sync.Mutex
	allowed := 0
	for range 20 {
		wg.Go(func() {
			_, ok, err := db.AttemptSignIn(ctx, "ada@example.org", "10.0.0.1", w, func(c SignInCounts) bool { return c.Pair < 3 })
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				allowed++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if allowed != 3 {
		t.Errorf("%d of 20 attempts at once were allowed, want 3", allowed)
	}
}
