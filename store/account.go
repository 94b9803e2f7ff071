package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/archmap/archmap/topology"
)

// Accounts as admins manage them in the app: list, disable and enable, make
// and unmake admins, set passwords. The rule that holds through all of it:
// at least one enabled admin remains, so the instance always has someone
// who can manage it. The check and the change share one transaction, so
// two admins demoting each other at once cannot both succeed.

// ListUsers returns every account, oldest first.
func (db *DB) ListUsers(ctx context.Context) ([]User, error) {
	rows, err := db.read.QueryContext(ctx, "SELECT "+userColumns+" FROM users ORDER BY id")
	if err != nil {
		return nil, fail("list users", err)
	}
	defer rows.Close()
	out := []User{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fail("list users", err)
		}
		out = append(out, *u)
	}
	if err := rows.Err(); err != nil {
		return nil, fail("list users", err)
	}
	return out, nil
}

// CreateInvitedUser creates an account without a password, to be set
// through the one-time link whose hash it records with it (purpose
// "invite"). Until then nobody can sign in to it: its password hash is
// empty, which matches no password.
func (db *DB) CreateInvitedUser(ctx context.Context, email string, admin bool, linkHash []byte, expiresAt time.Time) (*User, error) {
	email = strings.TrimSpace(email)
	if err := validateEmail(email); err != nil {
		return nil, err
	}
	if err := checkHash(linkHash); err != nil {
		return nil, fail("create user", err)
	}
	return inWrite(ctx, db, "create user", func(tx *Tx) (*User, error) {
		u, err := scanUser(tx.QueryRowContext(ctx, `INSERT INTO users (email, email_key, password_hash, admin, created_at)
			VALUES (?, ?, ?, ?, ?) RETURNING `+userColumns,
			email, emailKey(email), []byte{}, admin, formatTime(tx.now)))
		if isUnique(err) {
			return nil, topology.Errorf(topology.ECONFLICT, "email: an account with this email already exists")
		}
		if err != nil {
			return nil, err
		}
		return u, insertPasswordLink(ctx, tx, u.ID, PurposeInvite, linkHash, expiresAt)
	})
}

// SetUserDisabled disables or enables an account. Disabling ends its
// sessions (enabling it again revives none) and makes its API tokens
// refused until it is enabled; the last enabled admin cannot be disabled.
func (db *DB) SetUserDisabled(ctx context.Context, id int64, disabled bool) (*User, error) {
	u, err := inWrite(ctx, db, "disable user", func(tx *Tx) (*User, error) {
		u, err := lockedUser(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		if disabled == u.Disabled() {
			return u, nil
		}
		if disabled && u.Admin {
			if err := keepAnAdmin(ctx, tx, id, "disable"); err != nil {
				return nil, err
			}
		}
		at := sql.NullString{}
		if disabled {
			at = nullTime(tx.now)
			if _, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE user_id = ?", id); err != nil {
				return nil, err
			}
		}
		return scanUser(tx.QueryRowContext(ctx, "UPDATE users SET disabled_at = ? WHERE id = ? RETURNING "+userColumns, at, id))
	})
	// No cache to clear: the update bumps the auth generation
	// (migrations/0013_cluster.sql), so every node reads the token afresh.
	return u, err
}

// SetUserAdmin makes an account an admin or not; the last enabled admin
// stays one.
func (db *DB) SetUserAdmin(ctx context.Context, id int64, admin bool) (*User, error) {
	u, err := inWrite(ctx, db, "change admin", func(tx *Tx) (*User, error) {
		u, err := lockedUser(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		if admin == u.Admin {
			return u, nil
		}
		if !admin && !u.Disabled() {
			if err := keepAnAdmin(ctx, tx, id, "unmake"); err != nil {
				return nil, err
			}
		}
		return scanUser(tx.QueryRowContext(ctx, "UPDATE users SET admin = ? WHERE id = ? RETURNING "+userColumns, admin, id))
	})
	// No cache to clear: the update bumps the auth generation
	// (migrations/0013_cluster.sql), so every node reads the token afresh.
	return u, err
}

// SetPassword gives the account a new password hash and ends its sessions
// but the one whose hash is keepSession (nil: all of them), so that a
// password changed because it leaked locks out whoever used it.
func (db *DB) SetPassword(ctx context.Context, id int64, passwordHash, keepSession []byte) error {
	if len(passwordHash) == 0 {
		return errors.New("store: unable to set password: empty password hash")
	}
	_, err := inWrite(ctx, db, "set password", func(tx *Tx) (struct{}, error) {
		if _, err := lockedUser(ctx, tx, id); err != nil {
			return struct{}{}, err
		}
		return struct{}{}, setPassword(ctx, tx, id, passwordHash, keepSession)
	})
	return err
}

func setPassword(ctx context.Context, tx *Tx, id int64, passwordHash, keepSession []byte) error {
	if _, err := tx.ExecContext(ctx, "UPDATE users SET password_hash = ? WHERE id = ?", passwordHash, id); err != nil {
		return err
	}
	if keepSession == nil {
		_, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE user_id = ?", id)
		return err
	}
	_, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?", id, keepSession)
	return err
}

// lockedUser reads an account inside a write transaction (which holds the
// write lock from its start: BEGIN IMMEDIATE), or ENOTFOUND.
func lockedUser(ctx context.Context, tx *Tx, id int64) (*User, error) {
	u, err := scanUser(tx.QueryRowContext(ctx, "SELECT "+userColumns+" FROM users WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, topology.Errorf(topology.ENOTFOUND, "user %d not found", id)
	}
	return u, err
}

// keepAnAdmin refuses (ECONFLICT) a change that would leave no enabled
// admin but the account id.
func keepAnAdmin(ctx context.Context, tx *Tx, id int64, verb string) error {
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM users WHERE admin = 1 AND disabled_at IS NULL AND id <> ?", id).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		if verb == "disable" {
			return topology.Errorf(topology.ECONFLICT, "this is the last enabled admin: make another account an admin before disabling this one")
		}
		return topology.Errorf(topology.ECONFLICT, "this is the last enabled admin: make another account an admin first")
	}
	return nil
}

