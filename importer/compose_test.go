package importer

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/archmap/archmap/topology"
)

func TestComposeProfiles(t *testing.T) {
	files := inFiles("shop",
		"compose.yaml", `
services:
  web:
    image: acme/web
    environment:
      DEBUG_URL: http://debugger:9000
  db:
    image: postgres:16
  debugger:
    image: acme/debugger
    profiles: [debug]
  loadtest:
    image: acme/k6
    profiles: [test]
`)
	tests := []struct {
		name     string
		profiles []string
		services []string
		edges    []string
	}{
		{"none enabled, like docker compose up", nil, []string{"web", "db"}, nil},
		{"one profile", []string{"debug"}, []string{"web", "db", "debugger"}, []string{"web->debugger"}},
		{"every profile", []string{"*"}, []string{"web", "db", "debugger", "loadtest"}, []string{"web->debugger"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, rep := mustCompose(t, files, ComposeOptions{Profiles: tt.profiles})
			sameSet(t, "services", serviceNames(m), tt.services)
			sameSet(t, "dependencies", edges(m), tt.edges)
			if len(tt.profiles) == 0 {
				if !anyContains(rep.Skipped, "debugger (profiles debug)") || !anyContains(rep.Skipped, "--profile") {
					t.Errorf("the services left out by profile are not reported with a hint: %v", rep.Skipped)
				}
				// An address of a service whose profile is off is neither a
				// dependency nor an external service.
				if !anyContains(rep.Skipped, "DEBUG_URL names debugger") {
					t.Errorf("the address of a disabled service is not reported: %v", rep.Skipped)
				}
			}
		})
	}
}

func TestComposeAddressesMatchExactly(t *testing.T) {
	files := inFiles("shop", "compose.yaml", `
services:
  cart:
    image: acme/cart
    environment:
      SELF_URL: http://cart:8080
  cartservice:
    image: acme/cartservice
  cart-db:
    image: acme/store
  frontend:
    image: acme/frontend
    environment:
      CART_URL: http://cartservice:80
      CART_DB_HOST: cart-db
      NOTE: the cart is great
      GREETING: cart
`)
	m, _ := mustCompose(t, files, ComposeOptions{})
	// "cart" must not match "cartservice" or "cart-db"; a prose value and a
	// bare value under a key that is not an address name nothing; SELF_URL
	// is cart's own address.
	sameSet(t, "dependencies", edges(m), []string{"frontend->cartservice", "frontend->cart-db"})
}

func TestComposeAliasesLinksAndReplicas(t *testing.T) {
	files := inFiles("app", "compose.yml", `
name: Shop-App
services:
  api:
    image: acme/api
    links: ["db:database"]
    deploy:
      replicas: 3
    environment:
      - DATABASE_URL=mysql://database:3306/shop
      - SEARCH_URL=http://search.internal:9200
      - QUEUE_BROKERS=mq-a:5672,mq-b:5672
  db:
    image: mysql:8
    container_name: shop-mysql
  search:
    image: acme/search
    networks:
      default:
        aliases: [search.internal]
  worker:
    image: acme/worker
    scale: 2
    environment:
      MYSQL_HOST: shop-mysql
  idle:
    image: acme/idle
    deploy:
      replicas: 0
`)
	m, rep := mustCompose(t, files, ComposeOptions{})
	if m.Name != "shop-app" {
		t.Errorf("name = %q, want compose's normalized project name from name:", m.Name)
	}
	for s, want := range map[string]int{"api": 3, "db": 1, "worker": 2, "idle": 0} {
		if got := instances(m, s); got != want {
			t.Errorf("instances of %s = %d, want %d", s, got, want)
		}
	}
	if !anyContains(rep.Skipped, "idle: 0 replicas") {
		t.Errorf("the unplaced service is not reported: %v", rep.Skipped)
	}
	// database is a link alias, search.internal a network alias, shop-mysql
	// a container_name; mq-a and mq-b are not deployed.
	sameSet(t, "dependencies", edges(m), []string{"api->db", "api->search", "worker->db", "api->mq-a", "api->mq-b"})
	d := reportDep(t, rep, "api", "db")
	if !strings.Contains(d.Reason, "DATABASE_URL") || !strings.Contains(d.Reason, "links") || d.Protocol != topology.ProtocolSQL {
		t.Errorf("api -> db = %+v, want sql from DATABASE_URL and links", d)
	}
	if k := service(t, m, "mq-a").Kind; k != topology.KindExternal {
		t.Errorf("mq-a kind = %s, want external", k)
	}
	if !anyContains(rep.Warnings, "mq-b is not deployed") {
		t.Errorf("no warning for the external mq-b: %v", rep.Warnings)
	}
}

