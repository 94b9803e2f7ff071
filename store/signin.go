package store

import (
	"context"
	"database/sql"
	"strings"
	"time"
)

// Failed sign-ins, kept in the database so that every node of a cluster
// counts the same guesses. The store only counts; the policy (how many, how
// long) is auth.Throttle's. Times come from the caller, whose clock the
// policy uses.

// SignInCounts are the failed sign-ins since some time: for the pair of an
// account and an address, for the account from any address, and from the
// address for any account, each with the time of the latest.
type SignInCounts struct {
	Pair, Account, Address             int
	PairLast, AccountLast, AddressLast time.Time
	// Known is whether the account signed in successfully from this
	// address since the knownSince given.
	Known bool
}

// SignInWindow is the times a sign-in attempt is judged by: now, the
// failures that count (those after Since; older ones are deleted) and the
// known addresses (those after KnownSince).
type SignInWindow struct {
	Now, Since, KnownSince time.Time
}

// SignInFailures counts the failed sign-ins for email (an account or not)
// and address in the window.
func (db *DB) SignInFailures(ctx context.Context, email, address string, w SignInWindow) (SignInCounts, error) {
	c, err := countSignInFailures(ctx, db.read, emailKey(strings.TrimSpace(email)), address, w)
	if err != nil {
		return c, fail("count failed sign-ins", err)
	}
	return c, nil
}

// AttemptSignIn counts the failures for email and address and asks allow
// whether a sign-in may be tried. If so it records the attempt as a
// failure before the password is checked — RecordSignIn takes it back on
// success — all in one write transaction: attempts sent at once are
// counted one after the other, so a burst cannot slip past the count.
func (db *DB) AttemptSignIn(ctx context.Context, email, address string, w SignInWindow, allow func(SignInCounts) bool) (SignInCounts, bool, error) {
	key := emailKey(strings.TrimSpace(email))
	type result struct {
		c  SignInCounts
		ok bool
	}
	r, err := inWrite(ctx, db, "record a sign-in attempt", func(tx *Tx) (result, error) {
		c, err := countSignInFailures(ctx, tx, key, address, w)
		if err != nil || !allow(c) {
			return result{c, false}, err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM sign_in_failures WHERE at <= ?", formatTime(w.Since)); err != nil {
			return result{}, err
		}
		_, err = tx.ExecContext(ctx, "INSERT INTO sign_in_failures (account_key, address, at) VALUES (?, ?, ?)", key, address, formatTime(w.Now))
		return result{c, true}, err
	})
	return r.c, r.ok, err
}

// RecordSignIn records a successful sign-in: its attempt (AttemptSignIn)
// and the account's other failures from this address are deleted, those
// from elsewhere no longer count against the account (they still do
// against the addresses that made them), and the address becomes known for
// it. Known addresses not seen since w.KnownSince are forgotten.
func (db *DB) RecordSignIn(ctx context.Context, email, address string, w SignInWindow) error {
	key := emailKey(strings.TrimSpace(email))
	_, err := inWrite(ctx, db, "record sign-in", func(tx *Tx) (struct{}, error) {
		if _, err := tx.ExecContext(ctx, "DELETE FROM sign_in_failures WHERE account_key = ? AND address = ?", key, address); err != nil {
			return struct{}{}, err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE sign_in_failures SET cleared = 1 WHERE account_key = ?", key); err != nil {
			return struct{}{}, err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM sign_in_known WHERE at <= ?", formatTime(w.KnownSince)); err != nil {
			return struct{}{}, err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO sign_in_known (account_key, address, at) VALUES (?, ?, ?)
			ON CONFLICT (account_key, address) DO UPDATE SET at = excluded.at`, key, address, formatTime(w.Now))
		return struct{}{}, err
	})
	return err
}

type rowQuerier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func countSignInFailures(ctx context.Context, q rowQuerier, key, address string, w SignInWindow) (SignInCounts, error) {
	var c SignInCounts
	var pairLast, accountLast, addressLast sql.NullString
	err := q.QueryRowContext(ctx, `SELECT
			COUNT(CASE WHEN account_key = ? AND address = ? THEN 1 END),
			MAX(CASE WHEN account_key = ? AND address = ? THEN at END),
			COUNT(CASE WHEN account_key = ? AND cleared = 0 THEN 1 END),
			MAX(CASE WHEN account_key = ? AND cleared = 0 THEN at END),
			COUNT(CASE WHEN address = ? THEN 1 END),
			MAX(CASE WHEN address = ? THEN at END)
		FROM sign_in_failures WHERE at > ? AND (account_key = ? OR address = ?)`,
		key, address, key, address, key, key, address, address, formatTime(w.Since), key, address).
		Scan(&c.Pair, &pairLast, &c.Account, &accountLast, &c.Address, &addressLast)
	if err != nil {
		return c, err
	}
	for _, t := range []struct {
		s   sql.NullString
		dst *time.Time
	}{{pairLast, &c.PairLast}, {accountLast, &c.AccountLast}, {addressLast, &c.AddressLast}} {
		if *t.dst, err = parseNullTime(t.s); err != nil {
			return c, err
		}
	}
	var n int
	if err := q.QueryRowContext(ctx, "SELECT COUNT(*) FROM sign_in_known WHERE account_key = ? AND address = ? AND at > ?",
		key, address, formatTime(w.KnownSince)).Scan(&n); err != nil {
		return c, err
	}
	c.Known = n > 0
	return c, nil
}
