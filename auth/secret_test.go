package auth

import (
	"encoding/base64"
	"encoding/hex"
	"testing"
)

func TestNewSecret(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		s, h, err := NewSecret()
		if err != nil {
			t.Fatal(err)
		}
		if !WellFormed(s) {
			t.Fatalf("secret %q is %d characters, want %d", s, len(s), SecretLen)
		}
		raw, err := base64.RawURLEncoding.DecodeString(s)
		if err != nil || len(raw) != 32 {
			t.Fatalf("secret %q is not 32 bytes of base64url: %v", s, err)
		}
		if len(h) != HashLen || string(h) != string(HashSecret(s)) {
			t.Fatalf("NewSecret's hash %x is not HashSecret of its secret", h)
		}
		if seen[s] {
			t.Fatalf("secret %q came twice", s)
		}
		seen[s] = true
	}
}

// Sessions, tokens and share links already stored were hashed with SHA-256
// of the secret's text; the hash must not change, or they all stop working.
func TestHashSecretIsStable(t *testing.T) {
	got := hex.EncodeToString(HashSecret("wKq1kY8d3nF0bqJ3W1yXo2mZ5c9vR7tLh6uE4sA0pQz"))
	if want := "be45398f88bdae64b3c2375a907307c6db04c3e59683b38cebeffc7bbb0f2ab0"; got != want {
		t.Errorf("HashSecret = %s, want %s (the hash stored by earlier versions)", got, want)
	}
}

func TestWellFormed(t *testing.T) {
	for s, want := range map[string]bool{"": false, "abc": false, string(make([]byte, SecretLen)): true, string(make([]byte, SecretLen+1)): false} {
		if WellFormed(s) != want {
			t.Errorf("WellFormed(len %d) = %v", len(s), !want)
		}
	}
}
