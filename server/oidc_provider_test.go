package server

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"
)

// The single sign-on tests run a real OpenID provider in the test process:
// zitadel/oidc's op package (certified by the OpenID Foundation) with its
// example storage and login page. Nothing of the protocol is faked: the
// provider checks the client, the redirect URI, PKCE and the single use of
// codes, and signs real ID tokens.
//
// Its example client (storage.WebClient) keeps profile and email out of the
// ID token, as Zitadel does, so archmap reads them at the userinfo endpoint;
// the groups go into the ID token, as Keycloak and Dex put them.

const (
	opClientID     = "archmap"
	opClientSecret = "archmap-test-secret"
	opPassword     = "verysecure"
)

// testOP is the provider, and its users, which tests may change.
type testOP struct {
	*httptest.Server
	issuer string // http://localhost:port
	users  *opUsers
}

// opUsers is the provider's user directory (storage.UserStore).
type opUsers struct {
	mu     sync.Mutex
	byID   map[string]storage.User
	groups map[string][]string // by user id
}

func (u *opUsers) GetUserByID(id string) *storage.User {
	u.mu.Lock()
	defer u.mu.Unlock()
	if x, ok := u.byID[id]; ok {
		return &x
	}
	return nil
}

func (u *opUsers) GetUserByUsername(name string) *storage.User {
	u.mu.Lock()
	defer u.mu.Unlock()
	for _, x := range u.byID {
		if x.Username == name {
			return &x
		}
	}
	return nil
}

func (u *opUsers) ExampleClientID() string { return storage.ServiceUserID }

// add creates or replaces a user whose username is also their id.
func (u *opUsers) add(username, email string, verified bool, groups ...string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.byID[username] = storage.User{ID: username, Username: username, Password: opPassword, FirstName: username, LastName: "Test",
		Email: email, EmailVerified: verified, PreferredLanguage: language.English}
	u.groups[username] = groups
}

// opStorage adds the groups claim to the example storage's ID tokens.
type opStorage struct {
	*storage.Storage
	users *opUsers
}

func (s *opStorage) SetUserinfoFromRequest(ctx context.Context, ui *oidc.UserInfo, req op.IDTokenRequest, scopes []string) error {
	if err := s.Storage.SetUserinfoFromRequest(ctx, ui, req, scopes); err != nil {
		return err
	}
	s.users.mu.Lock()
	defer s.users.mu.Unlock()
	if g := s.users.groups[req.GetSubject()]; len(g) > 0 {
		ui.AppendClaims("groups", g)
	}
	return nil
}

var quietProviderLogs sync.Once

// newTestOP starts the provider; archmapURL is the archmap server whose
// callback the client registers.
func newTestOP(tb testing.TB, archmapURL string) *testOP {
	tb.Helper()
	// The provider logs through slog's default logger, and only there (its
	// WithLogger option is a no-op): a line per request, which would bury
	// a failing test's own output. archmap's server logs through its own.
	quietProviderLogs.Do(func() { slog.SetDefault(slog.New(slog.DiscardHandler)) })
	srv := httptest.NewUnstartedServer(nil)
	// localhost, not 127.0.0.1 as archmap: another site, as a real
	// provider is, so the browser test meets SameSite as it will be.
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	issuer := "http://localhost:" + port
	users := &opUsers{byID: map[string]storage.User{}, groups: map[string][]string{}}
	clients := map[string]*storage.Client{
		opClientID: storage.WebClient(opClientID, opClientSecret, archmapURL+OIDCCallbackPath),
	}
	st := &opStorage{Storage: storage.NewStorageWithClients(users, clients), users: users}
	srv.Config.Handler = exampleop.SetupServer(issuer, st, nil, false)
	srv.Start()
	tb.Cleanup(srv.Close)
	return &testOP{Server: srv, issuer: issuer, users: users}
}

// oidcConfig is the archmap side of the test provider.
func (p *testOP) oidcConfig(archmapURL string) *OIDCConfig {
	return &OIDCConfig{
		Issuer: p.issuer, ClientID: opClientID, ClientSecret: opClientSecret,
		RedirectURL: archmapURL + OIDCCallbackPath, Name: "Test IdP", AdminGroup: "archmap-admins",
	}
}

// newSSOServer is an archmap server that signs in through a fresh test
// provider, with its first account (the admin of /setup) made.
func newSSOServer(tb testing.TB, configure func(*Config)) (*testServer, *testOP) {
	tb.Helper()
	var p *testOP
	ts := newTestServerWith(tb, func(cfg *Config, url string) {
		p = newTestOP(tb, url)
		cfg.OIDC = p.oidcConfig(url)
		if configure != nil {
			configure(cfg)
		}
	})
	ts.signedIn(tb)
	return ts, p
}

// login signs username in at the provider, starting at the authorization
// URL archmap redirected to, and returns the callback URL the provider
// sends the browser back to (not followed).
func (p *testOP) login(tb testing.TB, authURL, username string) string {
	tb.Helper()
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.Get(authURL)
	if err != nil {
		tb.Fatal(err)
	}
	resp.Body.Close()
	loginURL, err := resp.Location()
	if err != nil {
		tb.Fatalf("the provider's authorization endpoint answered %d with no redirect to its login page", resp.StatusCode)
	}
	id := loginURL.Query().Get("authRequestID")
	if id == "" {
		tb.Fatalf("login page %s has no auth request id", loginURL)
	}
	resp, err = hc.PostForm(p.issuer+"/login/username", url.Values{"id": {id}, "username": {username}, "password": {opPassword}})
	if err != nil {
		tb.Fatal(err)
	}
	resp.Body.Close()
	// The login page redirects to the provider's own callback, which
	// redirects to archmap's.
	for range 3 {
		next, err := resp.Location()
		if err != nil {
			tb.Fatalf("the provider answered %d, not a redirect", resp.StatusCode)
		}
		if strings.HasSuffix(next.Path, OIDCCallbackPath) {
			return next.String()
		}
		if resp, err = hc.Get(next.String()); err != nil {
			tb.Fatal(err)
		}
		resp.Body.Close()
	}
	tb.Fatal("the provider never redirected back to archmap")
	return ""
}
