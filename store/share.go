package store

import (
	"context"
	"database/sql"
	"encoding/json"
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

// SharedLink is what a share link resolves to: the link, its workspace and
// the revision it shows. It holds no model: a caller that already has that
// revision's model (revisions never change) needs nothing more, and
// LoadSharedModel reads it for the others.
type SharedLink struct {
	Share     *Share
	Workspace *Workspace
	// Revision is the pinned revision of a pinned link, else the
	// workspace's revision when the link was resolved.
	Revision int64
}

// Pinned reports whether the link shows a frozen copy of the model.
func (l *SharedLink) Pinned() bool { return l.Share.PinnedRevision != 0 }

// MaxLiveShares bounds the links of one workspace that work (neither
// revoked nor expired): each pinned one may keep a copy of a model, and
// nobody hands out a hundred links to one picture.
const MaxLiveShares = 100

// CreateShare records a share link of the workspace under the hash of its
// token. expiresAt zero means never; pin freezes the link at the current
// model, stored once per pinned revision as its canonical JSON however many
// links pin it. A workspace with MaxLiveShares live links gets ECONFLICT.
func (db *DB) CreateShare(ctx context.Context, slug string, tokenHash []byte, expiresAt time.Time, pin bool) (*Share, error) {
	pinAt := noPin
	if pin {
		pinAt = pinCurrent
	}
	return db.createShare(ctx, slug, tokenHash, expiresAt, pinAt)
}

// CreateShareAt creates a link pinned to an earlier revision of the
// workspace, from its history; ENOTFOUND when the history lacks it.
func (db *DB) CreateShareAt(ctx context.Context, slug string, tokenHash []byte, expiresAt time.Time, revision int64) (*Share, error) {
	if revision < 1 {
		return nil, topology.Errorf(topology.EINVALID, "revision: want a revision number of at least 1, got %d", revision)
	}
	return db.createShare(ctx, slug, tokenHash, expiresAt, revision)
}

// What a new link shows: the live model, the current revision, or a
// revision of the history (any positive number).
const (
	noPin      int64 = 0
	pinCurrent int64 = -1
)

func (db *DB) createShare(ctx context.Context, slug string, tokenHash []byte, expiresAt time.Time, pinAt int64) (*Share, error) {
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
	// Copies of links that expired since the last change go first, so that
	// the count and the storage are of live links only.
	if err := dropUnusedPins(ctx, tx, ws.ID); err != nil {
		return nil, fail("create share", err)
	}
	var live int
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM shares WHERE workspace_id = ? AND "+liveShare,
		ws.ID, formatTime(tx.now)).Scan(&live); err != nil {
		return nil, fail("create share", err)
	}
	if live >= MaxLiveShares {
		return nil, topology.Errorf(topology.ECONFLICT, "This workspace already has %d working share links, the most it may have. Revoke one you no longer need, then create this one.", live)
	}
	var pinnedRevision sql.NullInt64
	if pinAt != noPin {
		rev := pinAt
		if rev == pinCurrent {
			rev = ws.Revision
		}
		pinnedRevision = sql.NullInt64{Int64: rev, Valid: true}
		if err := storePin(ctx, tx, ws, set, rev); err != nil {
			return nil, fail("create share", err)
		}
	}
	s, err := scanShare(tx.QueryRowContext(ctx, `INSERT INTO shares
		(workspace_id, token_hash, created_at, expires_at, pinned_revision)
		VALUES (?, ?, ?, ?, ?) RETURNING `+shareColumns,
		ws.ID, tokenHash, formatTime(tx.now), nullTime(expiresAt), pinnedRevision))
	if err != nil {
		return nil, fail("create share", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fail("create share", err)
	}
	return s, nil
}

// liveShare is the condition of a link that works at time ? (bound by the
// caller), in a query over shares.
const liveShare = "revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)"

// storePin keeps the copy of ws's model at revision rev (the current one,
// or one rebuilt from the history), unless a link already pinned that
// revision (a revision never changes).
func storePin(ctx context.Context, tx *Tx, ws *Workspace, set topology.Settings, rev int64) error {
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM pinned_models WHERE workspace_id = ? AND revision = ?",
		ws.ID, rev).Scan(&n); err != nil || n > 0 {
		return err
	}
	var m *topology.Model
	if rev == ws.Revision {
		r, err := loadRecords(ctx, tx, ws, set)
		if err != nil {
			return err
		}
		m = r.Model()
	} else {
		var err error
		if m, _, err = modelAt(ctx, tx, ws, rev); err != nil {
			return err
		}
	}
	body, err := topology.EncodeJSON(m)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, "INSERT INTO pinned_models (workspace_id, revision, model) VALUES (?, ?, ?)", ws.ID, rev, body)
	return err
}

