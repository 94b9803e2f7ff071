package main

import (
	"strings"
	"testing"
)

// Single sign-on settings are checked before serve opens anything, from
// flags or their ARCHMAP_* twins, with messages that name the setting.
func TestServeSingleSignOnSettings(t *testing.T) {
	full := map[string]string{
		"ARCHMAP_OIDC_ISSUER":        "https://id.example.com/realms/acme",
		"ARCHMAP_OIDC_CLIENT_ID":     "archmap",
		"ARCHMAP_OIDC_CLIENT_SECRET": "s3cret",
		"ARCHMAP_OIDC_REDIRECT_URL":  "https://archmap.example.com/auth/oidc/callback",
	}
	with := func(k, v string) map[string]string {
		m := map[string]string{}
		for a, b := range full {
			m[a] = b
		}
		if v == "" {
			delete(m, k)
		} else {
			m[k] = v
		}
		return m
	}
	tests := []struct {
		name    string
		environ map[string]string
		args    []string
		want    string
	}{
		{"password sign-in off without a provider", nil, []string{"serve", "--password-signin", "off"}, "--password-signin off needs single sign-on"},
		{"password sign-in off by its variable", map[string]string{"ARCHMAP_PASSWORD_SIGNIN": "off"}, []string{"serve"}, "needs single sign-on"},
		{"password sign-in neither on nor off", nil, []string{"serve", "--password-signin", "no"}, "want on or off"},
		{"a client id without an issuer", map[string]string{"ARCHMAP_OIDC_CLIENT_ID": "archmap"}, []string{"serve"}, "ARCHMAP_OIDC_ISSUER) is missing"},
		{"no client id", with("ARCHMAP_OIDC_CLIENT_ID", ""), []string{"serve"}, "client id is missing"},
		{"no redirect URL and no base URL", with("ARCHMAP_OIDC_REDIRECT_URL", ""), []string{"serve"}, "redirect URL is missing"},
		{"plain http issuer", with("ARCHMAP_OIDC_ISSUER", "http://id.example.com"), []string{"serve"}, "must be https"},
		{"redirect URL of another path", with("ARCHMAP_OIDC_REDIRECT_URL", "https://archmap.example.com/cb"), []string{"serve"}, "must end in /auth/oidc/callback"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, "", tt.environ, tt.args...)
			if r.code != 2 || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want exit 2 mentioning %q", r.code, r.stderr, tt.want)
			}
		})
	}
	// The redirect URL defaults to the base URL's callback.
	f := oidcFlags{issuer: full["ARCHMAP_OIDC_ISSUER"], clientID: "archmap"}
	c, err := f.config("https://archmap.example.com/")
	if err != nil || c.RedirectURL != "https://archmap.example.com/auth/oidc/callback" {
		t.Errorf("config from the base URL: %+v, %v", c, err)
	}
}
