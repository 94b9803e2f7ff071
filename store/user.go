package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/archmap/archmap/topology"
)

// User is an account. What it may do in a workspace is its role there as a
// member (Member, access.Role); Admin marks the accounts that may manage
// others and act as owners of every workspace.
type User struct {
	ID           int64     `json:"id"`
	Email        string    `json:"email"`
	PasswordHash []byte    `json:"-"`
	Admin        bool      `json:"admin"`
	CreatedAt    time.Time `json:"created_at"`
	// DisabledAt is when an admin disabled the account; zero while it is
	// enabled. A disabled account signs in nowhere: its sessions and API
	// tokens are refused.
	DisabledAt time.Time `json:"disabled_at,omitzero"`
}

// Disabled reports whether the account is disabled.
func (u *User) Disabled() bool { return !u.DisabledAt.IsZero() }

// MaxEmailLen is the longest address SMTP can carry.
const MaxEmailLen = 254

// emailKey is what makes two addresses the same account: case does not count.
func emailKey(email string) string { return strings.ToLower(email) }

// validateEmail is a sanity check, not RFC 5322: something@something, with
// no spaces or control characters.
func validateEmail(email string) error {
	msg := ""
	at := strings.LastIndexByte(email, '@')
	switch {
	case email == "":
		msg = "required"
	case !utf8.ValidString(email):
		msg = "not valid UTF-8"
	case len(email) > MaxEmailLen:
		msg = "too long"
	case at < 1 || at == len(email)-1:
		msg = "not an email address"
	case strings.IndexFunc(email, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
		msg = "must not contain spaces or control characters"
	default:
		return nil
	}
	return &topology.ValidationError{Problems: []topology.Problem{{Path: "email", Message: msg}}}
}

// CountUsers returns how many accounts exist (none: the first-run setup is open).
func (db *DB) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := db.read.QueryRowContext(ctx, "SELECT COUNT(*) FROM users").Scan(&n); err != nil {
		return 0, fail("count users", err)
	}
	return n, nil
}

// CreateUser creates an account. The email is trimmed; one already in use,
// in any case, is ECONFLICT.
func (db *DB) CreateUser(ctx context.Context, email string, passwordHash []byte, admin bool) (*User, error) {
	return db.createUser(ctx, email, passwordHash, admin, false)
}

// CreateFirstUser creates the first account, an admin, and refuses with
// ECONFLICT once any account exists. The check and the insert share one
// transaction, so two set-up forms sent at once cannot both succeed.
func (db *DB) CreateFirstUser(ctx context.Context, email string, passwordHash []byte) (*User, error) {
	return db.createUser(ctx, email, passwordHash, true, true)
}

func (db *DB) createUser(ctx context.Context, email string, passwordHash []byte, admin, first bool) (*User, error) {
	email = strings.TrimSpace(email)
	if err := validateEmail(email); err != nil {
		return nil, err
	}
	if len(passwordHash) == 0 {
		return nil, errors.New("store: unable to create user: empty password hash")
	}
	return inWrite(ctx, db, "create user", func(tx *Tx) (*User, error) {
		if first {
			var n int
			if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM users").Scan(&n); err != nil {
				return nil, err
			}
			if n > 0 {
				return nil, topology.Errorf(topology.ECONFLICT, "the first account has already been created; sign in instead")
			}
		}
		u, err := scanUser(tx.QueryRowContext(ctx, `INSERT INTO users (email, email_key, password_hash, admin, created_at)
			VALUES (?, ?, ?, ?, ?) RETURNING `+userColumns,
			email, emailKey(email), passwordHash, admin, formatTime(tx.now)))
		if isUnique(err) {
			return nil, topology.Errorf(topology.ECONFLICT, "email: an account with this email already exists")
		}
		return u, err
	})
}

// GetUserByEmail returns the account with that email in any case, or ENOTFOUND.
func (db *DB) GetUserByEmail(ctx context.Context, email string) (*User, error) {
	u, err := scanUser(db.read.QueryRowContext(ctx, "SELECT "+userColumns+" FROM users WHERE email_key = ?", emailKey(strings.TrimSpace(email))))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, topology.Errorf(topology.ENOTFOUND, "no account with this email")
	}
	if err != nil {
		return nil, fail("get user", err)
	}
	return u, nil
}

// GetUser returns the account with that id, or ENOTFOUND.
func (db *DB) GetUser(ctx context.Context, id int64) (*User, error) {
	u, err := scanUser(db.queryRow(ctx, "SELECT "+userColumns+" FROM users WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, topology.Errorf(topology.ENOTFOUND, "user %d not found", id)
	}
	if err != nil {
		return nil, fail("get user", err)
	}
	return u, nil
}

const userColumns = "id, email, password_hash, admin, created_at, disabled_at"

// userColumnsOf qualifies userColumns for a join on users u.
const userColumnsOf = "u.id, u.email, u.password_hash, u.admin, u.created_at, u.disabled_at"

func scanUser(row scanner) (*User, error) {
	var u User
	var created string
	var disabled sql.NullString
	if err := row.Scan(&u.ID, &u.Email, &u.PasswordHash, &u.Admin, &created, &disabled); err != nil {
		return nil, err
	}
	var err error
	if u.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	if u.DisabledAt, err = parseNullTime(disabled); err != nil {
		return nil, err
	}
	return &u, nil
}
