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

// SignInFailures counts the failed sign-ins for email (an account or not)
// and address since the given time.
func (db *DB) SignInFailures(ctx context.Context, email, address string, since, knownSince time.Time) (SignInCounts, error) {
	key := emailKey(strings.TrimSpace(email))
	var c SignInCounts
	var pairLast, accountLast, addressLast sql.NullString
	err := db.queryRow(ctx, `SELECT
			COUNT(CASE WHEN account_key = ? AND address = ? THEN 1 END),
			MAX(CASE WHEN account_key = ? AND address = ? THEN at END),
			COUNT(CASE WHEN account_key = ? AND cleared = 0 THEN 1 END),
			MAX(CASE WHEN account_key = ? AND cleared = 0 THEN at END),
			COUNT(CASE WHEN address = ? THEN 1 END),
			MAX(CASE WHEN address = ? THEN at END)
		FROM sign_in_failures WHERE at > ? AND (account_key = ? OR address = ?)`,
		key, address, key, address, key, key, address, address, formatTime(since), key, address).
		Scan(&c.Pair, &pairLast, &c.Account, &accountLast, &c.Address, &addressLast)
	if err != nil {
		return c, fail("count failed sign-ins", err)
	}
	for _, t := range []struct {
		s   sql.NullString
		dst *time.Time
	}{{pairLast, &c.PairLast}, {accountLast, &c.AccountLast}, {addressLast, &c.AddressLast}} {
		if *t.dst, err = parseNullTime(t.s); err != nil {
			return c, fail("count failed sign-ins", err)
		}
	}
	var n int
	if err := db.queryRow(ctx, "SELECT COUNT(*) FROM sign_in_known WHERE account_key = ? AND address = ? AND at > ?",
		key, address, formatTime(knownSince)).Scan(&n); err != nil {
		return c, fail("count failed sign-ins", err)
	}
	c.Known = n > 0
	return c, nil
}

// RecordSignInFailure records a failed sign-in at a time, and forgets the
// failures from before forgetBefore, which no longer count.
func (db *DB) RecordSignInFailure(ctx context.Context, email, address string, at, forgetBefore time.Time) error {
	_, err := inWrite(ctx, db, "record failed sign-in", func(tx *Tx) (struct{}, error) {
		if _, err := tx.ExecContext(ctx, "DELETE FROM sign_in_failures WHERE at < ?", formatTime(forgetBefore)); err != nil {
			return struct{}{}, err
		}
		_, err := tx.ExecContext(ctx, "INSERT INTO sign_in_failures (account_key, address, at) VALUES (?, ?, ?)",
			emailKey(strings.TrimSpace(email)), address, formatTime(at))
		return struct{}{}, err
	})
	return err
}

// RecordSignIn records a successful sign-in: the account's failures no
// longer count against the account (they still do against the addresses
// that made them, but for this one), and the address is known for it.
func (db *DB) RecordSignIn(ctx context.Context, email, address string, at, forgetBefore time.Time) error {
	key := emailKey(strings.TrimSpace(email))
	_, err := inWrite(ctx, db, "record sign-in", func(tx *Tx) (struct{}, error) {
		if _, err := tx.ExecContext(ctx, "DELETE FROM sign_in_failures WHERE account_key = ? AND address = ?", key, address); err != nil {
			return struct{}{}, err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE sign_in_failures SET cleared = 1 WHERE account_key = ?", key); err != nil {
			return struct{}{}, err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM sign_in_known WHERE at < ?", formatTime(forgetBefore)); err != nil {
			return struct{}{}, err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO sign_in_known (account_key, address, at) VALUES (?, ?, ?)
			ON CONFLICT (account_key, address) DO UPDATE SET at = excluded.at`, key, address, formatTime(at))
		return struct{}{}, err
	})
	return err
}
