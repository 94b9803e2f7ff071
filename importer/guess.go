package importer

import (
	"net"
	"net/url"
	"regexp"
	"strings"
	"unicode"

	"github.com/archmap/archmap/topology"
)

// productKinds maps a word of an image name to the kind of service that
// image runs and the technology to record. Only well-known products are
// listed: anything else is a plain service.
var productKinds = map[string]struct {
	kind topology.ServiceKind
	tech string
}{
	"postgres":    {topology.KindDatabase, "postgres"},
	"postgresql":  {topology.KindDatabase, "postgres"},
	"postgis":     {topology.KindDatabase, "postgres"},
	"mysql":       {topology.KindDatabase, "mysql"},
	"mariadb":     {topology.KindDatabase, "mariadb"},
	"mongo":       {topology.KindDatabase, "mongodb"},
	"mongodb":     {topology.KindDatabase, "mongodb"},
	"mssql":       {topology.KindDatabase, "sqlserver"},
	"sqlserver":   {topology.KindDatabase, "sqlserver"},
	"cassandra":   {topology.KindDatabase, "cassandra"},
	"cockroachdb": {topology.KindDatabase, "cockroachdb"},
	"couchdb":     {topology.KindDatabase, "couchdb"},
	"db":          {topology.KindDatabase, ""},
	"redis":       {topology.KindCache, "redis"},
	"valkey":      {topology.KindCache, "valkey"},
	"memcached":   {topology.KindCache, "memcached"},
	"rabbitmq":    {topology.KindQueue, "rabbitmq"},
	"kafka":       {topology.KindQueue, "kafka"},
	"nats":        {topology.KindQueue, "nats"},
	"activemq":    {topology.KindQueue, "activemq"},
	"pulsar":      {topology.KindQueue, "pulsar"},
	"nginx":       {topology.KindGateway, "nginx"},
	"openresty":   {topology.KindGateway, "nginx"},
	"envoy":       {topology.KindGateway, "envoy"},
	"traefik":     {topology.KindGateway, "traefik"},
	"haproxy":     {topology.KindGateway, "haproxy"},
}

// toolWords mark images that merely talk to a product (redis-exporter,
// mongo-express, kafka-ui): such an image is not the product itself.
var toolWords = map[string]bool{
	"exporter": true, "operator": true, "express": true, "commander": true,
	"ui": true, "admin": true, "client": true, "cli": true, "init": true,
	"migrate": true, "migrations": true, "backup": true,
}

// guessKind guesses what a service is from its image (repository path and
// tag, since some projects put the component in the tag:
// "ghcr.io/open-telemetry/demo:latest-kafka"), falling back to the service's
// own name ("catalogue-db", "nginx-thrift"). It returns the kind and the
// product, or KindService and "" when nothing is known.
func guessKind(image, name string) (topology.ServiceKind, string) {
	if k, tech, ok := kindFromWords(imageWords(image)); ok {
		return k, tech
	}
	if k, tech, ok := kindFromWords(words(name)); ok {
		return k, tech
	}
	return topology.KindService, ""
}

func kindFromWords(ws []string) (topology.ServiceKind, string, bool) {
	for _, w := range ws {
		if toolWords[w] {
			return "", "", false
		}
	}
	for _, w := range ws {
		if p, ok := productKinds[w]; ok {
			return p.kind, p.tech, true
		}
	}
	return "", "", false
}

// imageWords splits an image reference into the words of its repository path
// (without the registry host) and of its tag.
func imageWords(image string) []string {
	image = strings.ToLower(strings.TrimSpace(image))
	if i := strings.Index(image, "@"); i >= 0 {
		image = image[:i]
	}
	parts := strings.Split(image, "/")
	if len(parts) > 1 && (strings.ContainsAny(parts[0], ".:") || parts[0] == "localhost") {
		parts = parts[1:]
	}
	return words(strings.Join(parts, "/"))
}