// dropUnusedPins deletes the workspace's model copies that no live link
// shows any more (revoked or expired links keep their row, not the copy).
func dropUnusedPins(ctx context.Context, tx *Tx, workspaceID int64) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM pinned_models WHERE workspace_id = ? AND NOT EXISTS (
		SELECT 1 FROM shares WHERE shares.workspace_id = pinned_models.workspace_id
		AND shares.pinned_revision = pinned_models.revision AND `+liveShare+`)`,
		workspaceID, formatTime(tx.now))
	return err
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
	if err := dropUnusedPins(ctx, tx, ws.ID); err != nil {
		return fail("revoke share", err)
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
// same ENOTFOUND. It reads two rows, never the model.
func (db *DB) ResolveShare(ctx context.Context, tokenHash []byte, now time.Time) (*SharedLink, error) {
	l, err := db.resolveShare(ctx, tokenHash, now)
	if err != nil {
		return nil, fail("resolve share", err)
	}
	if err := db.touch(ctx, "shares", l.Share.ID, l.Share.LastUsedAt, now); err != nil {
		return nil, fail("resolve share", err)
	}
	return l, nil
}

func (db *DB) resolveShare(ctx context.Context, tokenHash []byte, now time.Time) (*SharedLink, error) {
	// Two single statements, no transaction: every request of a share page
	// starts here, and the link and its workspace need not be read in one
	// snapshot (the workspace's revision is whatever is newest).
	row := db.queryRow(ctx, "SELECT "+shareColumns+` FROM shares
		WHERE token_hash = ? AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)`,
		tokenHash, formatTime(now))
	s, err := scanShare(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errShareNotFound()
	}
	if err != nil {
		return nil, err
	}
	ws, _, err := scanWorkspace(db.queryRow(ctx, "SELECT "+workspaceColumns+" FROM workspaces WHERE id = ?", s.WorkspaceID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errShareNotFound() // deleted a moment ago
	}
	if err != nil {
		return nil, err
	}
	l := &SharedLink{Share: s, Workspace: ws, Revision: ws.Revision}
	if l.Pinned() {
		l.Revision = s.PinnedRevision
	}
	return l, nil
}

// SharedModel is the model a link shows, as LoadSharedModel read it.
type SharedModel struct {
	Model *topology.Model
	// Workspace is the link's workspace as it was read with the model.
	Workspace *Workspace
	// Revision is the revision Model is at: the pinned one of a pinned
	// link, else Workspace.Revision.
	Revision int64
}

// LoadSharedModel returns the model a resolved link shows: the frozen copy
// of a pinned link, else the workspace's model as it is now (which may be a
// newer revision than the link resolved to). A link revoked or a workspace
// deleted since is ENOTFOUND.
func (db *DB) LoadSharedModel(ctx context.Context, l *SharedLink) (*SharedModel, error) {
	sm, err := db.loadSharedModel(ctx, l)
	if err != nil {
		return nil, fail("load shared model", err)
	}
	return sm, nil
}

func (db *DB) loadSharedModel(ctx context.Context, l *SharedLink) (*SharedModel, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var live int
	err = tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM shares WHERE id = ? AND revoked_at IS NULL", l.Share.ID).Scan(&live)
	if err != nil {
		return nil, err
	}
	if live == 0 {
		return nil, errShareNotFound()
	}
	ws, set, err := scanWorkspace(tx.QueryRowContext(ctx, "SELECT "+workspaceColumns+" FROM workspaces WHERE id = ?", l.Workspace.ID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errShareNotFound()
	}
	if err != nil {
		return nil, err
	}
	if l.Pinned() {
		var pinned []byte
		err := tx.QueryRowContext(ctx, "SELECT model FROM pinned_models WHERE workspace_id = ? AND revision = ?",
			ws.ID, l.Share.PinnedRevision).Scan(&pinned)
		if errors.Is(err, sql.ErrNoRows) {
			// The link expired and its copy went with the last change.
			return nil, errShareNotFound()
		}
		if err != nil {
			return nil, err
		}
		// Our own canonical JSON of a model that was valid when stored:
		// read back as such, not as user input, whose size bound (5 MiB)
		// a big model's copy passes (60 000 services: about 20 MiB).
		var m topology.Model
		if err := json.Unmarshal(pinned, &m); err != nil {
			// Not %w: a frozen copy we cannot read back is our fault, not
			// the visitor's invalid input.
			return nil, fmt.Errorf("pinned model of share %d does not decode: %v", l.Share.ID, err)
		}
		return &SharedModel{Model: &m, Workspace: ws, Revision: l.Share.PinnedRevision}, nil
	}
	r, err := loadRecords(ctx, tx, ws, set)
	if err != nil {
		return nil, err
	}
	return &SharedModel{Model: r.Model(), Workspace: ws, Revision: ws.Revision}, nil
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