func TestComposeOneOffTasksAreNotCalled(t *testing.T) {
	files := inFiles("p", "compose.yaml", `
services:
  migrate:
    image: acme/migrate
  db:
    image: postgres
  api:
    image: acme/api
    depends_on:
      migrate:
        condition: service_completed_successfully
      db:
        condition: service_healthy
`)
	m, rep := mustCompose(t, files, ComposeOptions{})
	sameSet(t, "dependencies", edges(m), []string{"api->db"})
	if !anyContains(rep.Skipped, "api depends_on migrate to complete first") {
		t.Errorf("the one-off task is not reported: %v", rep.Skipped)
	}
}

func TestComposeEnvFiles(t *testing.T) {
	compose := `
services:
  api:
    image: acme/api
    env_file: [api.env, missing.env]
    environment:
      OVERRIDDEN_HOST: cache
  db:
    image: postgres
  cache:
    image: redis
  other:
    image: acme/other
`
	files := inFiles("proj",
		"compose.yaml", compose,
		"api.env", "DB_HOST=db\nOVERRIDDEN_HOST=other\n",
		".env", "UNUSED=1\n")
	m, rep := mustCompose(t, files, ComposeOptions{})
	// environment wins over env_file, as in compose.
	sameSet(t, "dependencies", edges(m), []string{"api->db", "api->cache"})
	if d := reportDep(t, rep, "api", "db"); !strings.HasSuffix(d.File, "api.env") || d.Line != 1 || !strings.Contains(d.Reason, "env_file") {
		t.Errorf("api -> db = %+v, want cited to the env_file", d)
	}
	if !anyContains(rep.Skipped, "missing.env") {
		t.Errorf("the missing env_file is not reported: %v", rep.Skipped)
	}
}

func TestComposeReadsNothingButItsFiles(t *testing.T) {
	t.Setenv("SECRET_HOST", "db")
	files := inFiles("p", "compose.yaml", `
services:
  api:
    image: acme/api:${TAG:-1}
    environment:
      - SECRET_HOST
      - FROM_DEFAULT=${NOT_SET:-http://db:5432}
  db:
    image: postgres
`)
	m, rep := mustCompose(t, files, ComposeOptions{})
	// SECRET_HOST is in the process environment but not in a .env: unknown.
	sameSet(t, "dependencies", edges(m), []string{"api->db"})
	if d := reportDep(t, rep, "api", "db"); !strings.Contains(d.Reason, "FROM_DEFAULT") {
		t.Errorf("api -> db reason = %q, want FROM_DEFAULT", d.Reason)
	}
	if !anyContains(rep.Assumptions, "NOT_SET") || !anyContains(rep.Assumptions, "SECRET_HOST") {
		t.Errorf("the unset variables are not reported: %v", rep.Assumptions)
	}
}

func TestComposeDotEnvOnlyBesideFirstFile(t *testing.T) {
	files := []File{
		{Name: "a/compose.yaml", Data: []byte("services:\n  api:\n    image: x\n    environment: [DB_HOST]\n  db:\n    image: postgres\n")},
		{Name: "b/.env", Data: []byte("DB_HOST=db\n")},
	}
	m, rep := mustCompose(t, files, ComposeOptions{})
	if len(m.Dependencies) != 0 {
		t.Errorf("dependencies %v from a .env that is not beside the first file", edges(m))
	}
	if !anyContains(rep.Skipped, "b/.env") {
		t.Errorf("the ignored .env is not reported: %v", rep.Skipped)
	}
	files[1].Name = "a/.env"
	m, _ = mustCompose(t, files, ComposeOptions{})
	sameSet(t, "dependencies", edges(m), []string{"api->db"})
}

func TestComposeJSONAndUploadNames(t *testing.T) {
	// An upload has no directory: the project is named after the file.
	files := []File{{Name: "docker-compose.json", Data: []byte(`{"services": {"web": {"image": "nginx", "depends_on": ["app"]}, "app": {"image": "acme/app"}}}`)}}
	m, _ := mustCompose(t, files, ComposeOptions{})
	if m.Name != "docker-compose" {
		t.Errorf("name = %q, want docker-compose", m.Name)
	}
	checkKinds(t, m, map[string]topology.ServiceKind{"web": topology.KindGateway})
	sameSet(t, "dependencies", edges(m), []string{"web->app"})
	m, _ = mustCompose(t, files, ComposeOptions{Name: "My Shop"})
	if m.Name != "My Shop" {
		t.Errorf("name = %q, want the one given", m.Name)
	}
}

