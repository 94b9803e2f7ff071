package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/archmap/archmap/auth"
	"github.com/archmap/archmap/topology"
)

// Sessions, API tokens and share links are looked up by the hash of their
// secret (auth.HashSecret), computed by the caller: a copy of the database
// opens nothing.

// checkHash refuses anything that is not a secret's hash, so a raw token
// passed by mistake is never stored.
func checkHash(h []byte) error {
	if len(h) != auth.HashLen {
		return fmt.Errorf("token hash is %d bytes, want a SHA-256 (%d bytes)", len(h), auth.HashLen)
	}
	return nil
}

// CreateSession records a session of the user until expiresAt.
func (db *DB) CreateSession(ctx context.Context, userID int64, tokenHash []byte, expiresAt time.Time) error {
	if err := checkHash(tokenHash); err != nil {
		return fail("create session", err)
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return fail("create session", err)
	}
	defer tx.Rollback()
	if err := userExists(ctx, tx, userID); err != nil {
		return fail("create session", err)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
		tokenHash, userID, formatTime(tx.now), formatTime(expiresAt)); err != nil {
		return fail("create session", err)
	}
	if err := tx.Commit(); err != nil {
		return fail("create session", err)
	}
	return nil
}

// GetSessionUser returns the user of a live session; an unknown or expired
// session, or one of a disabled account, is ENOTFOUND.
func (db *DB) GetSessionUser(ctx context.Context, tokenHash []byte) (*User, error) {
	u, err := scanUser(db.queryRow(ctx, "SELECT "+userColumnsOf+
		" FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? AND s.expires_at > ? AND u.disabled_at IS NULL",
		tokenHash, formatTime(db.now())))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, topology.Errorf(topology.ENOTFOUND, "session not found or expired")
	}
	if err != nil {
		return nil, fail("get session", err)
	}
	return u, nil
}

// DeleteSession ends a session; ending one that does not exist is no error,
// so logging out twice is harmless.
func (db *DB) DeleteSession(ctx context.Context, tokenHash []byte) error {
	if _, err := db.write.ExecContext(ctx, "DELETE FROM sessions WHERE token_hash = ?", tokenHash); err != nil {
		return fail("delete session", err)
	}
	return nil
}

// DeleteExpiredSessions removes every expired session and says how many.
func (db *DB) DeleteExpiredSessions(ctx context.Context) (int64, error) {
	res, err := db.write.ExecContext(ctx, "DELETE FROM sessions WHERE expires_at <= ?", formatTime(db.now()))
	if err != nil {
		return 0, fail("delete expired sessions", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fail("delete expired sessions", err)
	}
	return n, nil
}

func userExists(ctx context.Context, tx *Tx, id int64) error {
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM users WHERE id = ?", id).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return topology.Errorf(topology.ENOTFOUND, "user %d not found", id)
	}
	return nil
}
