package importer

import (
	"strings"
	"testing"

	"github.com/archmap/archmap/risk"
	"github.com/archmap/archmap/topology"
)

// findings lists the rule and subjects of every finding, for matching.
func findings(m *topology.Model) []string {
	var out []string
	for _, f := range risk.Analyze(m).Findings {
		out = append(out, f.Rule+" "+strings.Join(f.Subjects, ","))
	}
	return out
}

// A Job that initialises a database (the shape of the seed and migration
// Jobs in public charts: restartPolicy Never, the database address in env)
// is neither a single instance a node takes down nor a sync caller of the
// database; and it is no phantom: exactly the deployed services appear.
func TestKubernetesJobIsRunOnce(t *testing.T) {
	manifest := deployment("db", "shop", 1, "postgres:16") +
		svcManifest("db", "shop", "db", "sql:5432") +
		deployment("api", "shop", 2, "acme/api", "DATABASE_URL", "postgres://db:5432/shop") +
		`---
apiVersion: batch/v1
kind: Job
metadata: {name: seed, namespace: shop}
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: seed
        image: acme/seed
        env:
        - name: DATABASE_URL
          value: postgres://db:5432/shop
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: report, namespace: shop}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
          - name: report
            image: acme/report
            env:
            - name: API_URL
              value: http://api:8080
`
	files := []File{{Name: "shop.yaml", Data: []byte(manifest)}}
	m, rep := mustKube(t, files, KubeOptions{})
	sameSet(t, "services", serviceNames(m), []string{"db", "api", "seed", "report"})
	if d := dep(t, m, "seed", "db"); d.Mode != topology.ModeAsync {
		t.Errorf("seed -> db is %s, want async (a run-once task)", d.Mode)
	}
	if d := dep(t, m, "report", "api"); d.Mode != topology.ModeAsync {
		t.Errorf("report -> api is %s, want async", d.Mode)
	}
	if d := dep(t, m, "api", "db"); d.Mode != topology.ModeSync {
		t.Errorf("api -> db is %s, want sync: only run-once callers change", d.Mode)
	}
	if d := reportDep(t, rep, "seed", "db"); !strings.Contains(d.Reason, "run-once task: async") {
		t.Errorf("the report does not say why seed -> db is async: %q", d.Reason)
	}
	if !anyContains(rep.Created, "service seed (worker, run-once: placed on each of the 3 servers") {
		t.Errorf("created = %v", rep.Created)
	}
	if !anyContains(rep.Assumptions, "Job seed, CronJob report") {
		t.Errorf("the run-once placement is not reported: %v", rep.Assumptions)
	}
	m.Settings.BlastRadius = 2 // db alone and api calling it make 2
	fs := findings(m)
	for _, f := range fs {
		if strings.Contains(f, "service:seed") || strings.Contains(f, "service:report") {
			t.Errorf("a run-once task has a finding: %s", f)
		}
	}
	// Losing db's node takes down db and api, not the Job: the blast radius
	// finding must name 2 services, and the Job must not be among them.
	for _, f := range risk.Analyze(m).Findings {
		if f.Rule == risk.RuleServerBlastRadius && (strings.Contains(f.Message, "seed") || strings.Contains(f.Message, "3 services")) {
			t.Errorf("the Job is counted in a blast radius: %s", f.Message)
		}
	}
	if !anyContains(fs, "spof-instance service:db") {
		t.Errorf("db, alone on one node, is not flagged: the test would not see a Job flagged either: %v", fs)
	}
}

// Compose agrees: a task others wait to complete calls asynchronously.
func TestComposeRunOnceTaskCallsAsync(t *testing.T) {
	files := inFiles("p", "compose.yaml", `
services:
  migrate:
    image: acme/migrate
    environment:
      DATABASE_URL: postgres://db:5432/app
  db:
    image: postgres
  api:
    image: acme/api
    environment:
      DATABASE_URL: postgres://db:5432/app
    depends_on:
      migrate:
        condition: service_completed_successfully
`)
	m, rep := mustCompose(t, files, ComposeOptions{})
	sameSet(t, "dependencies", edges(m), []string{"migrate->db", "api->db"})
	if d := dep(t, m, "migrate", "db"); d.Mode != topology.ModeAsync {
		t.Errorf("migrate -> db is %s, want async", d.Mode)
	}
	if d := dep(t, m, "api", "db"); d.Mode != topology.ModeSync {
		t.Errorf("api -> db is %s, want sync", d.Mode)
	}
	if !anyContains(rep.Assumptions, "One-off tasks (migrate)") {
		t.Errorf("assumptions = %v", rep.Assumptions)
	}
}

// Docker's DNS answers a container's hostname on its networks: an address
// naming it reaches that service, with no phantom external and no second
// edge.
func TestComposeHostnameIsAnAlias(t *testing.T) {
	files := inFiles("shop", "compose.yaml", `
services:
  front-end:
    image: acme/front-end
    environment:
      CARTS_URL: http://carts:8080/carts
      CART_ADDR: cart:8080
  cart:
    image: acme/carts
    hostname: carts
`)
	m, _ := mustCompose(t, files, ComposeOptions{})
	sameSet(t, "services", serviceNames(m), []string{"front-end", "cart"})
	sameSet(t, "dependencies", edges(m), []string{"front-end->cart"})
}

// The real Sock Shop compose file gives every service a hostname; renamed
// the way the issue saw it (service cart, hostname carts) and called by
// that hostname, it still makes one service and one edge.
func TestComposeHostnameRealSockShop(t *testing.T) {
	files := readReal(t, "sock-shop/docker-compose.yml")
	text := string(files[0].Data)
	if !strings.Contains(text, "  carts:\n    image: weaveworksdemos/carts") || !strings.Contains(text, "hostname: carts\n") {
		t.Fatal("the Sock Shop file no longer has the carts service with hostname carts")
	}
	text = strings.Replace(text, "  carts:\n    image: weaveworksdemos/carts", "  cart:\n    image: weaveworksdemos/carts", 1)
	text = strings.Replace(text, "    hostname: front-end\n", "    hostname: front-end\n    environment:\n      - CARTS_URL=http://carts:80/carts\n", 1)
	files[0].Data = []byte(text)
	m, rep := mustCompose(t, files, ComposeOptions{})
	for _, s := range m.Services {
		if s.Kind == topology.KindExternal && s.Name == "carts" {
			t.Errorf("phantom external carts: %v", rep.Warnings)
		}
	}
	if !hasDep(m, "front-end", "cart") {
		t.Errorf("front-end -> cart missing: %v", edges(m))
	}
}
