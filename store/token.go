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
	// ReadOnly tokens may only read, whatever their owner's roles.
	ReadOnly bool `json:"read_only"`
}

// TokenOption sets a property of a new API token.
type TokenOption func(*APIToken)

// ReadOnlyToken makes the new token read-only when readOnly is set.
func ReadOnlyToken(readOnly bool) TokenOption {
	return func(t *APIToken) { t.ReadOnly = readOnly }
}

// lastUsedGrain is how stale a "last used" time may get before a use
// records a new one.
const lastUsedGrain = time.Minute

// CreateAPIToken records a token (by its hash) for the user under a name.
func (db *DB) CreateAPIToken(ctx context.Context, userID int64, name string, tokenHash []byte, opts ...TokenOption) (*APIToken, error) {
	var spec APIToken
	for _, o := range opts {
		o(&spec)
	}
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
		return scanAPIToken(tx.QueryRowContext(ctx, `INSERT INTO api_tokens (user_id, name, token_hash, created_at, read_only)
			VALUES (?, ?, ?, ?, ?) RETURNING `+apiTokenColumns, userID, name, tokenHash, formatTime(tx.now), boolInt(spec.ReadOnly)))
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
	return nil
}

// GetAPITokenUser returns the user a token belongs to and records its use;
// an unknown token, or one of a disabled account, is ENOTFOUND.
func (db *DB) GetAPITokenUser(ctx context.Context, tokenHash []byte) (*User, error) {
	g, err := db.AuthenticateAPIToken(ctx, tokenHash)
	if err != nil {
		return nil, err
	}
	return g.User, nil
}

// TokenGrant is what a request with an API token may do: act as User (with
// User's roles), and only read when ReadOnly.
type TokenGrant struct {
	User     *User
	Name     string
	ReadOnly bool
}

// AuthenticateAPIToken returns the grant of a token and records its use;
// an unknown token is ENOTFOUND.
func (db *DB) AuthenticateAPIToken(ctx context.Context, tokenHash []byte) (*TokenGrant, error) {
	now := db.now()
	// Read before the token: a revocation that commits between the two
	// reads leaves an entry of the older generation, dropped next time.
	gen, err := db.authGeneration(ctx)
	if err != nil {
		return nil, fail("get API token", err)
	}
	if g, ok := db.tokens.get(tokenHash, gen, now); ok {
		return g, nil
	}
	var tokenID int64
	var name string
	var readOnly bool
	var lastUsed sql.NullString
	row := db.queryRow(ctx, "SELECT t.id, t.name, t.read_only, t.last_used_at, "+userColumnsOf+
		" FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ? AND u.disabled_at IS NULL", tokenHash)
	u, err := scanUser(prefixScanner{row, []any{&tokenID, &name, &readOnly, &lastUsed}})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, topology.Errorf(topology.ENOTFOUND, "API token not found")
	}
	if err != nil {
		return nil, fail("get API token", err)
	}
	last, err := parseNullTime(lastUsed)
	if err != nil {
		return nil, fail("get API token", err)
	}
	if err := db.touch(ctx, "api_tokens", tokenID, last, now); err != nil {
		return nil, fail("get API token", err)
	}
	g := &TokenGrant{User: u, Name: name, ReadOnly: readOnly}
	db.tokens.put(tokenHash, g, gen, now)
	return g, nil
}

// authGeneration reads the number that every change of API access bumps
// (migrations/0013_cluster.sql), in whichever process or node it was made.
func (db *DB) authGeneration(ctx context.Context) (int64, error) {
	var gen int64
	err := db.queryRow(ctx, "SELECT generation FROM auth_generation WHERE id = 1").Scan(&gen)
	return gen, err
}

// tokenCache remembers whose the tokens recently used are, so that a
// program calling the API many times a second costs a one-row read per
// call instead of the token-and-owner join (it was the costliest query of
// the load suite). Several nodes may share the database, so nothing that
// grants access may outlive a revocation made on another one: each entry
// carries the auth generation it was read at, and an entry of an older
// generation is read again. The database's triggers bump the generation on
// every deletion or change of a token or user, whatever made it, so a token
// deleted on node A is refused by node B on its next request.
//
// Why not LISTEN/NOTIFY or checking the join each time: a notification
// arrives some time after the commit, so a request in between would still
// pass; the join costs 19–35 µs a call on SQLite against 4–5 µs for the
// generation alone (BenchmarkAPITokenOwner, 2 goroutines), and both are
// one round trip on PostgreSQL. The TTL now only bounds how stale "last used" may get and
// how long a token no longer used stays in memory. Unknown tokens are never
// remembered, so guessing cannot fill it.
type tokenCache struct {
	mu      sync.Mutex
	entries map[string]tokenEntry // by token hash
}

type tokenEntry struct {
	name     string
	readOnly bool
	user     User
	gen      int64
	at       time.Time
}

const tokenCacheTTL = 10 * time.Second

func (c *tokenCache) get(hash []byte, gen int64, now time.Time) (*TokenGrant, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[string(hash)]
	if !ok || e.gen != gen || now.Sub(e.at) >= tokenCacheTTL || now.Before(e.at) {
		return nil, false
	}
	u := e.user // a copy: callers may keep or change theirs
	return &TokenGrant{User: &u, Name: e.name, ReadOnly: e.readOnly}, true
}

func (c *tokenCache) put(hash []byte, g *TokenGrant, gen int64, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = map[string]tokenEntry{}
	}
	for k, e := range c.entries { // few tokens are in use; drop the stale
		if now.Sub(e.at) >= tokenCacheTTL || e.gen != gen {
			delete(c.entries, k)
		}
	}
	c.entries[string(hash)] = tokenEntry{name: g.Name, readOnly: g.ReadOnly, user: *g.User, gen: gen, at: now}
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

const apiTokenColumns = "id, user_id, name, created_at, last_used_at, read_only"

func scanAPIToken(row scanner) (*APIToken, error) {
	var t APIToken
	var created string
	var lastUsed sql.NullString
	if err := row.Scan(&t.ID, &t.UserID, &t.Name, &created, &lastUsed, &t.ReadOnly); err != nil {
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

// boolInt is a boolean as the schema keeps it: INTEGER 0 or 1, the same in
// SQLite and PostgreSQL.
func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
