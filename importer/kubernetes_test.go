package importer

import (
	"fmt"
	"strings"
	"testing"

	"github.com/archmap/archmap/topology"
)

func deployment(name, ns string, replicas int, image string, env ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: %s\n", name)
	if ns != "" {
		fmt.Fprintf(&b, "  namespace: %s\n", ns)
	}
	fmt.Fprintf(&b, "spec:\n")
	if replicas >= 0 {
		fmt.Fprintf(&b, "  replicas: %d\n", replicas)
	}
	fmt.Fprintf(&b, "  selector:\n    matchLabels:\n      app: %s\n  template:\n    metadata:\n      labels:\n        app: %s\n        tier: x\n    spec:\n      containers:\n      - name: main\n        image: %s\n", name, name, image)
	if len(env) > 0 {
		b.WriteString("        env:\n")
		for i := 0; i+1 < len(env); i += 2 {
			fmt.Fprintf(&b, "        - name: %s\n          value: %q\n", env[i], env[i+1])
		}
	}
	return b.String()
}

func svcManifest(name, ns, app string, ports ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: %s\n", name)
	if ns != "" {
		fmt.Fprintf(&b, "  namespace: %s\n", ns)
	}
	fmt.Fprintf(&b, "spec:\n  selector:\n    app: %s\n  ports:\n", app)
	for _, p := range ports {
		n, port, _ := strings.Cut(p, ":")
		fmt.Fprintf(&b, "  - name: %s\n    port: %s\n", n, port)
	}
	return b.String()
}

func TestKubernetesSpreadsReplicas(t *testing.T) {
	manifest := deployment("web", "", 5, "acme/web") + deployment("db", "", 1, "postgres:16") +
		deployment("cache", "", 2, "redis") + `---
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
spec:
  template:
    metadata:
      labels: {app: agent}
    spec:
      containers: [{name: a, image: acme/agent}]
`
	tests := []struct {
		name  string
		opts  KubeOptions
		nodes map[string]map[string]int // service → server → instances
	}{
		{"three nodes", KubeOptions{}, map[string]map[string]int{
			// web round-robin from node-1; db to the least loaded node;
			// cache again from the least loaded, ties to the lower number.
			"web":   {"node-1": 2, "node-2": 2, "node-3": 1},
			"db":    {"node-3": 1},
			"cache": {"node-1": 1, "node-2": 1},
			"agent": {"node-1": 1, "node-2": 1, "node-3": 1},
		}},
		{"one node", KubeOptions{Nodes: 1}, map[string]map[string]int{
			"web": {"node-1": 5}, "db": {"node-1": 1}, "cache": {"node-1": 2}, "agent": {"node-1": 1},
		}},
		{"zones first", KubeOptions{Nodes: 4, Zones: []string{"a", "b"}}, map[string]map[string]int{
			// Zone a holds node-1 and node-3, zone b node-2 and node-4:
			// web alternates zones (3 in a, 2 in b), then nodes within them.
			"web":   {"node-1": 2, "node-2": 1, "node-3": 1, "node-4": 1},
			"db":    {"node-2": 1},
			"cache": {"node-3": 1, "node-4": 1},
			"agent": {"node-1": 1, "node-2": 1, "node-3": 1, "node-4": 1},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, rep := mustKube(t, []File{{Name: "all.yaml", Data: []byte(manifest)}}, tt.opts)
			got := map[string]map[string]int{}
			for _, p := range m.Placements {
				if got[p.Service] == nil {
					got[p.Service] = map[string]int{}
				}
				got[p.Service][p.Server] = p.Instances
			}
			for svc, want := range tt.nodes {
				if fmt.Sprint(got[svc]) != fmt.Sprint(want) {
					t.Errorf("%s placed %v, want %v", svc, got[svc], want)
				}
			}
			if !anyContains(rep.Assumptions, "DaemonSet agent runs one pod on each") {
				t.Errorf("the DaemonSet assumption is missing: %v", rep.Assumptions)
			}
		})
	}
}

