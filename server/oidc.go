package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// OIDCConfig turns on sign-in through an OpenID Connect provider
// (docs/production.md, "Single sign-on"). The flow is the authorization
// code flow with PKCE, state and nonce (auth_oidc.go); the protocol itself
// — discovery, the token exchange, the ID token's signature, issuer,
// audience and expiry — is github.com/coreos/go-oidc/v3 with
// golang.org/x/oauth2, not ours.
type OIDCConfig struct {
	// Issuer is the provider's issuer URL, as its discovery document
	// (Issuer + "/.well-known/openid-configuration") names it.
	Issuer       string
	ClientID     string
	ClientSecret string // "" for a public client (PKCE alone)
	// RedirectURL is where the provider sends the browser back: this
	// server's /auth/oidc/callback at its public address, registered at
	// the provider as is.
	RedirectURL string
	// Name is shown on the sign-in button: "Sign in with {Name}".
	Name string
	// Scopes asked for; openid is always added. Empty: openid email profile.
	Scopes []string
	// AdminGroup, when set, makes the members of this group (a value of
	// the GroupsClaim claim) instance admins and everyone else not,
	// at each sign-in.
	AdminGroup  string
	GroupsClaim string // "" is "groups"
	// EmailDomains, when set, are the only email domains that may sign in
	// this way ("example.com"): a provider open to anyone (Google, GitHub
	// through Dex) would otherwise give an account to every one of its users.
	EmailDomains []string
	// HTTPClient talks to the provider; nil: one with a 15 s timeout.
	HTTPClient *http.Client
}

// OIDCCallbackPath is the route the provider redirects back to.
const OIDCCallbackPath = "/auth/oidc/callback"

// Validate checks the configuration without contacting the provider, with
// messages that name the setting (the flags and ARCHMAP_OIDC_* variables
// of archmap serve are named the same).
func (c *OIDCConfig) Validate() error {
	var problems []string
	if c.Issuer == "" {
		problems = append(problems, "the issuer is missing")
	} else if msg := checkProviderURL(c.Issuer); msg != "" {
		problems = append(problems, fmt.Sprintf("issuer %q: %s", c.Issuer, msg))
	}
	if c.ClientID == "" {
		problems = append(problems, "the client id is missing")
	}
	if c.RedirectURL == "" {
		problems = append(problems, "the redirect URL is missing (this server's public address followed by "+OIDCCallbackPath+")")
	} else if u, err := url.Parse(c.RedirectURL); err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		problems = append(problems, fmt.Sprintf("redirect URL %q: not an absolute http(s) URL", c.RedirectURL))
	} else if u.Path != OIDCCallbackPath || u.RawQuery != "" || u.Fragment != "" {
		problems = append(problems, fmt.Sprintf("redirect URL %q: must end in %s, with no query", c.RedirectURL, OIDCCallbackPath))
	}
	for _, d := range c.EmailDomains {
		if d == "" || strings.ContainsAny(d, "@ \t\n/") || !strings.Contains(d, ".") {
			problems = append(problems, fmt.Sprintf("email domain %q: want a domain such as example.com", d))
		}
	}
	if strings.ContainsAny(c.GroupsClaim, " \t\n") {
		problems = append(problems, fmt.Sprintf("groups claim %q: a claim name has no spaces", c.GroupsClaim))
	}
	if len(problems) > 0 {
		return errors.New("OpenID Connect: " + strings.Join(problems, "; "))
	}
	return nil
}

// checkProviderURL refuses an issuer that is not https, but for a provider
// on this machine (development, tests): the discovery document and keys
// must not be open to tampering on the way.
func checkProviderURL(raw string) string {
	u, err := url.Parse(raw)
	switch {
	case err != nil || u.Host == "":
		return "not an absolute URL"
	case u.Scheme == "https":
		return ""
	case u.Scheme == "http" && isLoopbackHost(u.Hostname()):
		return ""
	case u.Scheme == "http":
		return "must be https (plain http only for a provider on this machine)"
	}
	return "must be an https URL"
}

func isLoopbackHost(h string) bool {
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

func (c *OIDCConfig) buttonName() string {
	if c.Name != "" {
		return c.Name
	}
	return "single sign-on"
}

// domainAllowed reports whether email may sign in under EmailDomains.
func (c *OIDCConfig) domainAllowed(email string) bool {
	if len(c.EmailDomains) == 0 {
		return true
	}
	at := strings.LastIndexByte(email, '@')
	if at < 0 {
		return false
	}
	domain := strings.ToLower(email[at+1:])
	for _, d := range c.EmailDomains {
		if strings.EqualFold(d, domain) {
			return true
		}
	}
	return false
}

func (c *OIDCConfig) groupsClaim() string {
	if c.GroupsClaim != "" {
		return c.GroupsClaim
	}
	return "groups"
}

func (c *OIDCConfig) scopes() []string {
	scopes := []string{oidc.ScopeOpenID}
	asked := c.Scopes
	if len(asked) == 0 {
		asked = []string{"email", "profile"}
	}
	for _, s := range asked {
		if s != oidc.ScopeOpenID && s != "" {
			scopes = append(scopes, s)
		}
	}
	return scopes
}

// oidcClient holds the provider's discovered endpoints. Discovery happens
// at the first sign-in (and is retried until it succeeds), so archmap starts
// while the provider is down and password sign-in keeps working;
// archmap serve tries it once at start to report a wrong issuer early.
type oidcClient struct {
	cfg    OIDCConfig
	client *http.Client
	// strays bounds, per address, the audited refusals of callbacks no
	// browser started (auth_oidc.go).
	strays *loginLimiter

	mu       sync.Mutex
	provider *oidc.Provider
	verifier *oidc.IDTokenVerifier
	oauth2   *oauth2.Config
}

func newOIDCClient(cfg OIDCConfig) *oidcClient {
	c := cfg.HTTPClient
	if c == nil {
		c = &http.Client{Timeout: 15 * time.Second}
	}
	return &oidcClient{cfg: cfg, client: c, strays: newLoginLimiter()}
}

// ctx carries the HTTP client to go-oidc and oauth2.
func (o *oidcClient) ctx(ctx context.Context) context.Context {
	return oidc.ClientContext(ctx, o.client)
}

// discover returns the provider, fetching its discovery document once.
func (o *oidcClient) discover(ctx context.Context) (*oidc.Provider, *oidc.IDTokenVerifier, *oauth2.Config, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.provider != nil {
		return o.provider, o.verifier, o.oauth2, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	p, err := oidc.NewProvider(o.ctx(ctx), o.cfg.Issuer)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("OpenID Connect discovery at %s: %w", o.cfg.Issuer, err)
	}
	o.provider = p
	// The key set outlives this request: it fetches (and refetches, on
	// rotation) the provider's keys with our client.
	o.verifier = p.VerifierContext(o.ctx(context.Background()), &oidc.Config{ClientID: o.cfg.ClientID})
	o.oauth2 = &oauth2.Config{
		ClientID:     o.cfg.ClientID,
		ClientSecret: o.cfg.ClientSecret,
		Endpoint:     p.Endpoint(),
		RedirectURL:  o.cfg.RedirectURL,
		Scopes:       o.cfg.scopes(),
	}
	return o.provider, o.verifier, o.oauth2, nil
}

// CheckOIDC contacts the provider (discovery), so that archmap serve can
// report a wrong issuer or an unreachable provider at start. Without
// OpenID Connect configured it does nothing.
func (s *Server) CheckOIDC(ctx context.Context) error {
	if s.oidc == nil {
		return nil
	}
	_, _, _, err := s.oidc.discover(ctx)
	return err
}
