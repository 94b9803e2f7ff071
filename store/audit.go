package store

import (
	"context"
	"database/sql"
	"strings"
	"time"
)

// AuditEvent is one line of the audit log: who (ActorID, and Actor as they
// were named then), did what (Action, one of the Audit* constants) to what
// (Target: an email, a workspace slug, a token or share id), when and from
// which address. Detail is a short free text (a role, a reason).
type AuditEvent struct {
	ID      int64     `json:"id"`
	At      time.Time `json:"at"`
	ActorID int64     `json:"actor_id,omitempty"`
	Actor   string    `json:"actor"`
	Action  string    `json:"action"`
	Target  string    `json:"target"`
	Detail  string    `json:"detail"`
	Address string    `json:"address"`
}

// The audited actions: one home for their names, which the audit page and
// API filter by. Add new ones here.
const (
	AuditSignIn          = "sign_in"
	AuditSignInFailed    = "sign_in_failed"
	AuditSetup           = "setup"
	AuditUserCreate      = "user.create"
	AuditUserDisable     = "user.disable"
	AuditUserEnable      = "user.enable"
	AuditUserAdmin       = "user.admin"      // Detail: "granted" or "revoked"
	AuditPasswordReset   = "password.reset"  // an admin made a reset link
	AuditPasswordSet     = "password.set"    // through a one-time link
	AuditPasswordChange  = "password.change" // by the user, on the account page
	AuditTokenCreate     = "token.create"
	AuditTokenDelete     = "token.delete"
	AuditShareCreate     = "share.create"
	AuditShareRevoke     = "share.revoke"
	AuditWorkspaceCreate = "workspace.create"
	AuditWorkspaceDelete = "workspace.delete"
	// Members of a workspace: Target is the workspace's slug, Detail the
	// member's email and role ("ada@example.com as editor").
	AuditMemberAdd    = "member.add"
	AuditMemberRole   = "member.role"
	AuditMemberRemove = "member.remove"
	// Single sign-on: an identity at the provider linked to an account
	// that existed (by its verified email), and an account made or unmade
	// an admin by the provider's groups. Sign-ins through the provider are
	// AuditSignIn and AuditSignInFailed, with "single sign-on" in the detail.
	AuditSSOLink   = "sso.link"
	AuditAdminSync = "user.admin_sync"
)

// Bounds on what one event keeps: the log is written from requests, so an
// attacker's long email or user agent must not grow it without limit.
const (
	maxAuditField  = 512
	MaxAuditPage   = 200
	auditListOrder = " ORDER BY id DESC"
)

// clip keeps at most maxAuditField bytes of s; a rune cut in two at the
// end is dropped rather than stored broken.
func clip(s string) string {
	if len(s) <= maxAuditField {
		return s
	}
	return strings.ToValidUTF8(s[:maxAuditField], "")
}

// RecordAudit adds one event to the log, stamped with the store's clock.
func (db *DB) RecordAudit(ctx context.Context, e AuditEvent) error {
	_, err := inWrite(ctx, db, "record audit event", func(tx *Tx) (struct{}, error) {
		var actorID sql.NullInt64
		if e.ActorID != 0 {
			actorID = sql.NullInt64{Int64: e.ActorID, Valid: true}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO audit_events (at, actor_id, actor, action, target, detail, address)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, formatTime(tx.now), actorID, clip(e.Actor), clip(e.Action), clip(e.Target), clip(e.Detail), clip(e.Address))
		return struct{}{}, err
	})
	return err
}

// AuditQuery selects a page of the log, newest first. Action and ActorID
// filter when set; Limit is capped at MaxAuditPage.
type AuditQuery struct {
	Action  string
	ActorID int64
	Offset  int
	Limit   int
}

// ListAudit returns one page of the log and how many events match in all.
func (db *DB) ListAudit(ctx context.Context, q AuditQuery) ([]AuditEvent, int, error) {
	where, args := " WHERE 1 = 1", []any{}
	if q.Action != "" {
		where += " AND action = ?"
		args = append(args, q.Action)
	}
	if q.ActorID != 0 {
		where += " AND actor_id = ?"
		args = append(args, q.ActorID)
	}
	if q.Limit <= 0 || q.Limit > MaxAuditPage {
		q.Limit = MaxAuditPage
	}
	q.Offset = max(q.Offset, 0)
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, 0, fail("list audit events", err)
	}
	defer tx.Rollback()
	out, total, err := listAudit(ctx, tx, where, args, q)
	if err != nil {
		return nil, 0, fail("list audit events", err)
	}
	return out, total, nil
}

func listAudit(ctx context.Context, tx *Tx, where string, args []any, q AuditQuery) ([]AuditEvent, int, error) {
	var total int
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM audit_events"+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, at, actor_id, actor, action, target, detail, address FROM audit_events`+
		where+auditListOrder+" LIMIT ? OFFSET ?", append(args, q.Limit, q.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []AuditEvent{}
	for rows.Next() {
		var e AuditEvent
		var at string
		var actorID sql.NullInt64
		if err := rows.Scan(&e.ID, &at, &actorID, &e.Actor, &e.Action, &e.Target, &e.Detail, &e.Address); err != nil {
			return nil, 0, err
		}
		if e.At, err = parseTime(at); err != nil {
			return nil, 0, err
		}
		e.ActorID = actorID.Int64
		out = append(out, e)
	}
	return out, total, rows.Err()
}