// words splits a name into lower-case words at every non-alphanumeric
// character and at camelCase boundaries: "EventBusConnection" gives
// event, bus, connection; "urls__grpcBasket" gives urls, grpc, basket.
func words(s string) []string {
	var (
		out  []string
		cur  []rune
		prev rune
	)
	flush := func() {
		if len(cur) > 0 {
			out = append(out, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	for _, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if unicode.IsUpper(r) && len(cur) > 0 && (unicode.IsLower(prev) || unicode.IsDigit(prev)) {
				flush()
			}
			cur = append(cur, r)
		default:
			flush()
		}
		prev = r
	}
	flush()
	return out
}

// telemetryMarks are parts of image and service names of telemetry
// back-ends. Calls to and from them are modelled as async: exporters drop
// data rather than fail a request, and a collector's scrapes are not requests.
var telemetryMarks = []string{"otel-collector", "opentelemetry-collector", "otelcol", "jaeger", "zipkin", "prometheus", "grafana", "loki"}

func isTelemetry(image, name string) bool {
	s := strings.ToLower(image + " " + name)
	for _, m := range telemetryMarks {
		if strings.Contains(s, m) {
			return true
		}
	}
	return false
}

// keyKind is what the name of an environment variable (or config key) says
// about its value.
type keyKind struct {
	address   bool // it holds an address: *_HOST, *_ADDR, *Url, ConnectionString...
	telemetry bool // it configures telemetry export: OTEL_*, *ZIPKIN*...
	grpc      bool // it names gRPC: urls__grpcBasket
	health    bool // it is a health-check URL: CatalogUrlHC
	ignore    bool // it holds an image, version or tag, not an address
}

var (
	addressWords = map[string]bool{
		"host": true, "hosts": true, "addr": true, "addrs": true, "address": true, "addresses": true,
		"url": true, "urls": true, "uri": true, "uris": true, "endpoint": true, "endpoints": true,
		"server": true, "servers": true, "connection": true, "broker": true, "brokers": true,
		"dsn": true, "bootstrap": true,
	}
	// A key ending in one of these names a property of the address, or this
	// service's own identity (HOST_NAME, OTEL_SERVICE_NAME), not a callee.
	notAddressLast = map[string]bool{"name": true, "port": true, "id": true, "path": true, "user": true, "username": true, "password": true, "timeout": true, "enabled": true}
	telemetryWords = map[string]bool{"otel": true, "otlp": true, "opamp": true, "zipkin": true, "jaeger": true, "tracing": true}
	ignoreWords    = map[string]bool{"image": true, "version": true, "tag": true}
)

func classifyKey(key string) keyKind {
	ws := words(key)
	var k keyKind
	for _, w := range ws {
		switch {
		case addressWords[w]:
			k.address = true
		case telemetryWords[w]:
			k.telemetry = true
		case w == "grpc":
			k.grpc = true
		}
	}
	// REDIS_IMAGE=redis:7 is not an address; IMAGE_PROVIDER_HOST is.
	if len(ws) > 0 && ignoreWords[ws[len(ws)-1]] {
		k.ignore = true
	}
	if len(ws) > 0 && notAddressLast[ws[len(ws)-1]] {
		k.address = false
	}
	if len(ws) > 0 && ws[len(ws)-1] == "hc" {
		k.health = true
	}
	return k
}

// addrRef is a host found in a value, with what came with it.
type addrRef struct {
	host   string // lower case, no trailing dot
	port   string
	scheme string
	path   string
	bare   bool // the value was only a host name: an address only if the key says so
}

var (
	hostPortRE = regexp.MustCompile(`^(?:[^@/\s]*@)?([A-Za-z0-9][A-Za-z0-9_.-]*):([0-9]{1,5})(/.*)?$`)
	bareHostRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)
	// Keys of semicolon connection strings that hold the server:
	// "Server=sqldata;Database=...", "Host=astronomy-db;Username=...".
	connStringHostKeys = map[string]bool{"server": true, "host": true, "hostname": true, "datasource": true, "address": true, "addr": true, "networkaddress": true}
)

// addressesIn finds the hosts a configuration value names: URLs
// ("postgres://user:pw@astronomy-db/db", "http://identity-api"), host:port
// ("cart:7070", "1@kafka:9093"), comma and space separated lists of those,
// semicolon connection strings ("Server=sqldata;Database=x"), and a bare
// host name ("basketdata"), marked bare. Hosts that never name a service
// (localhost, IP addresses, Docker's host aliases, wildcards) are dropped.
func addressesIn(value string) []addrRef {
	value = strings.TrimSpace(value)
	if value == "" || len(value) > 4096 {
		return nil
	}
	var out []addrRef
	if refs, ok := connStringHosts(value); ok {
		out = refs
	} else {
		for _, tok := range strings.FieldsFunc(value, func(r rune) bool {
			return r == ',' || r == ';' || unicode.IsSpace(r)
		}) {
			if ref, ok := addressIn(tok); ok {
				out = append(out, ref)
			}
		}
	}
	kept := out[:0]
	for _, r := range out {
		if !neverAService(r.host) {
			kept = append(kept, r)
		}
	}
	return kept
}

// connStringHosts reads "Key=value;Key=value" connection strings.
func connStringHosts(value string) ([]addrRef, bool) {
	if !strings.Contains(value, ";") || strings.Contains(value, "://") {
		return nil, false
	}
	var refs []addrRef
	found := false
	for _, part := range strings.Split(value, ";") {
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			continue
		}
		k = strings.ToLower(strings.ReplaceAll(strings.TrimSpace(k), " ", ""))
		if !connStringHostKeys[k] {
			continue
		}
		found = true
		v = strings.TrimSpace(v)
		v = strings.TrimPrefix(strings.TrimPrefix(v, "tcp:"), "TCP:")
		host, port := v, ""
		if h, p, ok := strings.Cut(v, ","); ok { // SQL Server: "host,1433"
			host, port = h, p
		} else if h, p, ok := strings.Cut(v, ":"); ok {
			host, port = h, p
		}
		host = normalizeHost(host)
		if bareHostRE.MatchString(host) {
			refs = append(refs, addrRef{host: host, port: strings.TrimSpace(port), scheme: "connstring"})
		}
	}
	return refs, found
}

