package importer

import (
	"strings"
	"testing"

	"github.com/archmap/archmap/topology"
)

// Online Boutique: every *_SERVICE_ADDR of frontend, checkoutservice and
// recommendationservice, REDIS_ADDR of cartservice, FRONTEND_ADDR of
// loadgenerator (kubernetes-manifests.yaml).
var boutiqueEdges = []string{
	"frontend->productcatalogservice", "frontend->currencyservice", "frontend->cartservice",
	"frontend->recommendationservice", "frontend->shippingservice", "frontend->checkoutservice",
	"frontend->adservice", "frontend->shoppingassistantservice",
	"checkoutservice->productcatalogservice", "checkoutservice->shippingservice", "checkoutservice->paymentservice",
	"checkoutservice->emailservice", "checkoutservice->currencyservice", "checkoutservice->cartservice",
	"recommendationservice->productcatalogservice",
	"cartservice->redis-cart",
	"loadgenerator->frontend",
}

var boutiqueWorkloads = []string{"frontend", "adservice", "currencyservice", "cartservice", "redis-cart", "loadgenerator",
	"recommendationservice", "checkoutservice", "emailservice", "paymentservice", "shippingservice", "productcatalogservice"}

func TestKubernetesOnlineBoutique(t *testing.T) {
	files := readReal(t, "online-boutique/kubernetes-manifests.yaml")
	m, rep := mustKube(t, files, KubeOptions{})
	if m.Name != "online-boutique" {
		t.Errorf("name = %q, want the directory the manifests are in", m.Name)
	}
	sameSet(t, "services", serviceNames(m), append(append([]string{}, boutiqueWorkloads...), "shoppingassistantservice"))
	checkKinds(t, m, map[string]topology.ServiceKind{
		"redis-cart": topology.KindCache, // image redis:alpine
		// SHOPPING_ASSISTANT_SERVICE_ADDR=shoppingassistantservice:80, which nothing deploys.
		"shoppingassistantservice": topology.KindExternal,
	})
	for _, w := range boutiqueWorkloads {
		if n := instances(m, w); n != 1 {
			t.Errorf("instances of %s = %d, want 1 (replicas unset or 1)", w, n)
		}
	}
	if len(m.Servers) != 3 {
		t.Fatalf("%d servers, want the default 3 nodes", len(m.Servers))
	}
	for i, s := range m.Servers {
		if s.Name != []string{"node-1", "node-2", "node-3"}[i] || s.Kind != topology.ServerKubernetesNode {
			t.Errorf("server %d = %+v, want node-%d, kubernetes-node", i, s, i+1)
		}
	}
	sameSet(t, "dependencies", edges(m), boutiqueEdges)
	// The Services' ports are named grpc, except frontend's (http) and redis-cart's (tcp-redis).
	for _, d := range m.Dependencies {
		want := topology.ProtocolGRPC
		switch d.To {
		case "frontend", "shoppingassistantservice":
			want = topology.ProtocolHTTP
		case "redis-cart":
			want = topology.ProtocolTCP
		}
		if d.Protocol != want || d.Mode != topology.ModeSync {
			t.Errorf("%s -> %s = %s/%s, want %s/sync", d.From, d.To, d.Protocol, d.Mode, want)
		}
	}
	d := reportDep(t, rep, "frontend", "cartservice")
	if d.Line != 80 || !strings.Contains(d.Reason, "CART_SERVICE_ADDR") {
		t.Errorf("frontend -> cartservice cites %q at line %d, want CART_SERVICE_ADDR at line 80", d.Reason, d.Line)
	}
	if d := reportDep(t, rep, "cartservice", "redis-cart"); d.Line != 334 || !strings.Contains(d.Reason, "REDIS_ADDR") {
		t.Errorf("cartservice -> redis-cart cites %q at line %d, want REDIS_ADDR at line 334", d.Reason, d.Line)
	}
	if !anyContains(rep.Warnings, "shoppingassistantservice") {
		t.Errorf("no warning about the external shoppingassistantservice: %v", rep.Warnings)
	}
	if !anyContains(rep.Skipped, "ServiceAccount") {
		t.Errorf("ServiceAccounts not reported as skipped: %v", rep.Skipped)
	}
	if !anyContains(rep.Assumptions, "default scheduler") {
		t.Errorf("the placement assumption is not reported: %v", rep.Assumptions)
	}
}

