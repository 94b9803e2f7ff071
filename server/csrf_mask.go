package server

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
)

// Pages are compressed (gzip), and a compressed page that reflects
// something an attacker chose next to a secret leaks the secret through
// its length (BREACH). So the CSRF token never appears as itself: each
// response carries it masked with a fresh random pad, as pad || pad⊕token,
// and the check unmasks what the browser sends back. The token stays the
// same (bound to the session); what the page shows differs every time.

// maskCSRF returns a one-time form of the token.
func maskCSRF(token string) string {
	n := len(token)
	buf := make([]byte, 2*n)
	if _, err := rand.Read(buf[:n]); err != nil {
		// crypto/rand does not fail on supported platforms (Go 1.24+
		// crashes the program instead); keep the signature honest anyway.
		panic(err)
	}
	for i := range n {
		buf[n+i] = buf[i] ^ token[i]
	}
	return base64.RawURLEncoding.EncodeToString(buf)
}

// csrfMatches reports whether sent is a masked form of token.
func csrfMatches(sent, token string) bool {
	raw, err := base64.RawURLEncoding.DecodeString(sent)
	if err != nil || len(raw) != 2*len(token) || len(token) == 0 {
		return false
	}
	n := len(token)
	plain := make([]byte, n)
	for i := range n {
		plain[i] = raw[i] ^ raw[n+i]
	}
	return subtle.ConstantTimeCompare(plain, []byte(token)) == 1
}