func addressIn(tok string) (addrRef, bool) {
	tok = strings.Trim(tok, `"'()[]{}<>`)
	// "-Dspring.data.mongodb.uri=mongodb://x" and "key=value" lists: the
	// address is the value.
	if sep := strings.Index(tok, "://"); sep < 0 {
		tok = tok[strings.LastIndex(tok, "=")+1:]
	} else {
		tok = tok[strings.LastIndex(tok[:sep], "=")+1:]
	}
	tok = strings.TrimPrefix(tok, "jdbc:")
	if strings.Contains(tok, "://") {
		u, err := url.Parse(tok)
		if err != nil {
			return addrRef{}, false
		}
		scheme := strings.ToLower(u.Scheme)
		if scheme == "dns" { // gRPC name syntax: dns:///host:port
			m := hostPortRE.FindStringSubmatch(strings.TrimLeft(u.Path, "/"))
			if m == nil {
				return addrRef{}, false
			}
			return addrRef{host: normalizeHost(m[1]), port: m[2], scheme: scheme}, true
		}
		if strings.Contains(scheme, ":") { // jdbc:sqlserver://... leftovers
			scheme = scheme[strings.LastIndex(scheme, ":")+1:]
		}
		host := normalizeHost(u.Hostname())
		if !bareHostRE.MatchString(host) {
			return addrRef{}, false
		}
		return addrRef{host: host, port: u.Port(), scheme: scheme, path: u.Path}, true
	}
	if m := hostPortRE.FindStringSubmatch(tok); m != nil {
		return addrRef{host: normalizeHost(m[1]), port: m[2], path: m[3]}, true
	}
	if bareHostRE.MatchString(tok) {
		return addrRef{host: normalizeHost(tok), bare: true}, true
	}
	return addrRef{}, false
}

func normalizeHost(h string) string {
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(h)), ".")
}

// neverAService is true for hosts that cannot be another service of the
// input: loopback and wildcard addresses, IP literals, Docker's names for
// the host machine, and strings without a letter (versions, numbers).
func neverAService(h string) bool {
	switch h {
	case "", "localhost", "ip6-localhost", "host.docker.internal", "gateway.docker.internal", "kubernetes.docker.internal":
		return true
	}
	if strings.HasPrefix(h, "docker.for.") || strings.HasSuffix(h, ".localhost") {
		return true
	}
	if net.ParseIP(h) != nil {
		return true
	}
	return !strings.ContainsFunc(h, unicode.IsLetter)
}

// serviceLike is true for a host that reads as the name of a service
// ("shoppingassistantservice", "chatbot") rather than a word that happens to
// sit in an address-like variable ("true", "none") or a domain on the
// internet ("api.example.com"). Only such hosts become external services.
func serviceLike(h string) bool {
	switch h {
	case "true", "false", "yes", "no", "on", "off", "null", "nil", "none", "local", "default", "disabled", "enabled", "auto", "any", "all":
		return false
	}
	if len(h) < 2 || strings.Contains(h, ".") || strings.Contains(h, "_") {
		return false
	}
	return dnsLabelRE.MatchString(h)
}

var dnsLabelRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`)

// isHealthPath is true for URL paths that health checks use.
func isHealthPath(p string) bool {
	p = strings.ToLower(strings.TrimRight(p, "/"))
	for _, s := range []string{"/hc", "/health", "/healthz", "/_healthz", "/healthcheck", "/ready", "/readyz", "/live", "/livez", "/liveness", "/readiness"} {
		if strings.HasSuffix(p, s) {
			return true
		}
	}
	return false
}

// schemeProtocol is what a URL scheme says about the protocol, or "".
func schemeProtocol(scheme string) topology.Protocol {
	switch scheme {
	case "grpc", "grpcs", "dns":
		return topology.ProtocolGRPC
	case "http", "https", "ws", "wss":
		return topology.ProtocolHTTP
	case "postgres", "postgresql", "mysql", "mariadb", "mongodb", "mongodb+srv", "sqlserver", "mssql", "connstring", "cassandra":
		return topology.ProtocolSQL
	case "redis", "rediss", "memcached", "tcp":
		return topology.ProtocolTCP
	case "amqp", "amqps", "kafka", "nats", "plaintext", "ssl", "sasl_plaintext", "sasl_ssl", "pulsar", "stomp", "mqtt":
		return topology.ProtocolQueue
	}
	return ""
}

// sanitizeName makes a name from a file acceptable to the model: control
// characters dropped, invalid UTF-8 replaced, at most MaxNameLen characters.
// Anything else is kept as the files spell it.
func sanitizeName(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	if r := []rune(s); len(r) > topology.MaxNameLen {
		s = string(r[:topology.MaxNameLen])
	}
	if s == "" {
		s = "unnamed"
	}
	return s
}

// sanitizeText keeps a description free of control characters other than
// newlines and tabs, and within bounds.
func sanitizeText(s string, limit int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			return -1
		}
		return r
	}, s)
	if r := []rune(s); len(r) > limit {
		s = string(r[:limit])
	}
	return s
}