// Password link purposes.
const (
	PurposeInvite = "invite" // a new account's first password
	PurposeReset  = "reset"  // a new password an admin asked for
)

// PasswordLink is a one-time link to set an account's password, without its
// token (which only the admin who made it saw).
type PasswordLink struct {
	User      User
	Purpose   string
	ExpiresAt time.Time
}

// CreatePasswordLink records a one-time link (by its token's hash) to set
// the account's password until expiresAt. Older unused links of the account
// stop working: only the newest one given out counts.
func (db *DB) CreatePasswordLink(ctx context.Context, userID int64, purpose string, linkHash []byte, expiresAt time.Time) error {
	if err := checkHash(linkHash); err != nil {
		return fail("create password link", err)
	}
	_, err := inWrite(ctx, db, "create password link", func(tx *Tx) (struct{}, error) {
		if _, err := lockedUser(ctx, tx, userID); err != nil {
			return struct{}{}, err
		}
		return struct{}{}, insertPasswordLink(ctx, tx, userID, purpose, linkHash, expiresAt)
	})
	return err
}

func insertPasswordLink(ctx context.Context, tx *Tx, userID int64, purpose string, linkHash []byte, expiresAt time.Time) error {
	if purpose != PurposeInvite && purpose != PurposeReset {
		return errors.New("unknown password link purpose " + purpose)
	}
	if !expiresAt.After(tx.now) {
		return topology.Errorf(topology.EINVALID, "a password link must expire in the future")
	}
	// Spent and expired links open nothing; they go as new ones come, so
	// the table holds only live ones and a few spent.
	if _, err := tx.ExecContext(ctx, "DELETE FROM password_links WHERE used_at IS NOT NULL OR expires_at <= ?", formatTime(tx.now)); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "UPDATE password_links SET used_at = ? WHERE user_id = ? AND used_at IS NULL", formatTime(tx.now), userID); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, "INSERT INTO password_links (token_hash, user_id, purpose, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
		linkHash, userID, purpose, formatTime(tx.now), formatTime(expiresAt))
	return err
}

// errLinkGone is what every unusable link gets: unknown, used, expired, or
// of a disabled account look alike.
func errLinkGone() error {
	return topology.Errorf(topology.ENOTFOUND, "this link does not work: it was used already, it expired, or it never existed. Ask an administrator for a new one")
}

// GetPasswordLink returns the link with that token hash while it can be
// used, else ENOTFOUND.
func (db *DB) GetPasswordLink(ctx context.Context, linkHash []byte) (*PasswordLink, error) {
	l, err := getPasswordLink(db.queryRow(ctx, passwordLinkQuery, linkHash, formatTime(db.now())))
	if err != nil {
		return nil, fail("get password link", err)
	}
	return l, nil
}

const passwordLinkQuery = "SELECT l.purpose, l.expires_at, " + userColumnsOf +
	" FROM password_links l JOIN users u ON u.id = l.user_id" +
	" WHERE l.token_hash = ? AND l.used_at IS NULL AND l.expires_at > ? AND u.disabled_at IS NULL"

func getPasswordLink(row scanner) (*PasswordLink, error) {
	var l PasswordLink
	var expires string
	u, err := scanUser(prefixScanner{row, []any{&l.Purpose, &expires}})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errLinkGone()
	}
	if err != nil {
		return nil, err
	}
	if l.ExpiresAt, err = parseTime(expires); err != nil {
		return nil, err
	}
	l.User = *u
	return &l, nil
}

// UsePasswordLink sets the password through a one-time link and spends it,
// in one transaction: of two uses at once, one wins and the other gets
// ENOTFOUND. Every session of the account ends. It returns the account.
func (db *DB) UsePasswordLink(ctx context.Context, linkHash, passwordHash []byte) (*User, error) {
	if len(passwordHash) == 0 {
		return nil, errors.New("store: unable to use password link: empty password hash")
	}
	return inWrite(ctx, db, "use password link", func(tx *Tx) (*User, error) {
		l, err := getPasswordLink(tx.QueryRowContext(ctx, passwordLinkQuery, linkHash, formatTime(tx.now)))
		if err != nil {
			return nil, err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE password_links SET used_at = ? WHERE user_id = ? AND used_at IS NULL", formatTime(tx.now), l.User.ID); err != nil {
			return nil, err
		}
		if err := setPassword(ctx, tx, l.User.ID, passwordHash, nil); err != nil {
			return nil, err
		}
		u := l.User
		u.PasswordHash = bytes.Clone(passwordHash)
		return &u, nil
	})
}
