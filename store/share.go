package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/archmap/archmap/topology"
)

// Share is a read-only link to one workspace. The link's token is stored
// only as its hash.
type Share struct {
	ID          int64     `json:"id"`
	WorkspaceID int64     `json:"-"`
	CreatedAt   time.Time `json:"created_at"`
	// ExpiresAt is zero for a link that does not expire.
	ExpiresAt time.Time `json:"expires_at,omitzero"`
	// PinnedRevision is the revision a pinned link shows forever; 0 for a
	// link that shows the live model.
	PinnedRevision int64 `json:"pinned_revision,omitempty"`
	// LastUsedAt is zero when the link was never opened; kept to the minute.
	LastUsedAt time.Time `json:"last_used_at,omitzero"`
}

// SharedModel is what a share link shows.
type SharedModel struct {
	Share     *Share
	Workspace *Workspace
	// Model is the frozen copy for a pinned link, else the live model.
	Model *topology.Model
	// Revision is the revision Model is at.
	Revision int64
}

// CreateShare records a share link of the workspace under the hash of its
// token. expiresAt zero means never; pin freezes the link at the current
// model, stored as its canonical JSON.
func (db *DB) CreateShare(ctx context.Context, slug string, tokenHash []byte, expiresAt time.Time, pin bool) (*Share, error) {
	if err := checkHash(tokenHash); err != nil {
		return nil, fail("create share", err)
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, fail("create share", err)
	}
	defer tx.Rollback()
	if !expiresAt.IsZero() && !expiresAt.After(tx.now) {
		return nil, &topology.ValidationError{Problems: []topology.Problem{{Path: "expires_in", Message: "must be in the future"}}}
	}
	ws, set, err := findWorkspace(ctx, tx, slug)
	if err != nil {
		return nil, fail("create share", err)
	}
	var pinnedRevision sql.NullInt64
	var pinned []byte
	if pin {
		r, err := loadRecords(ctx, tx, ws, set)
		if err != nil {
			return nil, fail("create share", err)
		}
		if pinned, err = topology.EncodeJSON(r.Model()); err != nil {
			return nil, fail("create share", err)
		}
		pinnedRevision = sql.NullInt64{Int64: ws.Revision, Valid: true}
	}
	s, err := scanShare(tx.QueryRowContext(ctx, `INSERT INTO shares
		(workspace_id, token_hash, created_at, expires_at, pinned_revision, pinned_model)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING `+shareColumns,
		ws.ID, tokenHash, formatTime(tx.now), nullTime(expiresAt), pinnedRevision, pinned))
	if err != nil {
		return nil, fail("create share", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fail("create share", err)
	}
	return s, nil
}

// ListShares returns the workspace's links that are not revoked, newest
// first; expired ones are listed too, so the page can say they expired.
func (db *DB) ListShares(ctx context.Context, slug string) ([]Share, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, fail("list shares", err)
	}
	defer tx.Rollback()
	ws, _, err := findWorkspace(ctx, tx, slug)
	if err != nil {
		return nil, fail("list shares", err)
	}
	shares, err := queryList(ctx, tx, "SELECT "+shareColumns+" FROM shares WHERE workspace_id = ? AND revoked_at IS NULL ORDER BY id DESC",
		func(row scanner) (Share, error) {
			s, err := scanShare(row)
			if err != nil {
				return Share{}, err
			}
			return *s, nil
		}, ws.ID)
	if err != nil {
		return nil, fail("list shares", err)
	}
	return shares, nil
}

// RevokeShare stops a link of the workspace from working, at once and for
// good. A link of another workspace, or one already revoked, is ENOTFOUND.
func (db *DB) RevokeShare(ctx context.Context, slug string, id int64) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return fail("revoke share", err)
	}
	defer tx.Rollback()
	ws, _, err := findWorkspace(ctx, tx, slug)
	if err != nil {
		return fail("revoke share", err)
	}
	res, err := tx.ExecContext(ctx, "UPDATE shares SET revoked_at = ? WHERE id = ? AND workspace_id = ? AND revoked_at IS NULL",
		formatTime(tx.now), id, ws.ID)
	if err != nil {
		return fail("revoke share", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fail("revoke share", err)
	}
	if n == 0 {
		return topology.Errorf(topology.ENOTFOUND, "share %d not found", id)
	}
	if err := tx.Commit(); err != nil {
		return fail("revoke share", err)
	}
	return nil
}

// errShareNotFound is the one answer for unknown, revoked and expired links
// alike, so that a guess learns nothing.
func errShareNotFound() error {
	return topology.Errorf(topology.ENOTFOUND, "this link does not exist or no longer works")
}

// ResolveShare returns what the link with this token hash shows at time
// now, and records its use. Unknown, revoked and expired links are all the
// same ENOTFOUND.
func (db *DB) ResolveShare(ctx context.Context, tokenHash []byte, now time.Time) (*SharedModel, error) {
	sm, err := db.resolveShare(ctx, tokenHash, now)
	if err != nil {
		return nil, fail("resolve share", err)
	}
	if err := db.touch(ctx, "shares", sm.Share.ID, sm.Share.LastUsedAt, now); err != nil {
		return nil, fail("resolve share", err)
	}
	return sm, nil
}

func (db *DB) resolveShare(ctx context.Context, tokenHash []byte, now time.Time) (*SharedModel, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()

	var pinned []byte
	row := tx.QueryRowContext(ctx, "SELECT pinned_model, "+shareColumns+` FROM shares
		WHERE token_hash = ? AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)`,
		tokenHash, formatTime(now))
	s, err := scanShare(prefixScanner{row, []any{&pinned}})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errShareNotFound()
	}
	if err != nil {
		return nil, err
	}
	ws, set, err := scanWorkspace(tx.QueryRowContext(ctx, "SELECT "+workspaceColumns+" FROM workspaces WHERE id = ?", s.WorkspaceID))
	if err != nil {
		return nil, err
	}
	sm := &SharedModel{Share: s, Workspace: ws}
	if s.PinnedRevision != 0 {
		if sm.Model, err = topology.Parse(pinned); err != nil {
			// Not %w: a frozen copy we cannot read back is our fault, not
			// the visitor's invalid input.
			return nil, fmt.Errorf("pinned model of share %d does not parse: %v", s.ID, err)
		}
		sm.Revision = s.PinnedRevision
		return sm, nil
	}
	r, err := loadRecords(ctx, tx, ws, set)
	if err != nil {
		return nil, err
	}
	sm.Model, sm.Revision = r.Model(), ws.Revision
	return sm, nil
}

const shareColumns = "id, workspace_id, created_at, expires_at, pinned_revision, last_used_at"

func scanShare(row scanner) (*Share, error) {
	var s Share
	var created string
	var expires, lastUsed sql.NullString
	var pinned sql.NullInt64
	if err := row.Scan(&s.ID, &s.WorkspaceID, &created, &expires, &pinned, &lastUsed); err != nil {
		return nil, err
	}
	var err error
	if s.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	if s.ExpiresAt, err = parseNullTime(expires); err != nil {
		return nil, err
	}
	if s.LastUsedAt, err = parseNullTime(lastUsed); err != nil {
		return nil, err
	}
	s.PinnedRevision = pinned.Int64
	return &s, nil
}
