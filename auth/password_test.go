package auth

import (
	"strings"
	"testing"

	"github.com/archmap/archmap/topology"
)

var cheap = Hasher{Params: TestParams()}

func TestHashAndVerify(t *testing.T) {
	h, err := cheap.Hash("a long password")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(h), "$argon2id$v=19$m=8192,t=1,p=1$") {
		t.Errorf("hash %q is not PHC argon2id at the hasher's cost", h)
	}
	h2, err := cheap.Hash("a long password")
	if err != nil {
		t.Fatal(err)
	}
	if string(h) == string(h2) {
		t.Error("two hashes of one password are equal: no salt")
	}
	for pw, want := range map[string]bool{
		"a long password":             true,
		"a long passwore":             false,
		"a long password ":            false,
		"":                            false,
		strings.Repeat("x", 1<<20):    false,
		"A LONG PASSWORD":             false,
		"a long password\x00trailing": false,
	} {
		ok, err := cheap.Verify(h, pw)
		if err != nil || ok != want {
			t.Errorf("Verify(%.20q) = %v, %v; want %v", pw, ok, err, want)
		}
	}
}

// The zero Hasher is what production uses: RFC 9106's 64 MiB with 2 passes.
func TestZeroHasherUsesTheDefaultCost(t *testing.T) {
	h, err := Hasher{}.Hash("production cost probe")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(h), "$argon2id$v=19$m=65536,t=2,p=2$") {
		t.Errorf("new accounts are hashed as %q, want m=65536,t=2,p=2", h)
	}
}

// Hashes stored by archmap before this package existed (server.HashPassword
// at the production cost and at the tests' cost) must keep signing in:
// verification reads the parameters from each hash, whatever the Hasher's.
func TestHashesFromBeforeStillVerify(t *testing.T) {
	const pw = "correct horse battery staple"
	for _, old := range []string{
		"$argon2id$v=19$m=65536,t=2,p=2$/JByLtAz0jQY38b6MpfZqw$r2J/ltDN6rAwx+UH6kppsyUg0FBr4MoTeRX3Wukcj1s",
		"$argon2id$v=19$m=8192,t=1,p=1$bWHoh8a+51A/YgGGuvMmeQ$ZcRQE//A5X/Df35WbTEUxmEXvubyRBLPuqwkczbm3ME",
	} {
		for _, h := range []Hasher{cheap, {}} {
			if ok, err := h.Verify([]byte(old), pw); err != nil || !ok {
				t.Errorf("Verify(old hash %.30s…) with %+v = %v, %v; want true", old, h.Params, ok, err)
			}
			if ok, _ := h.Verify([]byte(old), pw+"!"); ok {
				t.Errorf("old hash %.30s… accepted a wrong password", old)
			}
		}
	}
}

func TestVerifyRefusesMalformedHashes(t *testing.T) {
	good, err := cheap.Hash("a long password")
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(string(good), "$")
	with := func(i int, v string) []byte {
		p := append([]string(nil), parts...)
		p[i] = v
		return []byte(strings.Join(p, "$"))
	}
	for name, h := range map[string][]byte{
		"empty":           {},
		"bcrypt":          []byte("$2a$10$abcdefghijklmnopqrstuu5Cz8sJ0L8Q1r1d3l1a2m3b4c5d6e7f8g"),
		"argon2i":         with(1, "argon2i"),
		"old version":     with(2, "v=16"),
		"no parameters":   with(3, "m=8192"),
		"zero passes":     with(3, "m=8192,t=0,p=1"),
		"zero threads":    with(3, "m=8192,t=1,p=0"),
		"salt not base64": with(4, "***"),
		"key not base64":  with(5, "***"),
		"too few fields":  []byte(strings.Join(parts[:5], "$")),
	} {
		ok, err := cheap.Verify(h, "a long password")
		if ok || err == nil {
			t.Errorf("%s: Verify = %v, %v; want false and an error", name, ok, err)
		}
	}
}

// A missing account costs a hash and never signs in, whatever the password.
func TestVerifyWithoutAnAccount(t *testing.T) {
	for _, pw := range []string{"a long password", "", strings.Repeat("x", MaxPasswordLen+1)} {
		if ok, err := cheap.Verify(nil, pw); ok || err != nil {
			t.Errorf("Verify(nil, %.20q) = %v, %v; want false, nil", pw, ok, err)
		}
	}
}

// An account without a password (single sign-on only) never signs in with
// one, and is no error: the sign-in form answers as for a wrong password.
func TestVerifyNoPassword(t *testing.T) {
	for _, pw := range []string{"a long password", "", string(NoPassword)} {
		if ok, err := cheap.Verify(NoPassword, pw); ok || err != nil {
			t.Errorf("Verify(NoPassword, %.20q) = %v, %v; want false, nil", pw, ok, err)
		}
	}
}

func TestPasswordRules(t *testing.T) {
	for pw, ok := range map[string]bool{
		"":                                    false,
		"short":                               false,
		"123456789":                           false,
		"1234567890":                          true,
		"ééééééééé":                           false, // 9 characters, 18 bytes
		"éééééééééé":                          true,
		strings.Repeat("x", MaxPasswordLen):   true,
		strings.Repeat("x", MaxPasswordLen+1): false,
	} {
		if got := CheckPasswordRules(pw) == ""; got != ok {
			t.Errorf("CheckPasswordRules(%.20q) accepts: %v, want %v", pw, got, ok)
		}
		_, err := cheap.Hash(pw)
		if ok != (err == nil) {
			t.Errorf("Hash(%.20q) = %v", pw, err)
		}
		if !ok && topology.ErrorCode(err) != topology.EINVALID {
			t.Errorf("Hash(%.20q) refused with %v, want EINVALID", pw, err)
		}
	}
}

func TestHasherRefusesACostArgon2CannotRun(t *testing.T) {
	for _, p := range []Params{{Time: 0, Memory: 8192, Threads: 1}, {Time: 1, Memory: 8192, Threads: 0}} {
		if _, err := (Hasher{Params: p}).Hash("a long password"); err == nil {
			t.Errorf("Hash with %+v: no error", p)
		}
	}
}