func TestKubernetesWorkloadKinds(t *testing.T) {
	manifest := `
apiVersion: v1
kind: List
items:
- apiVersion: apps/v1
  kind: StatefulSet
  metadata: {name: pg}
  spec:
    replicas: 3
    template:
      metadata: {labels: {app: pg}}
      spec: {containers: [{name: pg, image: "postgres:16"}]}
- apiVersion: batch/v1
  kind: Job
  metadata: {name: migrate}
  spec:
    parallelism: 2
    template:
      metadata: {labels: {app: migrate}}
      spec: {containers: [{name: m, image: "postgres:16"}]}
- apiVersion: batch/v1
  kind: CronJob
  metadata: {name: nightly}
  spec:
    schedule: "0 3 * * *"
    jobTemplate:
      spec:
        template:
          spec: {containers: [{name: n, image: acme/report}]}
- apiVersion: v1
  kind: Pod
  metadata: {name: debug, labels: {app: debug}}
  spec: {containers: [{name: d, image: busybox}]}
- apiVersion: apps/v1
  kind: ReplicaSet
  metadata: {name: legacy}
  spec:
    template:
      metadata: {labels: {app: legacy}}
      spec: {containers: [{name: l, image: nginx}]}
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: paused}
  spec:
    replicas: 0
    template:
      metadata: {labels: {app: paused}}
      spec: {containers: [{name: p, image: acme/p}]}
- apiVersion: autoscaling/v2
  kind: HorizontalPodAutoscaler
  metadata: {name: pg}
`
	m, rep := mustKube(t, []File{{Name: "list.yaml", Data: []byte(manifest)}}, KubeOptions{})
	want := map[string]struct {
		kind      topology.ServiceKind
		instances int
	}{
		"pg": {topology.KindDatabase, 3},
		// A Job is a worker, whatever its image, and runs once on any node.
		"migrate": {topology.KindWorker, 3},
		"nightly": {topology.KindWorker, 3},
		"debug":   {topology.KindService, 1},
		"legacy":  {topology.KindGateway, 1},
		"paused":  {topology.KindService, 0},
	}
	sameSet(t, "services", serviceNames(m), []string{"pg", "migrate", "nightly", "debug", "legacy", "paused"})
	for name, w := range want {
		if s := service(t, m, name); s.Kind != w.kind || instances(m, name) != w.instances {
			t.Errorf("%s = %s ×%d, want %s ×%d", name, s.Kind, instances(m, name), w.kind, w.instances)
		}
	}
	if !anyContains(rep.Skipped, "HorizontalPodAutoscaler") || !anyContains(rep.Skipped, "paused: 0 replicas") {
		t.Errorf("skipped = %v", rep.Skipped)
	}
}

