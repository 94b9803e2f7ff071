package store

import (
	"context"
	"database/sql"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/archmap/archmap/topology"
)

// Workspace holds one model. Its Slug names it in URLs and never changes;
// Revision grows by one with every change to the workspace or its model, so
// that a writer holding an old revision can be refused (no lost updates).
type Workspace struct {
	ID          int64     `json:"-"`
	Slug        string    `json:"slug"`
	Name        string    `json:"name"`
	Description string    `json:"description,omitempty"`
	Revision    int64     `json:"revision"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// MaxSlugLen bounds a slug; a longer name is cut at a word.
const MaxSlugLen = 50

var slugPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// ValidSlug reports whether s has the form of a slug: lowercase ASCII
// letters and digits in words joined by single dashes, at most MaxSlugLen.
func ValidSlug(s string) bool {
	return len(s) <= MaxSlugLen && slugPattern.MatchString(s)
}

// slugify derives a slug from a name: accents dropped, lowercase ASCII,
// everything else a dash. A name with no ASCII letter or digit in it gets
// "workspace".
func slugify(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFKD.String(name) {
		switch {
		case unicode.Is(unicode.Mn, r):
			// a combining accent split off its letter by NFKD
		case 'a' <= r && r <= 'z', '0' <= r && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		case 'A' <= r && r <= 'Z':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(unicode.ToLower(r))
		default:
			dash = true
		}
	}
	s := b.String()
	if len(s) > MaxSlugLen {
		s = s[:MaxSlugLen]
		if i := strings.LastIndexByte(s, '-'); i > MaxSlugLen/2 {
			s = s[:i]
		}
		s = strings.TrimRight(s, "-")
	}
	if s == "" {
		return "workspace"
	}
	return s
}

// uniqueSlug returns base, or base-2, base-3, … whichever is free.
func uniqueSlug(ctx context.Context, tx *Tx, base string) (string, error) {
	if err := lockNames(ctx, tx); err != nil {
		return "", err
	}
	for n := 1; ; n++ {
		s := base
		if n > 1 {
			suffix := "-" + strconv.Itoa(n)
			s = strings.TrimRight(base[:min(len(base), MaxSlugLen-len(suffix))], "-") + suffix
		}
		var taken int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM workspaces WHERE slug = ?", s).Scan(&taken); err != nil {
			return "", err
		}
		if taken == 0 {
			return s, nil
		}
	}
}

// ListWorkspaces returns every workspace, by name.
func (db *DB) ListWorkspaces(ctx context.Context) ([]Workspace, error) {
	order := "name COLLATE NOCASE, id"
	if db.pg {
		// NOCASE folds ASCII letters only and then compares bytes; so
		// does this, where lower() would fold every letter.
		order = `translate(name, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') COLLATE "C", id`
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+workspaceColumns+` FROM workspaces ORDER BY `+order)
	if err != nil {
		return nil, fail("list workspaces", err)
	}
	defer rows.Close()
	out := []Workspace{}
	for rows.Next() {
		ws, _, err := scanWorkspace(rows)
		if err != nil {
			return nil, fail("list workspaces", err)
		}
		out = append(out, *ws)
	}
	if err := rows.Err(); err != nil {
		return nil, fail("list workspaces", err)
	}
	return out, nil
}

// CreateWorkspace creates a workspace with an empty model and default
// settings; its slug is derived from the name.
func (db *DB) CreateWorkspace(ctx context.Context, name, description string) (*Workspace, error) {
	return inWrite(ctx, db, "create workspace", func(tx *Tx) (*Workspace, error) {
		if err := validateHeader(name, description); err != nil {
			return nil, err
		}
		m := &topology.Model{Version: topology.FormatVersion, Name: name, Description: description, Settings: topology.DefaultSettings()}
		slug, err := uniqueSlug(ctx, tx, slugify(name))
		if err != nil {
			return nil, err
		}
		ws, err := createWorkspace(ctx, tx, slug, m)
		if err != nil {
			return nil, err
		}
		return ws, recordRevision(ctx, tx, ws)
	})
}