// The per-service manifests, read as a directory: kustomization.yaml is
// skipped, and loadgenerator.yaml (which it comments out) is still a file.
func TestKubernetesOnlineBoutiqueDirectory(t *testing.T) {
	files := readReal(t, "online-boutique/kubernetes-manifests")
	if len(files) != 12 {
		t.Fatalf("ReadPaths found %d files, want 11 manifests and kustomization.yaml", len(files))
	}
	m, rep := mustKube(t, files, KubeOptions{})
	sameSet(t, "services", serviceNames(m), append(append([]string{}, boutiqueWorkloads...), "shoppingassistantservice"))
	sameSet(t, "dependencies", edges(m), boutiqueEdges)
	if !anyContains(rep.Skipped, "Kustomization") {
		t.Errorf("kustomization.yaml not reported as skipped: %v", rep.Skipped)
	}
}

func TestKubernetesPlacementOnNodesAndZones(t *testing.T) {
	files := readReal(t, "online-boutique/kubernetes-manifests.yaml")
	m, _ := mustKube(t, files, KubeOptions{Nodes: 4, Zones: []string{"a", "b"}})
	zones := []string{"a", "b", "a", "b"}
	for i, s := range m.Servers {
		if s.Zone != zones[i] {
			t.Errorf("%s zone = %q, want %q (round-robin)", s.Name, s.Zone, zones[i])
		}
	}
	// Twelve single-replica workloads over four nodes: each replica goes to
	// the least loaded node, so every node gets three.
	load := map[string]int{}
	for _, p := range m.Placements {
		load[p.Server] += p.Instances
	}
	for _, s := range m.Servers {
		if load[s.Name] != 3 {
			t.Errorf("%s holds %d pods, want 3: %v", s.Name, load[s.Name], load)
		}
	}
}

func TestKubernetesSockShop(t *testing.T) {
	m, rep := mustKube(t, readReal(t, "sock-shop/complete-demo.yaml"), KubeOptions{})
	if m.Name != "sock-shop" {
		t.Errorf("name = %q, want the namespace sock-shop", m.Name)
	}
	workloads := []string{"carts", "carts-db", "catalogue", "catalogue-db", "front-end", "orders", "orders-db",
		"payment", "queue-master", "rabbitmq", "session-db", "shipping", "user", "user-db"}
	sameSet(t, "services", serviceNames(m), append(workloads, "zipkin.jaeger"))
	checkKinds(t, m, map[string]topology.ServiceKind{
		"carts-db": topology.KindDatabase, "orders-db": topology.KindDatabase,
		"catalogue-db": topology.KindDatabase, "user-db": topology.KindDatabase,
		"session-db": topology.KindCache, "rabbitmq": topology.KindQueue,
		// shipping's ZIPKIN=zipkin.jaeger.svc.cluster.local: Service zipkin of namespace jaeger.
		"zipkin.jaeger": topology.KindExternal,
	})
	for _, w := range workloads {
		if n := instances(m, w); n != 1 {
			t.Errorf("instances of %s = %d, want 1", w, n)
		}
	}
	// env "mongo: user-db:27017" of user; ZIPKIN of shipping.
	sameSet(t, "dependencies", edges(m), []string{"user->user-db", "shipping->zipkin.jaeger"})
	if d := dep(t, m, "shipping", "zipkin.jaeger"); d.Mode != topology.ModeAsync {
		t.Errorf("shipping -> zipkin mode = %s, want async (tracing)", d.Mode)
	}
	if !anyContains(rep.Skipped, "Namespace") {
		t.Errorf("the Namespace is not reported as skipped: %v", rep.Skipped)
	}
}

func TestKubernetesTeaStore(t *testing.T) {
	for _, file := range []string{"teastore/teastore-clusterip.yaml", "teastore/teastore-ribbon.yaml"} {
		t.Run(file, func(t *testing.T) {
			m, _ := mustKube(t, readReal(t, file), KubeOptions{})
			sameSet(t, "services", serviceNames(m), []string{"teastore-db", "teastore-registry", "teastore-persistence",
				"teastore-auth", "teastore-image", "teastore-recommender", "teastore-webui"})
			checkKinds(t, m, map[string]topology.ServiceKind{"teastore-db": topology.KindDatabase})
			// The Services select with run: teastore-X (a subset of the pod labels).
			// HOST_NAME (clusterip) names the workload's own Service: no self-call.
			sameSet(t, "dependencies", edges(m), []string{
				"teastore-persistence->teastore-registry", "teastore-persistence->teastore-db",
				"teastore-auth->teastore-registry", "teastore-image->teastore-registry",
				"teastore-recommender->teastore-registry", "teastore-webui->teastore-registry",
			})
		})
	}
}