func TestKubernetesServiceDNSAndConfigMaps(t *testing.T) {
	manifest := deployment("frontend", "shop", 2, "acme/frontend",
		"CART_ADDR", "cartservice:7070", // short name, same namespace
		"CATALOG_URL", "http://catalog.shop.svc.cluster.local:80/api", // full name
		"PAY_ADDR", "payments.billing:50051", // another namespace
		"CART", "cart", // a word, not an address key, and "cart" is no Service
		"OTEL_COLLECTOR_NAME", "collector",
		"OTEL_EXPORTER_OTLP_ENDPOINT", "http://$(OTEL_COLLECTOR_NAME):4317",
		"SELF_URL", "http://frontend", // its own Service
		"LEGACY_HOST", "legacy-db", // a workload no Service exposes
	) +
		svcManifest("frontend", "shop", "frontend", "http:80") +
		deployment("cart", "shop", 1, "acme/cart") +
		svcManifest("cartservice", "shop", "cart", "grpc:7070") +
		deployment("catalog", "shop", 1, "acme/catalog") +
		svcManifest("catalog", "shop", "catalog", "http:80") +
		deployment("payments", "billing", 1, "acme/payments") +
		svcManifest("payments", "billing", "payments", "grpc-api:50051") +
		deployment("collector", "shop", 1, "otel/opentelemetry-collector-contrib") +
		svcManifest("collector", "shop", "collector", "otlp:4317") +
		deployment("legacy-db", "shop", 1, "mysql:8") + `
---
apiVersion: v1
kind: ConfigMap
metadata: {name: worker-config, namespace: shop}
data:
  QUEUE_URL: amqp://broker:5672
  LOG_LEVEL: debug
---
apiVersion: v1
kind: ConfigMap
metadata: {name: single, namespace: shop}
data:
  cache: "cache-svc:6379"
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: worker, namespace: shop}
spec:
  template:
    metadata: {labels: {app: worker}}
    spec:
      containers:
      - name: w
        image: acme/worker
        envFrom:
        - configMapRef: {name: worker-config}
        - configMapRef: {name: absent}
        - secretRef: {name: creds}
        env:
        - name: CACHE_ADDR
          valueFrom:
            configMapKeyRef: {name: single, key: cache}
        - name: PASSWORD
          valueFrom:
            secretKeyRef: {name: creds, key: pw}
` + deployment("broker", "shop", 1, "rabbitmq:3") + svcManifest("broker", "shop", "broker", "amqp:5672") +
		deployment("cache", "shop", 1, "redis:7") + svcManifest("cache-svc", "shop", "cache", "redis:6379")

	m, rep := mustKube(t, []File{{Name: "cluster.yaml", Data: []byte(manifest)}}, KubeOptions{})
	if m.Name != "cluster" {
		t.Errorf("name = %q, want the file's name: the workloads are in two namespaces", m.Name)
	}
	sameSet(t, "dependencies", edges(m), []string{
		"frontend->cart", "frontend->catalog", "frontend->payments", "frontend->collector", "frontend->legacy-db",
		"worker->broker", "worker->cache",
	})
	for _, e := range []struct {
		from, to string
		proto    topology.Protocol
		mode     topology.Mode
	}{
		{"frontend", "cart", topology.ProtocolGRPC, topology.ModeSync},       // port named grpc
		{"frontend", "catalog", topology.ProtocolHTTP, topology.ModeSync},    // http URL
		{"frontend", "payments", topology.ProtocolGRPC, topology.ModeSync},   // port grpc-api
		{"frontend", "collector", topology.ProtocolGRPC, topology.ModeAsync}, // telemetry
		{"frontend", "legacy-db", topology.ProtocolSQL, topology.ModeSync},
		{"worker", "broker", topology.ProtocolQueue, topology.ModeAsync},
		{"worker", "cache", topology.ProtocolTCP, topology.ModeSync},
	} {
		if d := dep(t, m, e.from, e.to); d.Protocol != e.proto || d.Mode != e.mode {
			t.Errorf("%s -> %s = %s/%s, want %s/%s", e.from, e.to, d.Protocol, d.Mode, e.proto, e.mode)
		}
	}
	// The ConfigMap's own line is cited for envFrom values.
	d := reportDep(t, rep, "worker", "broker")
	if d.Line == 0 || !strings.Contains(d.Reason, "ConfigMap worker-config") || !strings.Contains(strings.Split(manifest, "\n")[d.Line-1], "QUEUE_URL") {
		t.Errorf("worker -> broker = %+v, want cited to QUEUE_URL in the ConfigMap", d)
	}
	if d := reportDep(t, rep, "worker", "cache"); !strings.Contains(d.Reason, "ConfigMap single key cache") {
		t.Errorf("worker -> cache reason = %q", d.Reason)
	}
	for _, want := range []string{"ConfigMap absent", "Secret creds"} {
		if !anyContains(rep.Skipped, want) {
			t.Errorf("skipped lacks %q: %v", want, rep.Skipped)
		}
	}
	if !anyContains(rep.Warnings, "no Service in the input exposes") {
		t.Errorf("the guess for legacy-db is not warned about: %v", rep.Warnings)
	}
}