func TestComposeErrors(t *testing.T) {
	tests := []struct {
		name  string
		files []File
		want  []string // in the message
	}{
		{"kubernetes manifest", inFiles("k", "deploy.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\n"),
			[]string{"deploy.yaml:1", "Kubernetes", "--from kubernetes"}},
		{"neither compose nor kubernetes", inFiles("e", "envoy.yaml", "static_resources:\n  listeners: []\n"),
			[]string{"envoy.yaml:1", "not a compose file"}},
		{"yaml syntax", inFiles("s", "compose.yaml", "services:\n  web:\n    image: [nginx\n"),
			[]string{"compose.yaml:", "did not find"}},
		{"empty file", inFiles("s", "compose.yaml", "# nothing\n"), []string{"compose.yaml", "empty"}},
		{"unknown depends_on", inFiles("s", "compose.yaml", "services:\n  web:\n    image: x\n    depends_on: [ghost]\n"),
			[]string{"compose.yaml:2", "ghost"}},
		{"schema", inFiles("s", "compose.yaml", "services:\n  web:\n    image: x\n    replicas: many\n"),
			[]string{"compose.yaml:4", "replicas: not a compose attribute"}},
		{"required variable", inFiles("s", "compose.yaml", "services:\n  web:\n    image: ${IMAGE:?set IMAGE}\n"),
			[]string{"compose.yaml:3", "IMAGE"}},
		{"extends another file", inFiles("s", "compose.yaml", "services:\n  web:\n    extends:\n      file: base.yaml\n      service: web\n"),
			[]string{"base.yaml", "only the files it is given"}},
		{"only .env", inFiles("s", ".env", "A=1\n"), []string{"no compose file"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, rep, err := Compose(tt.files, ComposeOptions{})
			if err == nil {
				t.Fatalf("no error; model %v", serviceNames(m))
			}
			if m != nil {
				t.Errorf("a partial model came with the error")
			}
			if rep == nil {
				t.Errorf("no report came with the error")
			}
			if code := topology.ErrorCode(err); code != topology.EINVALID {
				t.Errorf("code = %s, want %s (%v)", code, topology.EINVALID, err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

func TestComposeIncludeIsFollowed(t *testing.T) {
	main := "include:\n  - other/compose.yaml\n  - path: [../common/db.yaml]\nservices:\n  web:\n    image: nginx\n    environment:\n      API_URL: http://api:8080\n      DATABASE_URL: postgres://db/app\n"
	other := "services:\n  api:\n    image: acme/api\n"
	db := "services:\n  db:\n    image: postgres:16\n"

	// Only the main file: the includes are reported, not silently dropped.
	_, rep := mustCompose(t, inFiles("p", "compose.yaml", main), ComposeOptions{})
	if !anyContains(rep.Skipped, "include other/compose.yaml is not among the given files") {
		t.Errorf("the missing include is not reported: %v", rep.Skipped)
	}

	// With the included files, their services are imported and called.
	files := []File{
		{Name: "p/compose.yaml", Data: []byte(main)},
		{Name: "p/other/compose.yaml", Data: []byte(other)},
		{Name: "common/db.yaml", Data: []byte(db)},
	}
	m, rep := mustCompose(t, files, ComposeOptions{})
	sameSet(t, "services", serviceNames(m), []string{"web", "api", "db"})
	sameSet(t, "dependencies", edges(m), []string{"web->api", "web->db"})
	if !anyContains(rep.Assumptions, "include other/compose.yaml followed") || m.Name != "p" {
		t.Errorf("model %q, assumptions %v", m.Name, rep.Assumptions)
	}

	// Uploads have no directories: the base name finds the file.
	up := []File{{Name: "compose.yaml", Data: []byte(main)}, {Name: "db.yaml", Data: []byte(db)}}
	m, _ = mustCompose(t, up, ComposeOptions{})
	sameSet(t, "services", serviceNames(m), []string{"web", "db", "api"})

	// A cycle is an error, with the report of what came before it.
	loop := []File{
		{Name: "p/compose.yaml", Data: []byte("include: [b.yaml]\nservices:\n  a:\n    image: x\n")},
		{Name: "p/b.yaml", Data: []byte("include: [compose.yaml]\nservices:\n  b:\n    image: x\n")},
	}
	if _, rep, err := Compose(loop, ComposeOptions{}); err == nil || !strings.Contains(err.Error(), "include cycle") || rep == nil {
		t.Errorf("cycle: err %v, report %v", err, rep)
	}
}

// The CLI's reader follows include to the files on disk.
func TestReadPathsFollowsInclude(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("app/compose.yaml", "include:\n  - ../common/db.yaml\nservices:\n  web:\n    image: nginx\n    environment:\n      DATABASE_URL: postgres://db/app\n")
	write("common/db.yaml", "include: [cache.yaml]\nservices:\n  db:\n    image: postgres\n")
	write("common/cache.yaml", "services:\n  cache:\n    image: redis\n")
	files, err := ReadComposePaths([]string{filepath.Join(dir, "app")})
	if err != nil {
		t.Fatal(err)
	}
	m, _ := mustCompose(t, files, ComposeOptions{})
	sameSet(t, "services", serviceNames(m), []string{"web", "db", "cache"})
	if m.Name != "app" {
		t.Errorf("name %q, want the first file's directory", m.Name)
	}
}

func TestComposeTooLarge(t *testing.T) {
	big := File{Name: "compose.yaml", Data: bytes.Repeat([]byte("#"), MaxInputSize+1)}
	if _, _, err := Compose([]File{big}, ComposeOptions{}); topology.ErrorCode(err) != topology.ETOOLARGE {
		t.Errorf("error = %v, want %s", err, topology.ETOOLARGE)
	}
}

func TestReportWriteText(t *testing.T) {
	files := inFiles("p", "compose.yaml", "services:\n  web:\n    image: nginx\n    environment:\n      API_URL: http://api\n      X_HOST: \"ghost\"\n  api:\n    image: acme/api\n")
	_, rep := mustCompose(t, files, ComposeOptions{})
	rep.Warnings = append(rep.Warnings, "evil \x1b[31mred")
	var b bytes.Buffer
	if err := rep.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"Created (", "service web (gateway, 1 instance)", "server p (container-host)",
		"web -> api (http, sync): environment API_URL names api [" + files[0].Name + ":5]",
		"Warnings (2):", `evil \x1b[31mred`} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\x1b") {
		t.Errorf("a control character reached the terminal:\n%q", out)
	}
}

// The OpenTelemetry demo's compose files share variables through an anchor
// merged into each service's environment (`<<: *otel-env`): the report
// cites the line in the anchor where the address is written.
func TestComposeMergeKeyLines(t *testing.T) {
	text := `x-default-logging: &logging
  driver: "json-file"
x-otel-env: &otel-env
  OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: cumulative
  OTEL_EXPORTER_OTLP_ENDPOINT: http://otel-collector:4317
x-cart-base: &cart-base
  image: acme/cart
  environment:
    <<: *otel-env
    VALKEY_ADDR: valkey-cart:6379
services:
  cart:
    image: acme/cart
    logging: *logging
    environment:
      <<: *otel-env
      VALKEY_ADDR: valkey-cart:6379
  checkout:
    <<: *cart-base
    image: acme/checkout
  otel-collector:
    image: otel/opentelemetry-collector-contrib
  valkey-cart:
    image: valkey/valkey
`
	files := inFiles("demo", "compose.yaml", text)
	m, rep := mustCompose(t, files, ComposeOptions{})
	lines := strings.Split(text, "\n")
	for _, tt := range []struct{ from, to, line string }{
		{"cart", "otel-collector", "  OTEL_EXPORTER_OTLP_ENDPOINT: http://otel-collector:4317"},
		{"cart", "valkey-cart", "      VALKEY_ADDR: valkey-cart:6379"},
		{"checkout", "otel-collector", "  OTEL_EXPORTER_OTLP_ENDPOINT: http://otel-collector:4317"},
		{"checkout", "valkey-cart", "    VALKEY_ADDR: valkey-cart:6379"},
	} {
		d := reportDep(t, rep, tt.from, tt.to)
		if d.Line < 1 || lines[d.Line-1] != tt.line {
			t.Errorf("%s -> %s cites line %d, want the line %q", tt.from, tt.to, d.Line, tt.line)
		}
	}
	if len(m.Dependencies) != 4 {
		t.Errorf("dependencies %v", edges(m))
	}
}