// GetWorkspace returns the workspace named by slug, or ENOTFOUND.
//
// One statement needs no transaction of its own; this is the lookup every
// cached read starts with, so it costs one query and nothing more.
func (db *DB) GetWorkspace(ctx context.Context, slug string) (*Workspace, error) {
	ws, _, err := scanWorkspace(db.queryRow(ctx, `SELECT `+workspaceColumns+` FROM workspaces WHERE slug = ?`, slug))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, topology.Errorf(topology.ENOTFOUND, "workspace %s not found", strconv.Quote(slug))
	}
	if err != nil {
		return nil, fail("get workspace", err)
	}
	return ws, nil
}

// UpdateWorkspace renames a workspace and sets its description; the slug
// stays. expectedRevision 0 skips the check for a concurrent change.
func (db *DB) UpdateWorkspace(ctx context.Context, slug, name, description string, expectedRevision int64) (*Workspace, error) {
	return writeModel(ctx, db, "update workspace", slug, expectedRevision, func(tx *Tx, ws *Workspace) error {
		if err := validateHeader(name, description); err != nil {
			return err
		}
		if err := checkNameFree(ctx, tx, name, ws.ID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "UPDATE workspaces SET name = ?, description = ? WHERE id = ?", name, description, ws.ID)
		if isUnique(err) {
			// The index folds a letter checkNameFree did not (PostgreSQL's
			// lower() is the locale's): still the same conflict.
			return nameTaken(name)
		}
		return err
	})
}

// DeleteWorkspace deletes a workspace with its model and share links.
// expectedRevision 0 skips the check for a concurrent change, else a
// mismatch is EPRECONDITION and nothing is deleted.
func (db *DB) DeleteWorkspace(ctx context.Context, slug string, expectedRevision int64) error {
	// Not writeModel: nothing is left to take a new revision.
	_, err := inWrite(ctx, db, "delete workspace", func(tx *Tx) (sql.Result, error) {
		ws, err := findWorkspaceForWrite(ctx, tx, slug, expectedRevision)
		if err != nil {
			return nil, err
		}
		return tx.ExecContext(ctx, "DELETE FROM workspaces WHERE id = ?", ws.ID)
	})
	return err
}

// validateHeader checks a workspace's name and description by the rules of
// a model's (paths "name", "description"), before the database's own
// constraints could answer with a less helpful message.
func validateHeader(name, description string) error {
	m := &topology.Model{Version: topology.FormatVersion, Name: name, Description: description, Settings: topology.DefaultSettings()}
	return m.Validate()
}

const workspaceColumns = `id, slug, name, description, chatty_calls_per_request, max_sync_chain, blast_radius, revision, created_at, updated_at`

type scanner interface{ Scan(dest ...any) error }

func scanWorkspace(row scanner) (*Workspace, topology.Settings, error) {
	var ws Workspace
	var set topology.Settings
	var created, updated string
	if err := row.Scan(&ws.ID, &ws.Slug, &ws.Name, &ws.Description,
		&set.ChattyCallsPerRequest, &set.MaxSyncChain, &set.BlastRadius,
		&ws.Revision, &created, &updated); err != nil {
		return nil, set, err
	}
	var err error
	if ws.CreatedAt, err = parseTime(created); err != nil {
		return nil, set, err
	}
	if ws.UpdatedAt, err = parseTime(updated); err != nil {
		return nil, set, err
	}
	return &ws, set, nil
}

// findWorkspace returns the workspace named by slug and its settings, or ENOTFOUND.
func findWorkspace(ctx context.Context, tx *Tx, slug string) (*Workspace, topology.Settings, error) {
	ws, set, err := scanWorkspace(tx.QueryRowContext(ctx, `SELECT `+workspaceColumns+` FROM workspaces WHERE slug = ?`, slug))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, set, topology.Errorf(topology.ENOTFOUND, "workspace %s not found", strconv.Quote(slug))
	}
	return ws, set, err
}

