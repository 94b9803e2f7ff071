package server

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/archmap/archmap/topology"
)

// Passwords are hashed with argon2id (RFC 9106) and stored in the PHC string
// format, so the parameters travel with each hash and can be raised later
// without invalidating old ones.
type argonParams struct {
	time    uint32
	memory  uint32 // KiB
	threads uint8
}

// passwordCost is what new hashes are made with (RFC 9106's second
// recommended option, with 2 passes). Tests lower it: a hash under the race
// detector takes seconds. Verification uses the parameters in each hash.
var passwordCost = argonParams{time: 2, memory: 64 * 1024, threads: 2}

const (
	argonKeyLen  = 32
	argonSaltLen = 16

	// maxConcurrentHashes bounds memory: each hash takes passwordCost.memory.
	maxConcurrentHashes = 4

	MinPasswordLen = 10
	maxPasswordLen = 1024 // bytes; argon2 would hash more, but nobody types it
)

// CheckPasswordRules returns why a new password is not acceptable, or "".
func CheckPasswordRules(pw string) string {
	switch {
	case utf8.RuneCountInString(pw) < MinPasswordLen:
		return fmt.Sprintf("must be at least %d characters", MinPasswordLen)
	case len(pw) > maxPasswordLen:
		return fmt.Sprintf("must be at most %d bytes", maxPasswordLen)
	}
	return ""
}

// HashPassword returns the argon2id hash of pw in PHC format. The CLI's
// `archmap user add` uses it too, so every account is hashed the same way.
func HashPassword(pw string) ([]byte, error) {
	if msg := CheckPasswordRules(pw); msg != "" {
		return nil, topology.Errorf(topology.EINVALID, "password %s", msg)
	}
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return nil, err
	}
	c := passwordCost
	key := argon2.IDKey([]byte(pw), salt, c.time, c.memory, c.threads, argonKeyLen)
	enc := base64.RawStdEncoding
	return fmt.Appendf(nil, "$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, c.memory, c.time, c.threads, enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// checkPassword reports whether pw matches the PHC-format hash.
func checkPassword(hash []byte, pw string) (bool, error) {
	parts := strings.Split(string(hash), "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, fmt.Errorf("unknown password hash format")
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, fmt.Errorf("unsupported argon2 version %q", parts[2])
	}
	var m uint32
	var t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false, fmt.Errorf("bad argon2 parameters %q: %w", parts[3], err)
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
	if len(pw) > maxPasswordLen {
		return false, nil
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// dummyHash is compared against when the email is unknown, so that a login
// for a missing account takes as long as one with a wrong password and does
// not reveal which emails exist.
var dummyHash = sync.OnceValue(func() []byte {
	h, err := HashPassword("archmap-no-such-user-password")
	if err != nil {
		panic(err)
	}
	return h
})
