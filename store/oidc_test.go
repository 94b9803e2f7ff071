package store

import (
	"context"
	"testing"

	"github.com/archmap/archmap/auth"
	"github.com/archmap/archmap/topology"
)

func TestSignInOIDC(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	const iss = "https://id.example.com"
	yes, no := true, false

	// A first sign-in creates an account without a password.
	u, out, err := db.SignInOIDC(ctx, OIDCSignIn{Issuer: iss, Subject: "s1", Email: "Ada@Example.org"})
	if err != nil {
		t.Fatal(err)
	}
	if !out.Created || !out.Linked || u.Admin || u.Email != "Ada@Example.org" || !auth.IsNoPassword(u.PasswordHash) {
		t.Fatalf("first sign-in: %+v, %+v", u, out)
	}

	// The same identity with another email reaches the same account.
	again, out, err := db.SignInOIDC(ctx, OIDCSignIn{Issuer: iss, Subject: "s1", Email: "ada.lovelace@example.org"})
	if err != nil || again.ID != u.ID || out.Created || out.Linked {
		t.Fatalf("changed email: %+v, %+v, %v", again, out, err)
	}
	ids, err := db.ListOIDCIdentities(ctx, u.ID)
	if err != nil || len(ids) != 1 || ids[0].Email != "ada.lovelace@example.org" {
		t.Fatalf("identities %+v, %v", ids, err)
	}

	// The same subject at another issuer is another person: the email
	// decides, and an account that exists (with its password) is linked.
	bob, err := db.CreateUser(ctx, "bob@example.org", []byte("hash"), false)
	if err != nil {
		t.Fatal(err)
	}
	got, out, err := db.SignInOIDC(ctx, OIDCSignIn{Issuer: "https://other.example.com", Subject: "s1", Email: "BOB@example.org"})
	if err != nil || got.ID != bob.ID || out.Created || !out.Linked || string(got.PasswordHash) != "hash" {
		t.Fatalf("link by email: %+v, %+v, %v", got, out, err)
	}

	// Groups make and unmake admins, but never the last one.
	got, out, err = db.SignInOIDC(ctx, OIDCSignIn{Issuer: iss, Subject: "s1", Email: "ada@example.org", Admin: &yes})
	if err != nil || !got.Admin || !out.AdminChanged {
		t.Fatalf("made admin: %+v, %+v, %v", got, out, err)
	}
	got, out, err = db.SignInOIDC(ctx, OIDCSignIn{Issuer: iss, Subject: "s1", Email: "ada@example.org", Admin: &no})
	if err != nil || !got.Admin || out.AdminChanged || !out.AdminKept {
		t.Fatalf("last admin unmade: %+v, %+v, %v", got, out, err)
	}
	if _, _, err := db.SignInOIDC(ctx, OIDCSignIn{Issuer: "https://other.example.com", Subject: "s1", Email: "bob@example.org", Admin: &yes}); err != nil {
		t.Fatal(err)
	}
	got, out, err = db.SignInOIDC(ctx, OIDCSignIn{Issuer: iss, Subject: "s1", Email: "ada@example.org", Admin: &no})
	if err != nil || got.Admin || !out.AdminChanged {
		t.Fatalf("unmade admin: %+v, %+v, %v", got, out, err)
	}
	if stored, err := db.GetUser(ctx, u.ID); err != nil || stored.Admin {
		t.Fatalf("stored %+v, %v", stored, err)
	}

	// What the provider must give.
	_, _, err = db.SignInOIDC(ctx, OIDCSignIn{Issuer: iss, Subject: "", Email: "x@example.org"})
	wantCode(t, err, topology.EINVALID)
	_, _, err = db.SignInOIDC(ctx, OIDCSignIn{Issuer: iss, Subject: "s9", Email: "not an email"})
	wantCode(t, err, topology.EINVALID)
	if n, err := db.CountUsers(ctx); err != nil || n != 2 {
		t.Fatalf("CountUsers = %d, %v", n, err)
	}
}
