package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/archmap/archmap/access"
	"github.com/archmap/archmap/topology"
)

// Member is a user's membership of a workspace, with the role that says
// what the user may do there (access.Role.Can).
type Member struct {
	UserID    int64       `json:"user_id"`
	Email     string      `json:"email"`
	Role      access.Role `json:"role"`
	CreatedAt time.Time   `json:"created_at"`
}

// workspaceNotFound is the one answer for a workspace that does not exist
// and for one the caller is not a member of, so that nobody can tell the two
// apart.
func workspaceNotFound(slug string) error {
	return topology.Errorf(topology.ENOTFOUND, "workspace %s not found", strconv.Quote(slug))
}

// WorkspaceRole returns the role u has in the workspace named by slug.
// Instance admins are owners of every workspace (whether it exists is left
// to the request, which looks it up anyway). Anyone else who is not a
// member gets ENOTFOUND, exactly as for a workspace that does not exist.
func (db *DB) WorkspaceRole(ctx context.Context, slug string, u *User) (access.Role, error) {
	if u == nil {
		return "", workspaceNotFound(slug)
	}
	if u.Admin {
		return access.Owner, nil
	}
	var role string
	err := db.queryRow(ctx, `SELECT m.role FROM workspace_members m JOIN workspaces w ON w.id = m.workspace_id
		WHERE w.slug = ? AND m.user_id = ?`, slug, u.ID).Scan(&role)
	if errors.Is(err, sql.ErrNoRows) {
		return "", workspaceNotFound(slug)
	}
	if err != nil {
		return "", fail("get workspace role", err)
	}
	return access.Role(role), nil
}

// ListMembers returns the members of a workspace, by email.
func (db *DB) ListMembers(ctx context.Context, slug string) ([]Member, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, fail("list members", err)
	}
	defer tx.Rollback()
	ws, _, err := findWorkspace(ctx, tx, slug)
	if err != nil {
		return nil, fail("list members", err)
	}
	out, err := listMembers(ctx, tx, ws.ID)
	if err != nil {
		return nil, fail("list members", err)
	}
	return out, nil
}

func listMembers(ctx context.Context, tx *Tx, workspaceID int64) ([]Member, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+memberColumns+` FROM workspace_members m JOIN users u ON u.id = m.user_id
		WHERE m.workspace_id = ? ORDER BY u.email_key, u.id`, workspaceID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Member{}
	for rows.Next() {
		m, err := scanMember(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *m)
	}
	return out, rows.Err()
}

// AddMember makes the account with that email a member of the workspace
// with a role. An unknown email is EINVALID (the account must exist first:
// an admin creates it); a member already there is ECONFLICT (change the
// role instead).
func (db *DB) AddMember(ctx context.Context, slug, email string, role access.Role) (*Member, error) {
	if err := validRole(role); err != nil {
		return nil, err
	}
	email = strings.TrimSpace(email)
	if err := validateEmail(email); err != nil {
		return nil, err
	}
	return inWrite(ctx, db, "add member", func(tx *Tx) (*Member, error) {
		ws, _, err := findWorkspace(ctx, tx, slug)
		if err != nil {
			return nil, err
		}
		var userID int64
		err = tx.QueryRowContext(ctx, "SELECT id FROM users WHERE email_key = ?", emailKey(email)).Scan(&userID)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, &topology.ValidationError{Problems: []topology.Problem{{Path: "email",
				Message: "no account has this email; an admin creates accounts, then you can add it"}}}
		}
		if err != nil {
			return nil, err
		}
		if m, err := findMember(ctx, tx, ws.ID, userID); err == nil {
			return nil, topology.Errorf(topology.ECONFLICT, "%s is already a member (%s); change their role instead", m.Email, m.Role)
		} else if topology.ErrorCode(err) != topology.ENOTFOUND {
			return nil, err
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO workspace_members (workspace_id, user_id, role, created_at) VALUES (?, ?, ?, ?)",
			ws.ID, userID, string(role), formatTime(tx.now)); err != nil {
			return nil, err
		}
		return findMember(ctx, tx, ws.ID, userID)
	})
}