func TestKubernetesNamespacesKeepNamesApart(t *testing.T) {
	manifest := deployment("api", "a", 1, "acme/api", "DB_HOST", "db") + svcManifest("db", "a", "db", "pg:5432") +
		deployment("db", "a", 1, "postgres") +
		deployment("api", "b", 1, "acme/api", "DB_HOST", "db") + svcManifest("db", "b", "db", "pg:5432") +
		deployment("db", "b", 1, "postgres")
	m, _ := mustKube(t, []File{{Name: "two.yaml", Data: []byte(manifest)}}, KubeOptions{})
	sameSet(t, "services", serviceNames(m), []string{"api.a", "db.a", "api.b", "db.b"})
	sameSet(t, "dependencies", edges(m), []string{"api.a->db.a", "api.b->db.b"})
}

func TestKubernetesErrors(t *testing.T) {
	tests := []struct {
		name  string
		files []File
		opts  KubeOptions
		want  []string
	}{
		{"compose file", inFiles("c", "docker-compose.yml", "services:\n  web:\n    image: nginx\n"), KubeOptions{},
			[]string{"docker-compose.yml:1", "--from compose"}},
		{"other yaml", inFiles("c", "values.yaml", "replicaCount: 2\n"), KubeOptions{},
			[]string{"values.yaml:1", "no apiVersion and kind"}},
		{"second document", inFiles("c", "m.yaml", deployment("a", "", 1, "x")+"---\nfoo: 1\n"), KubeOptions{},
			[]string{"m.yaml:21", "no apiVersion"}},
		{"syntax", inFiles("c", "m.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: [x\n"), KubeOptions{},
			[]string{"m.yaml:", "did not find"}},
		{"type", inFiles("c", "m.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\nspec:\n  replicas: three\n"), KubeOptions{},
			[]string{"m.yaml:6", "three"}},
		{"negative replicas", inFiles("c", "m.yaml", deployment("a", "", -1, "x")+"  replicas: -2\n"), KubeOptions{},
			[]string{"replicas"}},
		{"no name", inFiles("c", "m.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {}\n"), KubeOptions{},
			[]string{"m.yaml:1", "metadata.name"}},
		{"no workloads", inFiles("c", "m.yaml", "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n"), KubeOptions{},
			[]string{"no Kubernetes workloads"}},
		{"too many nodes", inFiles("c", "m.yaml", deployment("a", "", 1, "x")), KubeOptions{Nodes: MaxNodes + 1},
			[]string{"nodes"}},
		{"bad zone", inFiles("c", "m.yaml", deployment("a", "", 1, "x")), KubeOptions{Zones: []string{"a\x00"}},
			[]string{"zone"}},
		{"absurd replicas", inFiles("c", "m.yaml", deployment("a", "", 2000000000, "x")), KubeOptions{},
			[]string{"too many replicas"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, rep, err := Kubernetes(tt.files, tt.opts)
			if err == nil {
				t.Fatalf("no error; model %v", serviceNames(m))
			}
			if m != nil {
				t.Errorf("a partial model came with the error")
			}
			if rep == nil {
				t.Errorf("no report came with the error")
			}
			if topology.ErrorCode(err) != topology.EINVALID {
				t.Errorf("code = %s, want invalid (%v)", topology.ErrorCode(err), err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

func TestKubernetesSkipsEnvFilesAndEmptyDocuments(t *testing.T) {
	files := []File{
		{Name: "k/.env", Data: []byte("A=1\n")},
		{Name: "k/m.yaml", Data: []byte("# only a comment\n---\n" + deployment("a", "", 1, "x") + "---\n")},
	}
	m, rep := mustKube(t, files, KubeOptions{})
	sameSet(t, "services", serviceNames(m), []string{"a"})
	if !anyContains(rep.Skipped, ".env") {
		t.Errorf(".env not reported: %v", rep.Skipped)
	}
}
