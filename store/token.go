package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/archmap/archmap/topology"
)

// APIToken is a named credential of a user for the JSON API. The token
// itself is shown once by the server and never stored.
type APIToken struct {
	ID        int64     `json:"id"`
	UserID    int64     `json:"-"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
	// LastUsedAt is zero when the token was never used. It is kept to the
	// minute, so that a busy client does not turn every read into a write.
	LastUsedAt time.Time `json:"last_used_at,omitzero"`
}

// lastUsedGrain is how stale a "last used" time may get before a use
// records a new one.
const lastUsedGrain = time.Minute

// CreateAPIToken records a token (by its hash) for the user under a name.
func (db *DB) CreateAPIToken(ctx context.Context, userID int64, name string, tokenHash []byte) (*APIToken, error) {
	if msg := topology.ValidateName(name); msg != "" {
		return nil, &topology.ValidationError{Problems: []topology.Problem{{Path: "name", Message: msg}}}
	}
	if err := checkHash(tokenHash); err != nil {
		return nil, fail("create API token", err)
	}
	return inWrite(ctx, db, "create API token", func(tx *Tx) (*APIToken, error) {
		if err := userExists(ctx, tx, userID); err != nil {
			return nil, err
		}
		return scanAPIToken(tx.QueryRowContext(ctx, `INSERT INTO api_tokens (user_id, name, token_hash, created_at)
			VALUES (?, ?, ?, ?) RETURNING `+apiTokenColumns, userID, name, tokenHash, formatTime(tx.now)))
	})
}

// ListAPITokens returns the user's tokens, oldest first.
func (db *DB) ListAPITokens(ctx context.Context, userID int64) ([]APIToken, error) {
	rows, err := db.read.QueryContext(ctx, "SELECT "+apiTokenColumns+" FROM api_tokens WHERE user_id = ? ORDER BY id", userID)
	if err != nil {
		return nil, fail("list API tokens", err)
	}
	defer rows.Close()
	out := []APIToken{}
	for rows.Next() {
		t, err := scanAPIToken(rows)
		if err != nil {
			return nil, fail("list API tokens", err)
		}
		out = append(out, *t)
	}
	if err := rows.Err(); err != nil {
		return nil, fail("list API tokens", err)
	}
	return out, nil
}

// DeleteAPIToken revokes one of the user's tokens; another user's token is
// ENOTFOUND like a missing one.
func (db *DB) DeleteAPIToken(ctx context.Context, userID, id int64) error {
	res, err := db.write.ExecContext(ctx, "DELETE FROM api_tokens WHERE id = ? AND user_id = ?", id, userID)
	if err != nil {
		return fail("delete API token", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fail("delete API token", err)
	}
	if n == 0 {
		return topology.Errorf(topology.ENOTFOUND, "API token %d not found", id)
	}
	db.tokens.forget(id)
	return nil
}

// GetAPITokenUser returns the user a token belongs to and records its use;
// an unknown token, or one of a disabled account, is ENOTFOUND.
func (db *DB) GetAPITokenUser(ctx context.Context, tokenHash []byte) (*User, error) {
	u, _, err := db.GetAPITokenOwner(ctx, tokenHash)
	return u, err
}

// GetAPITokenOwner is GetAPITokenUser with the token's name, which the
// history records with its owner as the author of the token's changes.
func (db *DB) GetAPITokenOwner(ctx context.Context, tokenHash []byte) (*User, string, error) {
	now := db.now()
	if u, name, ok := db.tokens.get(tokenHash, now); ok {
		return u, name, nil
	}
	var tokenID int64
	var name string
	var lastUsed sql.NullString
	row := db.queryRow(ctx, "SELECT t.id, t.name, t.last_used_at, "+userColumnsOf+
		" FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ? AND u.disabled_at IS NULL", tokenHash)
	u, err := scanUser(prefixScanner{row, []any{&tokenID, &name, &lastUsed}})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", topology.Errorf(topology.ENOTFOUND, "API token not found")
	}
	if err != nil {
		return nil, "", fail("get API token", err)
	}
	last, err := parseNullTime(lastUsed)
	if err != nil {
		return nil, "", fail("get API token", err)
	}
	if err := db.touch(ctx, "api_tokens", tokenID, last, now); err != nil {
		return nil, "", fail("get API token", err)
	}
	db.tokens.put(tokenHash, tokenID, name, u, now)
	return u, name, nil
}

// tokenCache remembers, for tokenCacheTTL, whose the tokens recently used
// are: a program calling the API many times a second then costs no query a
// call for it (it was the costliest query of the load suite). Deleting a
// token through the store forgets it at once, and nothing else deletes
// tokens; a second process sharing the file would see a deletion within the
// TTL. Unknown tokens are never remembered, so guessing cannot fill it.
// A change to an account (disabled, admin rights) forgets its tokens too.
type tokenCache struct {
	mu      sync.Mutex
	entries map[string]tokenEntry // by token hash
}

type tokenEntry struct {
	tokenID int64
	name    string
	user    User
	at      time.Time
}

const tokenCacheTTL = 10 * time.Second

func (c *tokenCache) get(hash []byte, now time.Time) (*User, string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[string(hash)]
	if !ok || now.Sub(e.at) >= tokenCacheTTL || now.Before(e.at) {
		return nil, "", false
	}
	u := e.user // a copy: callers may keep or change theirs
	return &u, e.name, true
}

func (c *tokenCache) put(hash []byte, tokenID int64, name string, u *User, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = map[string]tokenEntry{}
	}
	for k, e := range c.entries { // few tokens are in use; drop the stale
		if now.Sub(e.at) >= tokenCacheTTL {
			delete(c.entries, k)
		}
	}
	c.entries[string(hash)] = tokenEntry{tokenID: tokenID, name: name, user: *u, at: now}
}

// forgetUser drops every token of a user: after a change to the account
// (disabled, admin or not) its tokens are looked up afresh.
func (c *tokenCache) forgetUser(userID int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, e := range c.entries {
		if e.user.ID == userID {
			delete(c.entries, k)
		}
	}
}

func (c *tokenCache) forget(tokenID int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, e := range c.entries {
		if e.tokenID == tokenID {
			delete(c.entries, k)
		}
	}
}

// touch records a use of a token or share when the last one recorded is
// older than lastUsedGrain (or none is). Of the requests that find it stale
// at the same moment — a popular link, a busy token — one writes: the
// others would each queue for the one write connection.
func (db *DB) touch(ctx context.Context, table string, id int64, last, now time.Time) error {
	if !last.IsZero() && now.Sub(last) < lastUsedGrain {
		return nil
	}
	key := table + ":" + strconv.FormatInt(id, 10)
	for {
		prev, loaded := db.touched.LoadOrStore(key, now)
		if !loaded {
			break
		}
		if now.Sub(prev.(time.Time)) < lastUsedGrain {
			return nil // recorded a moment ago, or being recorded
		}
		if db.touched.CompareAndSwap(key, prev, now) {
			break
		}
	}
	_, err := db.write.ExecContext(ctx, "UPDATE "+table+" SET last_used_at = ? WHERE id = ?", formatTime(now), id)
	if err != nil {
		db.touched.Delete(key) // not recorded: the next use tries again
	}
	return err
}

// prefixScanner scans leading columns into dest before handing the rest
// to another scan function.
type prefixScanner struct {
	row  scanner
	dest []any
}

func (p prefixScanner) Scan(dest ...any) error {
	return p.row.Scan(append(p.dest[:len(p.dest):len(p.dest)], dest...)...)
}

const apiTokenColumns = "id, user_id, name, created_at, last_used_at"

func scanAPIToken(row scanner) (*APIToken, error) {
	var t APIToken
	var created string
	var lastUsed sql.NullString
	if err := row.Scan(&t.ID, &t.UserID, &t.Name, &created, &lastUsed); err != nil {
		return nil, err
	}
	var err error
	if t.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	if t.LastUsedAt, err = parseNullTime(lastUsed); err != nil {
		return nil, err
	}
	return &t, nil
}