func TestKubernetesHotelReservation(t *testing.T) {
	// 50 files in a tree: Deployments, Services, PVs and PVCs.
	files := readReal(t, "deathstarbench/hotelReservation/kubernetes")
	if len(files) != 50 {
		t.Fatalf("ReadPaths found %d files, want 50", len(files))
	}
	m, rep := mustKube(t, files, KubeOptions{})
	want := map[string]topology.ServiceKind{}
	for _, s := range []string{"geo", "profile", "rate", "recommendation", "reservation", "user"} {
		want["mongodb-"+s] = topology.KindDatabase
	}
	for _, s := range []string{"profile", "rate", "reserve"} {
		want["memcached-"+s] = topology.KindCache
	}
	checkKinds(t, m, want)
	sameSet(t, "services", serviceNames(m), []string{"consul", "frontend", "geo", "mongodb-geo", "jaeger",
		"memcached-profile", "mongodb-profile", "profile", "memcached-rate", "mongodb-rate", "rate",
		"mongodb-recommendation", "recommendation", "memcached-reserve", "mongodb-reservation", "reservation",
		"search", "mongodb-user", "user"})
	// The services find each other through consul: the manifests name no address.
	if len(m.Dependencies) != 0 {
		t.Errorf("dependencies %v, want none", edges(m))
	}
	if !anyContains(rep.Skipped, "6 PersistentVolumeClaim objects") || !anyContains(rep.Skipped, "6 PersistentVolume objects") {
		t.Errorf("PVs and PVCs not reported as skipped: %v", rep.Skipped)
	}
}

func TestKubernetesTrainTicket(t *testing.T) {
	files := readReal(t, "train-ticket/quickstart-ts-deployment-part1.yml", "train-ticket/quickstart-ts-deployment-part2.yml",
		"train-ticket/quickstart-ts-deployment-part3.yml")
	m, _ := mustKube(t, files, KubeOptions{})
	// 64 Deployments (part2 opens with a commented-out document).
	if len(m.Services) != 64 {
		t.Errorf("%d services, want 64", len(m.Services))
	}
	db := 0
	for _, s := range m.Services {
		if s.Kind == topology.KindDatabase {
			db++
		}
		if n := instances(m, s.Name); n != 1 {
			t.Errorf("instances of %s = %d, want 1", s.Name, n)
		}
	}
	if db != 22 {
		t.Errorf("%d databases, want 22 (21 mongo, 1 mysql)", db)
	}
	if len(m.Dependencies) != 0 {
		t.Errorf("dependencies %v, want none: the manifests set no addresses", edges(m))
	}
}

func TestKubernetesOpenTelemetryDemo(t *testing.T) {
	m, rep := mustKube(t, readReal(t, "opentelemetry-demo/kubernetes/opentelemetry-demo.yaml"), KubeOptions{})
	// 24 Deployments and the opensearch StatefulSet.
	if n := len(m.Services) - countKind(m, topology.KindExternal); n != 25 {
		t.Errorf("%d deployed services, want 25", n)
	}
	checkKinds(t, m, map[string]topology.ServiceKind{
		"kafka": topology.KindQueue, "postgresql": topology.KindDatabase, "valkey-cart": topology.KindCache,
		// FLAGD_UI_HOST=flagd-ui (frontend-proxy), but flagd-ui is a container of the flagd pod.
		"flagd-ui": topology.KindExternal,
		// discovery.seed_hosts names a headless Service the chart does not create here.
		"opensearch-cluster-master-headless": topology.KindExternal,
	})
	// OTEL_EXPORTER_OTLP_ENDPOINT=http://$(OTEL_COLLECTOR_NAME):4317
	if d := dep(t, m, "checkout", "otel-collector"); d.Mode != topology.ModeAsync || d.Protocol != topology.ProtocolGRPC {
		t.Errorf("checkout -> otel-collector = %s/%s, want grpc/async", d.Protocol, d.Mode)
	}
	if d := dep(t, m, "checkout", "kafka"); d.Protocol != topology.ProtocolQueue || d.Mode != topology.ModeAsync {
		t.Errorf("checkout -> kafka = %s/%s, want queue/async", d.Protocol, d.Mode)
	}
	// JAEGER_HOST=jaeger-query, a Service selecting the jaeger Deployment.
	dep(t, m, "frontend-proxy", "jaeger")
	// DB_CONNECTION_STRING=Host=postgresql;...
	if d := dep(t, m, "accounting", "postgresql"); d.Protocol != topology.ProtocolSQL {
		t.Errorf("accounting -> postgresql protocol = %s, want sql", d.Protocol)
	}
	for _, e := range []string{"frontend->cart", "frontend->checkout", "checkout->payment", "shipping->quote",
		"recommendation->product-catalog", "cart->valkey-cart", "load-generator->frontend-proxy"} {
		from, to, _ := strings.Cut(e, "->")
		dep(t, m, from, to)
	}
	if !anyContains(rep.Skipped, "ConfigMap") {
		t.Errorf("ConfigMaps not reported: %v", rep.Skipped)
	}
}

func countKind(m *topology.Model, k topology.ServiceKind) int {
	n := 0
	for _, s := range m.Services {
		if s.Kind == k {
			n++
		}
	}
	return n
}
