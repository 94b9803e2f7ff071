package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/archmap/archmap/auth"
	"github.com/archmap/archmap/topology"
)

// OIDCSignIn is what an OpenID provider vouched for at one sign-in: who
// the person is there (issuer and subject, which the provider never gives
// to anyone else) and their verified email.
type OIDCSignIn struct {
	Issuer  string
	Subject string
	Email   string
	// Admin, when not nil, is what the provider's groups say: the account
	// is made or unmade an instance admin to match (but the last admin is
	// never unmade, so a provider's mistake cannot lock everyone out).
	Admin *bool
}

// OIDCOutcome says what a sign-in changed, for the audit log.
type OIDCOutcome struct {
	Created bool // a new account was made for the email
	Linked  bool // the identity was linked to an account (new or existing) at this sign-in
	// AdminChanged is set when the account's admin flag changed to match
	// the provider's groups; AdminKept when it would have been unmade but
	// was the last admin.
	AdminChanged bool
	AdminKept    bool
}

// SignInOIDC returns the account of the provider's identity, in one
// transaction: the account already linked to (issuer, subject), else the
// account with the same email (any case), now linked, else a new account
// without a password. A known identity keeps its account even when the
// provider's email changed. The caller checks the email was verified.
func (db *DB) SignInOIDC(ctx context.Context, in OIDCSignIn) (*User, OIDCOutcome, error) {
	var out OIDCOutcome
	in.Email = strings.TrimSpace(in.Email)
	if in.Issuer == "" || in.Subject == "" {
		return nil, out, topology.Errorf(topology.EINVALID, "the sign-in provider gave no subject")
	}
	if err := validateEmail(in.Email); err != nil {
		return nil, out, err
	}
	u, err := inWrite(ctx, db, "sign in with OpenID Connect", func(tx *Tx) (*User, error) {
		u, err := scanUser(tx.QueryRowContext(ctx, "SELECT "+userColumnsOf+
			" FROM oidc_identities i JOIN users u ON u.id = i.user_id WHERE i.issuer = ? AND i.subject = ?", in.Issuer, in.Subject))
		switch {
		case err == nil:
			if _, err := tx.ExecContext(ctx, "UPDATE oidc_identities SET email = ?, last_used_at = ? WHERE issuer = ? AND subject = ?",
				in.Email, formatTime(tx.now), in.Issuer, in.Subject); err != nil {
				return nil, err
			}
		case errors.Is(err, sql.ErrNoRows):
			if u, err = linkOIDCIdentity(ctx, tx, in, &out); err != nil {
				return nil, err
			}
		default:
			return nil, err
		}
		if in.Admin != nil && *in.Admin != u.Admin {
			if err := syncAdmin(ctx, tx, u, *in.Admin, &out); err != nil {
				return nil, err
			}
		}
		return u, nil
	})
	if err != nil {
		return nil, OIDCOutcome{}, err
	}
	return u, out, nil
}

// linkOIDCIdentity links a new identity to the account with its email,
// creating the account (without a password) when there is none.
func linkOIDCIdentity(ctx context.Context, tx *Tx, in OIDCSignIn, out *OIDCOutcome) (*User, error) {
	u, err := scanUser(tx.QueryRowContext(ctx, "SELECT "+userColumns+" FROM users WHERE email_key = ?", emailKey(in.Email)))
	if errors.Is(err, sql.ErrNoRows) {
		u, err = scanUser(tx.QueryRowContext(ctx, `INSERT INTO users (email, email_key, password_hash, admin, created_at)
			VALUES (?, ?, ?, ?, ?) RETURNING `+userColumns,
			in.Email, emailKey(in.Email), auth.NoPassword, 0, formatTime(tx.now)))
		out.Created = true
	}
	if err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO oidc_identities (issuer, subject, user_id, email, created_at, last_used_at)
		VALUES (?, ?, ?, ?, ?, ?)`, in.Issuer, in.Subject, u.ID, in.Email, formatTime(tx.now), formatTime(tx.now)); err != nil {
		return nil, err
	}
	out.Linked = true
	return u, nil
}

// syncAdmin makes u an admin or not, as the provider's groups say, unless
// that would leave the instance without an admin.
func syncAdmin(ctx context.Context, tx *Tx, u *User, admin bool, out *OIDCOutcome) error {
	if !admin {
		var others int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM users WHERE admin = 1 AND disabled_at IS NULL AND id <> ?", u.ID).Scan(&others); err != nil {
			return err
		}
		if others == 0 {
			out.AdminKept = true
			return nil
		}
	}
	if _, err := tx.ExecContext(ctx, "UPDATE users SET admin = ? WHERE id = ?", zeroOne(admin), u.ID); err != nil {
		return err
	}
	u.Admin = admin
	out.AdminChanged = true
	return nil
}

// OIDCIdentity is one provider identity linked to an account.
type OIDCIdentity struct {
	Issuer  string
	Subject string
	UserID  int64
	Email   string
}

// ListOIDCIdentities returns the identities linked to an account.
func (db *DB) ListOIDCIdentities(ctx context.Context, userID int64) ([]OIDCIdentity, error) {
	rows, err := db.read.QueryContext(ctx, "SELECT issuer, subject, user_id, email FROM oidc_identities WHERE user_id = ? ORDER BY issuer, subject", userID)
	if err != nil {
		return nil, fail("list OpenID identities", err)
	}
	defer rows.Close()
	var out []OIDCIdentity
	for rows.Next() {
		var id OIDCIdentity
		if err := rows.Scan(&id.Issuer, &id.Subject, &id.UserID, &id.Email); err != nil {
			return nil, fail("list OpenID identities", err)
		}
		out = append(out, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fail("list OpenID identities", err)
	}
	return out, nil
}

// zeroOne is a boolean as the schema stores it (INTEGER 0/1 in both
// engines), so no driver has to convert a Go bool.
func zeroOne(b bool) int {
	if b {
		return 1
	}
	return 0
}
