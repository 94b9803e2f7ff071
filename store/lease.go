package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// Chores that must run once across the nodes sharing a database take a
// lease: a row of the leases table (migrations/0013_cluster.sql) that names
// the node holding it until it expires. The lease is taken in the chore's
// own transaction, so a chore that fails leaves the lease free for the next
// node to try, and two nodes that try at the same moment are ordered by the
// database (SQLite's one writer, PostgreSQL's row lock on the conflict):
// one takes it, the other finds it held. A lease is never released early:
// it is what makes the chore run once per period rather than once per node.

// withLease runs fn in a write transaction if this node takes the lease
// name for every (from now), and reports whether it did. holder names the
// node, for an operator reading the table.
func (db *DB) withLease(ctx context.Context, op, name, holder string, every time.Duration, fn func(tx *Tx) error) (bool, error) {
	return inWrite(ctx, db, op, func(tx *Tx) (bool, error) {
		var got string
		err := tx.QueryRowContext(ctx, `INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
			WHERE leases.expires_at <= ?
			RETURNING holder`, name, holder, formatTime(tx.now.Add(every)), formatTime(tx.now)).Scan(&got)
		if errors.Is(err, sql.ErrNoRows) {
			return false, nil // held by a node, maybe this one, until it expires
		}
		if err != nil {
			return false, err
		}
		return true, fn(tx)
	})
}

// sessionPurgeLease is the lease of DeleteExpiredSessionsOnce.
const sessionPurgeLease = "purge-expired-sessions"

// DeleteExpiredSessionsOnce is DeleteExpiredSessions run by one node of
// those sharing the database per period every: the node that takes the
// lease purges (ran is true), the others skip until it expires.
func (db *DB) DeleteExpiredSessionsOnce(ctx context.Context, holder string, every time.Duration) (ran bool, purged int64, err error) {
	ran, err = db.withLease(ctx, "purge expired sessions", sessionPurgeLease, holder, every, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE expires_at <= ?", formatTime(tx.now))
		if err != nil {
			return err
		}
		purged, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return false, 0, err
	}
	return ran, purged, nil
}
