package main

import (
	"flag"
	"strings"

	"github.com/archmap/archmap/server"
)

// oidcFlags are serve's single sign-on flags (docs/production.md, "Single
// sign-on"); each has its ARCHMAP_OIDC_* twin, and the client secret is
// best given that way, out of the process list.
type oidcFlags struct {
	issuer, clientID, clientSecret, redirectURL string
	name, scopes, adminGroup, groupsClaim       string
	emailDomains                                string
}

func (f *oidcFlags) add(fs *flag.FlagSet) {
	fs.StringVar(&f.issuer, "oidc-issuer", "", "OpenID Connect issuer URL; turns single sign-on on (e.g. https://keycloak.example.com/realms/acme)")
	fs.StringVar(&f.clientID, "oidc-client-id", "", "client id registered at the OpenID provider")
	fs.StringVar(&f.clientSecret, "oidc-client-secret", "", "client secret registered at the OpenID provider (prefer ARCHMAP_OIDC_CLIENT_SECRET)")
	fs.StringVar(&f.redirectURL, "oidc-redirect-url", "", "redirect URL registered at the provider (default: --base-url + "+server.OIDCCallbackPath+")")
	fs.StringVar(&f.name, "oidc-name", "", "provider name on the sign-in button (default: single sign-on)")
	fs.StringVar(&f.scopes, "oidc-scopes", "openid email profile", "space-separated scopes to ask for (add groups for Dex)")
	fs.StringVar(&f.adminGroup, "oidc-admin-group", "", "members of this group (a value of the groups claim) are instance admins, others not")
	fs.StringVar(&f.groupsClaim, "oidc-groups-claim", "groups", "the claim that lists a user's groups")
	fs.StringVar(&f.emailDomains, "oidc-email-domains", "", "comma-separated email domains that may sign in (default: any the provider vouches for)")
}

// config is the server's OIDC configuration, nil when --oidc-issuer is not
// set; a partial or wrong configuration is a usage error, so that the
// server does not start with a sign-in button that cannot work.
func (f *oidcFlags) config(baseURL string) (*server.OIDCConfig, error) {
	if f.issuer == "" {
		if f.clientID != "" || f.clientSecret != "" || f.redirectURL != "" || f.adminGroup != "" {
			return nil, usageError("single sign-on: --oidc-issuer (ARCHMAP_OIDC_ISSUER) is missing, but other --oidc-* settings are given")
		}
		return nil, nil
	}
	redirect := f.redirectURL
	if redirect == "" && baseURL != "" {
		redirect = strings.TrimRight(baseURL, "/") + server.OIDCCallbackPath
	}
	c := &server.OIDCConfig{
		Issuer:       f.issuer,
		ClientID:     f.clientID,
		ClientSecret: f.clientSecret,
		RedirectURL:  redirect,
		Name:         f.name,
		Scopes:       strings.Fields(f.scopes),
		AdminGroup:   f.adminGroup,
		GroupsClaim:  f.groupsClaim,
	}
	for _, d := range strings.Split(f.emailDomains, ",") {
		if d = strings.TrimSpace(d); d != "" {
			c.EmailDomains = append(c.EmailDomains, d)
		}
	}
	if err := c.Validate(); err != nil {
		return nil, usageError("%v (flags --oidc-*, or ARCHMAP_OIDC_* variables)", err)
	}
	return c, nil
}
