// Package auth is archmap's credentials as domain logic, free of HTTP and
// SQL: password rules and hashing, and the random secrets — session ids,
// API tokens, share link tokens — with the hashes they are stored under.
// The server and the command line both use it, so an account or a token
// made by either is the same.
package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/archmap/archmap/topology"
)

// Password rules: long enough to resist guessing, short enough that nobody
// makes the server hash megabytes.
const (
	MinPasswordLen = 10   // characters
	MaxPasswordLen = 1024 // bytes; argon2 would hash more, but nobody types it
)

// CheckPasswordRules returns why a new password is not acceptable, or "".
// The reason reads after "password": "must be at least 10 characters".
func CheckPasswordRules(pw string) string {
	switch {
	case utf8.RuneCountInString(pw) < MinPasswordLen:
		return fmt.Sprintf("must be at least %d characters", MinPasswordLen)
	case len(pw) > MaxPasswordLen:
		return fmt.Sprintf("must be at most %d bytes", MaxPasswordLen)
	}
	return ""
}

// Params are argon2id's costs for new hashes.
type Params struct {
	Time    uint32 // passes
	Memory  uint32 // KiB
	Threads uint8
}

// DefaultParams is the cost real accounts are hashed with: RFC 9106's second
// recommended option (64 MiB) with 2 passes.
func DefaultParams() Params { return Params{Time: 2, Memory: 64 * 1024, Threads: 2} }

// TestParams is a cost for tests only, which sign in often and would spend
// most of their time hashing at the real one (seconds under the race
// detector). A password hashed at this cost is quick to crack.
func TestParams() Params { return Params{Time: 1, Memory: 8 * 1024, Threads: 1} }

const (
	keyLen  = 32
	saltLen = 16
)

// Hasher hashes passwords with argon2id (RFC 9106) into the PHC string
// format ("$argon2id$v=19$m=…,t=…,p=…$salt$key"), so each hash carries its
// parameters: Verify uses those, and raising Params later leaves every
// stored hash valid. The zero Hasher uses DefaultParams.
type Hasher struct {
	Params Params
}

func (h Hasher) params() Params {
	if h.Params == (Params{}) {
		return DefaultParams()
	}
	return h.Params
}

// Hash returns the hash of a new password, or EINVALID when pw breaks the
// rules.
func (h Hasher) Hash(pw string) ([]byte, error) {
	if msg := CheckPasswordRules(pw); msg != "" {
		return nil, topology.Errorf(topology.EINVALID, "password %s", msg)
	}
	p := h.params()
	if p.Time < 1 || p.Threads < 1 {
		return nil, fmt.Errorf("auth: argon2id needs at least one pass and one thread, got %+v", p)
	}
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return nil, err
	}
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, keyLen)
	enc := base64.RawStdEncoding
	return fmt.Appendf(nil, "$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// NoPassword is stored as the password hash of an account that has no
// password (one created at its first single sign-on): it is not an argon2id
// hash, so no password matches it.
var NoPassword = []byte("!no-password")

// IsNoPassword reports whether hash is NoPassword.
func IsNoPassword(hash []byte) bool { return string(hash) == string(NoPassword) }

// Verify reports whether pw matches hash, comparing in constant time.
//
// A nil hash stands for an account that does not exist: pw is then hashed
// at the Hasher's cost all the same and never matches, so a sign-in for an
// unknown email takes as long as one with a wrong password and does not
// tell which emails have accounts.
//
// NoPassword, the hash of an account that signs in only through its
// identity provider, is checked the same way and never matches.
func (h Hasher) Verify(hash []byte, pw string) (bool, error) {
	if hash == nil || IsNoPassword(hash) {
		if len(pw) > MaxPasswordLen {
			return false, nil // as for a real account: refused unhashed
		}
		p := h.params()
		argon2.IDKey([]byte(pw), make([]byte, saltLen), p.Time, p.Memory, p.Threads, keyLen)
		return false, nil
	}
	parts := strings.Split(string(hash), "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errors.New("unknown password hash format")
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, fmt.Errorf("unsupported argon2 version %q", parts[2])
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false, fmt.Errorf("bad argon2 parameters %q: %w", parts[3], err)
	}
	if t < 1 || p < 1 {
		return false, fmt.Errorf("bad argon2 parameters %q", parts[3])
	}
	enc := base64.RawStdEncoding
	salt, err := enc.DecodeString(parts[4])
	if err != nil {
		return false, fmt.Errorf("bad argon2 salt: %w", err)
	}
	want, err := enc.DecodeString(parts[5])
	if err != nil {
		return false, fmt.Errorf("bad argon2 key: %w", err)
	}
	if len(pw) > MaxPasswordLen {
		return false, nil
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}