// findWorkspaceForWrite is findWorkspace plus the check that nobody changed
// the workspace since the caller read expectedRevision (0: no check).
//
// On PostgreSQL it locks the workspace's row (FOR UPDATE) before reading
// the revision, so writers of one workspace take turns and each checks the
// revision its predecessor committed: no lost update (postgres.go).
func findWorkspaceForWrite(ctx context.Context, tx *Tx, slug string, expectedRevision int64) (*Workspace, error) {
	ws, _, err := scanWorkspace(tx.QueryRowContext(ctx, `SELECT `+workspaceColumns+` FROM workspaces WHERE slug = ?`+tx.forUpdate(), slug))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, topology.Errorf(topology.ENOTFOUND, "workspace %s not found", strconv.Quote(slug))
	}
	if err != nil {
		return nil, err
	}
	if err := checkRevision(ws, expectedRevision); err != nil {
		return nil, err
	}
	return ws, nil
}

func checkRevision(ws *Workspace, expectedRevision int64) error {
	if expectedRevision != 0 && expectedRevision != ws.Revision {
		return topology.Errorf(topology.EPRECONDITION,
			"workspace %s has changed since you loaded it (now revision %d, yours %d); reload and try again",
			strconv.Quote(ws.Slug), ws.Revision, expectedRevision)
	}
	return nil
}

// createWorkspace inserts a workspace row at revision 1 with m's name,
// description and settings (not its entities).
func createWorkspace(ctx context.Context, tx *Tx, slug string, m *topology.Model) (*Workspace, error) {
	if err := checkNameFree(ctx, tx, m.Name, 0); err != nil {
		return nil, err
	}
	now := formatTime(tx.now)
	row := tx.QueryRowContext(ctx, `INSERT INTO workspaces
		(slug, name, description, chatty_calls_per_request, max_sync_chain, blast_radius, revision, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)
		RETURNING `+workspaceColumns,
		slug, m.Name, m.Description, m.Settings.ChattyCallsPerRequest, m.Settings.MaxSyncChain, m.Settings.BlastRadius, now, now)
	ws, _, err := scanWorkspace(row)
	if isUnique(err) {
		if strings.Contains(err.Error(), "workspaces.name") || strings.Contains(err.Error(), "workspaces_name_nocase") {
			return nil, nameTaken(m.Name)
		}
		return nil, topology.Errorf(topology.ECONFLICT, "workspace: the slug %s is taken", strconv.Quote(slug))
	}
	return ws, err
}

// checkNameFree refuses a name that a workspace other than except already
// has, compared with Unicode case folding (NFC first, so that "é" typed two
// ways is one letter). The unique NOCASE index on workspaces.name is the
// database's guarantee for ASCII; this check gives the message, and covers
// the letters NOCASE does not fold. It runs inside the write transaction,
// so no other writer can take the name in between.
func checkNameFree(ctx context.Context, tx *Tx, name string, except int64) error {
	if err := lockNames(ctx, tx); err != nil {
		return err
	}
	want := norm.NFC.String(name)
	query, args := "SELECT name FROM workspaces WHERE id <> ? AND name = ? COLLATE NOCASE LIMIT 1", []any{except, name}
	if tx.pg {
		query = "SELECT name FROM workspaces WHERE id <> ? AND lower(name) = lower(?) LIMIT 1"
	}
	if !isASCII(name) {
		// NOCASE does not fold these letters: compare every name.
		query, args = "SELECT name FROM workspaces WHERE id <> ?", []any{except}
	}
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var other string
		if err := rows.Scan(&other); err != nil {
			return err
		}
		if strings.EqualFold(norm.NFC.String(other), want) {
			return nameTaken(other)
		}
	}
	return rows.Err()
}

// nameTaken is the conflict of a workspace name already in use.
func nameTaken(other string) error {
	return topology.Errorf(topology.ECONFLICT, "name: a workspace named %s already exists; workspace names must differ by more than upper and lower case", strconv.Quote(other))
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// bumpRevision records a change to the workspace: revision + 1, the time,
// and the history entry of the new revision. Every write transaction that
// changes a workspace ends with it.
func bumpRevision(ctx context.Context, tx *Tx, id int64) (*Workspace, error) {
	ws, _, err := scanWorkspace(tx.QueryRowContext(ctx,
		`UPDATE workspaces SET revision = revision + 1, updated_at = ? WHERE id = ? RETURNING `+workspaceColumns,
		formatTime(tx.now), id))
	if err != nil {
		return nil, err
	}
	return ws, recordRevision(ctx, tx, ws)
}
