package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
)

// Session ids, API tokens and share link tokens are secrets of one kind: 256
// random bits, base64url-encoded. Only their SHA-256 is stored, so a copy of
// the database signs nobody in, calls no API and opens no link. A secret has
// all the entropy it needs, so a fast hash suffices (no salt, no stretching),
// and the lookup by hash is an index search rather than a comparison of
// secrets that could leak by its timing.

const (
	// SecretLen is the length of a secret as sent: 32 bytes in base64url.
	SecretLen = 43
	// HashLen is the length of a secret's hash as stored.
	HashLen = sha256.Size
)

// NewSecret returns a new random secret, to be given out once, and the hash
// to store for it.
func NewSecret() (secret string, hash []byte, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", nil, err
	}
	secret = base64.RawURLEncoding.EncodeToString(b)
	return secret, HashSecret(secret), nil
}

// HashSecret returns the hash under which a secret is stored and looked up.
func HashSecret(secret string) []byte {
	sum := sha256.Sum256([]byte(secret))
	return sum[:]
}

// WellFormed reports whether s could be a secret of ours: anything of
// another length cannot match and is refused without a lookup.
func WellFormed(s string) bool { return len(s) == SecretLen }