// SetMemberRole changes a member's role. Demoting the last owner is
// ECONFLICT: a workspace always keeps one member who can manage it.
func (db *DB) SetMemberRole(ctx context.Context, slug string, userID int64, role access.Role) (*Member, error) {
	if err := validRole(role); err != nil {
		return nil, err
	}
	return inWrite(ctx, db, "change member role", func(tx *Tx) (*Member, error) {
		ws, _, err := findWorkspace(ctx, tx, slug)
		if err != nil {
			return nil, err
		}
		m, err := findMember(ctx, tx, ws.ID, userID)
		if err != nil {
			return nil, err
		}
		if m.Role == role {
			return m, nil
		}
		if m.Role == access.Owner {
			if err := keepAnOwner(ctx, tx, ws.ID, "demote"); err != nil {
				return nil, err
			}
		}
		if _, err := tx.ExecContext(ctx, "UPDATE workspace_members SET role = ? WHERE workspace_id = ? AND user_id = ?",
			string(role), ws.ID, userID); err != nil {
			return nil, err
		}
		m.Role = role
		return m, nil
	})
}

// RemoveMember ends a membership and returns what it was. Removing the last
// owner is ECONFLICT.
func (db *DB) RemoveMember(ctx context.Context, slug string, userID int64) (*Member, error) {
	return inWrite(ctx, db, "remove member", func(tx *Tx) (*Member, error) {
		ws, _, err := findWorkspace(ctx, tx, slug)
		if err != nil {
			return nil, err
		}
		m, err := findMember(ctx, tx, ws.ID, userID)
		if err != nil {
			return nil, err
		}
		if m.Role == access.Owner {
			if err := keepAnOwner(ctx, tx, ws.ID, "remove"); err != nil {
				return nil, err
			}
		}
		_, err = tx.ExecContext(ctx, "DELETE FROM workspace_members WHERE workspace_id = ? AND user_id = ?", ws.ID, userID)
		return m, err
	})
}

// keepAnOwner refuses to take away an owner when no other is left. It runs
// in the write transaction, so two owners cannot demote each other at once.
func keepAnOwner(ctx context.Context, tx *Tx, workspaceID int64, verb string) error {
	var owners int
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM workspace_members WHERE workspace_id = ? AND role = ?",
		workspaceID, string(access.Owner)).Scan(&owners); err != nil {
		return err
	}
	if owners <= 1 {
		return topology.Errorf(topology.ECONFLICT, "cannot %s the last owner of the workspace; make another member an owner first", verb)
	}
	return nil
}

func findMember(ctx context.Context, tx *Tx, workspaceID, userID int64) (*Member, error) {
	m, err := scanMember(tx.QueryRowContext(ctx, `SELECT `+memberColumns+` FROM workspace_members m JOIN users u ON u.id = m.user_id
		WHERE m.workspace_id = ? AND m.user_id = ?`, workspaceID, userID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, topology.Errorf(topology.ENOTFOUND, "user %d is not a member of this workspace", userID)
	}
	return m, err
}

// addOwner records the creator of a new workspace as its owner.
func addOwner(ctx context.Context, tx *Tx, workspaceID, userID int64) error {
	if err := userExists(ctx, tx, userID); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, "INSERT INTO workspace_members (workspace_id, user_id, role, created_at) VALUES (?, ?, ?, ?)",
		workspaceID, userID, string(access.Owner), formatTime(tx.now))
	return err
}

func validRole(r access.Role) error {
	if r.Valid() {
		return nil
	}
	return &topology.ValidationError{Problems: []topology.Problem{{Path: "role", Message: "must be owner, editor or viewer"}}}
}

const memberColumns = "m.user_id, u.email, m.role, m.created_at"

func scanMember(row scanner) (*Member, error) {
	var m Member
	var role, created string
	if err := row.Scan(&m.UserID, &m.Email, &role, &created); err != nil {
		return nil, err
	}
	m.Role = access.Role(role)
	var err error
	if m.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	return &m, nil
}
