package importer

import (
	"strings"
	"testing"

	"github.com/archmap/archmap/topology"
)

// The expectations below come from reading the compose files in
// testdata/realdata at the module root; each comment says where.

func TestComposeOpenTelemetryDemoCore(t *testing.T) {
	// compose.yaml alone, with the .env beside it (ReadPaths adds it).
	files := readReal(t, "opentelemetry-demo/compose.yaml")
	if len(files) != 2 || !strings.HasSuffix(files[1].Name, ".env") {
		t.Fatalf("ReadPaths did not add the .env beside compose.yaml: %v", names(files))
	}
	m, rep := mustCompose(t, files, ComposeOptions{})
	if m.Name != "opentelemetry-demo" {
		t.Errorf("name = %q, want the project (directory) name", m.Name)
	}
	if len(m.Servers) != 1 || m.Servers[0].Name != "opentelemetry-demo" || m.Servers[0].Kind != topology.ServerContainerHost {
		t.Errorf("servers = %+v, want one container-host named after the project", m.Servers)
	}
	deployed := []string{"ad", "cart", "checkout", "currency", "email", "frontend", "frontend-proxy", "image-provider",
		"load-generator", "payment", "product-catalog", "quote", "recommendation", "shipping", "flagd", "flagd-ui",
		"telemetry-docs", "astronomy-db", "valkey-cart", "otel-collector"}
	// frontend-proxy's *_HOST variables name UIs that only the other
	// layers (or nothing here) deploy.
	external := []string{"grafana", "jaeger", "opamp-server", "firepit", "chatbot"}
	sameSet(t, "services", serviceNames(m), append(append([]string{}, deployed...), external...))
	for _, s := range deployed {
		if n := instances(m, s); n != 1 {
			t.Errorf("instances of %s = %d, want 1 (no replicas set)", s, n)
		}
	}
	want := map[string]topology.ServiceKind{"astronomy-db": topology.KindDatabase, "valkey-cart": topology.KindCache}
	for _, e := range external {
		want[e] = topology.KindExternal
	}
	checkKinds(t, m, want)

	sameSet(t, "dependencies", edges(m), []string{
		"ad->flagd", "ad->otel-collector",
		"cart->flagd", "cart->valkey-cart", "cart->otel-collector",
		"checkout->flagd", "checkout->cart", "checkout->currency", "checkout->email", "checkout->payment",
		"checkout->product-catalog", "checkout->shipping", "checkout->otel-collector",
		"currency->otel-collector",
		"email->flagd", "email->otel-collector",
		"frontend->ad", "frontend->cart", "frontend->checkout", "frontend->currency", "frontend->product-catalog",
		"frontend->quote", "frontend->recommendation", "frontend->shipping", "frontend->otel-collector",
		"frontend->image-provider", "frontend->flagd",
		"frontend-proxy->frontend", "frontend-proxy->grafana", "frontend-proxy->jaeger", "frontend-proxy->opamp-server",
		"frontend-proxy->otel-collector", "frontend-proxy->image-provider", "frontend-proxy->firepit",
		"frontend-proxy->flagd", "frontend-proxy->flagd-ui", "frontend-proxy->telemetry-docs", "frontend-proxy->chatbot",
		"image-provider->otel-collector",
		"load-generator->frontend", "load-generator->frontend-proxy", "load-generator->flagd", "load-generator->otel-collector",
		"payment->flagd", "payment->otel-collector",
		"product-catalog->flagd", "product-catalog->otel-collector", "product-catalog->astronomy-db",
		"quote->otel-collector",
		"recommendation->product-catalog", "recommendation->flagd", "recommendation->otel-collector",
		"shipping->quote", "shipping->flagd", "shipping->otel-collector",
		"flagd->otel-collector",
		"flagd-ui->otel-collector", "flagd-ui->flagd",
		"telemetry-docs->otel-collector",
		"otel-collector->frontend-proxy", "otel-collector->image-provider", "otel-collector->astronomy-db",
	})

	// QUOTE_ADDR is only in .env (QUOTE_ADDR=http://quote:${QUOTE_PORT});
	// shipping has no depends_on on quote.
	d := reportDep(t, rep, "shipping", "quote")
	if !strings.Contains(d.Reason, "QUOTE_ADDR") || !strings.Contains(d.Reason, ".env") || d.Line != 647 {
		t.Errorf("shipping -> quote evidence = %q at line %d, want QUOTE_ADDR from .env at compose.yaml:647", d.Reason, d.Line)
	}
	// DB_CONNECTION_STRING=postgres://...@${POSTGRES_HOST}/astronomy_db
	if d := dep(t, m, "product-catalog", "astronomy-db"); d.Protocol != topology.ProtocolSQL || d.Mode != topology.ModeSync {
		t.Errorf("product-catalog -> astronomy-db = %s/%s, want sql/sync", d.Protocol, d.Mode)
	}
	if d := dep(t, m, "cart", "valkey-cart"); d.Protocol != topology.ProtocolTCP {
		t.Errorf("cart -> valkey-cart protocol = %s, want tcp (a cache)", d.Protocol)
	}
	// Telemetry export never blocks a request.
	if d := dep(t, m, "cart", "otel-collector"); d.Mode != topology.ModeAsync || d.Protocol != topology.ProtocolGRPC {
		t.Errorf("cart -> otel-collector = %s/%s, want grpc (port 4317)/async", d.Protocol, d.Mode)
	}
	if d := dep(t, m, "checkout", "cart"); d.Mode != topology.ModeSync {
		t.Errorf("checkout -> cart mode = %s, want sync", d.Mode)
	}
	for _, e := range []string{"chatbot", "firepit"} {
		if !anyContains(rep.Warnings, e+" is not deployed") {
			t.Errorf("no warning about external %s in %v", e, rep.Warnings)
		}
	}
}

// Without its .env the demo's compose.yaml is invalid, as it is for docker
// compose: volumes like ${HOST_FILESYSTEM}:/hostfs:ro become ":/hostfs:ro".
func TestComposeOpenTelemetryDemoWithoutDotEnv(t *testing.T) {
	files := readReal(t, "opentelemetry-demo/compose.yaml")[:1]
	m, rep, err := Compose(files, ComposeOptions{})
	if err == nil || m != nil {
		t.Fatalf("Compose = %v, %v, %v; want an error and no model", m, rep, err)
	}
	// The report that comes with the error explains it.
	if rep == nil || !anyContains(rep.Warnings, "no .env file was given") || !anyContains(rep.Warnings, "HOST_FILESYSTEM") {
		t.Errorf("the report does not explain the failure: %+v", rep)
	}
	if topology.ErrorCode(err) != topology.EINVALID || !strings.Contains(err.Error(), "compose.yaml") || !strings.Contains(err.Error(), "/hostfs") {
		t.Errorf("error = %v (%s), want EINVALID naming compose.yaml and the volume", err, topology.ErrorCode(err))
	}
}

func TestComposeOpenTelemetryDemoLayered(t *testing.T) {
	// docker compose -f compose.yaml -f compose.full.yaml -f compose.observability.yaml
	files := readReal(t, "opentelemetry-demo/compose.yaml", "opentelemetry-demo/compose.full.yaml", "opentelemetry-demo/compose.observability.yaml")
	m, rep := mustCompose(t, files, ComposeOptions{})
	if len(m.Services) != 30 {
		t.Errorf("%d services, want 28 deployed + firepit and chatbot external: %v", len(m.Services), serviceNames(m))
	}
	checkKinds(t, m, map[string]topology.ServiceKind{
		"astronomy-db": topology.KindDatabase, "valkey-cart": topology.KindCache,
		"kafka":   topology.KindQueue, // image ${IMAGE_NAME}:${DEMO_VERSION}-kafka
		"firepit": topology.KindExternal, "chatbot": topology.KindExternal,
	})
	// compose.full.yaml patches checkout with KAFKA_ADDR and adds two consumers.
	for _, from := range []string{"checkout", "accounting", "fraud-detection"} {
		if d := dep(t, m, from, "kafka"); d.Protocol != topology.ProtocolQueue || d.Mode != topology.ModeAsync {
			t.Errorf("%s -> kafka = %s/%s, want queue/async", from, d.Protocol, d.Mode)
		}
	}
	// DB_CONNECTION_STRING=Host=${POSTGRES_HOST};Username=...
	if d := dep(t, m, "accounting", "astronomy-db"); d.Protocol != topology.ProtocolSQL {
		t.Errorf("accounting -> astronomy-db protocol = %s, want sql", d.Protocol)
	}
	// compose.observability.yaml deploys what compose.yaml alone leaves external.
	for _, s := range []string{"grafana", "jaeger", "opamp-server", "prometheus", "opensearch"} {
		if k := service(t, m, s).Kind; k == topology.KindExternal {
			t.Errorf("%s is external although compose.observability.yaml deploys it", s)
		}
	}
	// It patches cart with OPAMP_SERVER_ENDPOINT=wss://${OPAMP_SERVER_HOST}:4320/v1/opamp.
	d := reportDep(t, rep, "cart", "opamp-server")
	if !strings.HasSuffix(d.File, "compose.observability.yaml") {
		t.Errorf("cart -> opamp-server cites %s, want compose.observability.yaml", d.File)
	}
	dep(t, m, "jaeger", "prometheus") // PROMETHEUS_ADDR
	dep(t, m, "otel-collector", "jaeger")
}

func TestComposeEShopWithOverride(t *testing.T) {
	files := readReal(t, "eshoponcontainers/docker-compose.yml", "eshoponcontainers/docker-compose.override.yml")
	m, rep := mustCompose(t, files, ComposeOptions{})
	if len(m.Services) != 21 {
		t.Errorf("%d services, want 21: %v", len(m.Services), serviceNames(m))
	}
	checkKinds(t, m, map[string]topology.ServiceKind{
		"sqldata":             topology.KindDatabase, // mcr.microsoft.com/mssql/server
		"nosqldata":           topology.KindDatabase, // mongo
		"basketdata":          topology.KindCache,    // redis:alpine
		"rabbitmq":            topology.KindQueue,
		"mobileshoppingapigw": topology.KindGateway, // envoyproxy/envoy
		"webshoppingapigw":    topology.KindGateway,
	})
	sameSet(t, "dependencies", edges(m), []string{
		"identity-api->sqldata",
		"basket-api->basketdata", "basket-api->identity-api", "basket-api->rabbitmq",
		"catalog-api->sqldata", "catalog-api->rabbitmq",
		"ordering-api->sqldata", "ordering-api->rabbitmq", "ordering-api->identity-api",
		"ordering-backgroundtasks->sqldata", "ordering-backgroundtasks->rabbitmq",
		"payment-api->rabbitmq",
		"webhooks-api->sqldata", "webhooks-api->rabbitmq", "webhooks-api->identity-api",
		"mobileshoppingagg->nosqldata", "mobileshoppingagg->sqldata", "mobileshoppingagg->identity-api", "mobileshoppingagg->rabbitmq",
		"mobileshoppingagg->ordering-api", "mobileshoppingagg->catalog-api", "mobileshoppingagg->basket-api", "mobileshoppingagg->payment-api",
		"webshoppingagg->nosqldata", "webshoppingagg->sqldata", "webshoppingagg->identity-api", "webshoppingagg->rabbitmq",
		"webshoppingagg->ordering-api", "webshoppingagg->catalog-api", "webshoppingagg->basket-api", "webshoppingagg->payment-api",
		"ordering-signalrhub->nosqldata", "ordering-signalrhub->sqldata", "ordering-signalrhub->identity-api", "ordering-signalrhub->rabbitmq",
		"ordering-signalrhub->ordering-api", "ordering-signalrhub->catalog-api", "ordering-signalrhub->basket-api",
		"webstatus->webmvc", "webstatus->webspa", "webstatus->webshoppingagg", "webstatus->mobileshoppingagg", "webstatus->ordering-api",
		"webstatus->basket-api", "webstatus->catalog-api", "webstatus->identity-api", "webstatus->payment-api",
		"webstatus->ordering-signalrhub", "webstatus->ordering-backgroundtasks",
		"webspa->webshoppingagg", "webspa->webshoppingapigw", "webspa->identity-api",
		"webmvc->webshoppingagg", "webmvc->webshoppingapigw", "webmvc->identity-api",
		"webhooks-client->webhooks-api",
	})
	// Only the override names rabbitmq for webhooks-api (EventBusConnection
	// =${ESHOP_AZURE_SERVICE_BUS:-rabbitmq}, line 168).
	d := reportDep(t, rep, "webhooks-api", "rabbitmq")
	if !strings.HasSuffix(d.File, "docker-compose.override.yml") || d.Line != 168 || d.Mode != topology.ModeAsync || d.Protocol != topology.ProtocolQueue {
		t.Errorf("webhooks-api -> rabbitmq = %+v, want queue/async from docker-compose.override.yml:168", d)
	}
	// urls__grpcBasket=http://basket-api:81
	if d := dep(t, m, "webshoppingagg", "basket-api"); d.Protocol != topology.ProtocolGRPC || d.Mode != topology.ModeSync {
		t.Errorf("webshoppingagg -> basket-api = %s/%s, want grpc/sync", d.Protocol, d.Mode)
	}
	// ConnectionString=${ESHOP_AZURE_IDENTITY_DB:-Server=sqldata;Database=...}
	if d := dep(t, m, "identity-api", "sqldata"); d.Protocol != topology.ProtocolSQL {
		t.Errorf("identity-api -> sqldata protocol = %s, want sql", d.Protocol)
	}
	// Health-check URLs (HealthChecksUI__...__Uri=http://webmvc/hc, PaymentUrlHC) do not make the checker fail.
	for _, e := range [][2]string{{"webstatus", "webmvc"}, {"webshoppingagg", "payment-api"}} {
		if d := dep(t, m, e[0], e[1]); d.Mode != topology.ModeAsync {
			t.Errorf("%s -> %s mode = %s, want async (a health check)", e[0], e[1], d.Mode)
		}
	}
	if len(rep.Warnings) != 0 {
		t.Errorf("warnings %v, want none: every address names a deployed service or the host machine", rep.Warnings)
	}

	// Without the override, only depends_on is left.
	m2, _ := mustCompose(t, files[:1], ComposeOptions{})
	for _, e := range [][2]string{{"webhooks-api", "rabbitmq"}, {"ordering-api", "identity-api"}, {"webstatus", "webmvc"}} {
		if hasDep(m2, e[0], e[1]) {
			t.Errorf("%s -> %s without the override that names it", e[0], e[1])
		}
	}
}

func TestComposeHotelReservation(t *testing.T) {
	files := readReal(t, "deathstarbench/hotelReservation/docker-compose.yml")
	m, _ := mustCompose(t, files, ComposeOptions{})
	if m.Name != "hotelreservation" {
		t.Errorf("name = %q, want compose's normalized project name", m.Name)
	}
	want := map[string]topology.ServiceKind{}
	for _, s := range []string{"geo", "profile", "rate", "review", "attractions", "recommendation", "reservation", "user"} {
		want["mongodb-"+s] = topology.KindDatabase
	}
	for _, s := range []string{"rate", "review", "profile", "reserve"} {
		want["memcached-"+s] = topology.KindCache
	}
	if len(m.Services) != 24 {
		t.Errorf("%d services, want 24", len(m.Services))
	}
	checkKinds(t, m, want)
	for _, s := range m.Services {
		if n := instances(m, s.Name); n != 1 {
			t.Errorf("instances of %s = %d, want 1 (deploy.replicas: 1 or none)", s.Name, n)
		}
	}
	// Only depends_on: the services find each other through consul.
	sameSet(t, "dependencies", edges(m), []string{
		"frontend->consul",
		"profile->mongodb-profile", "profile->memcached-profile", "profile->consul",
		"search->consul",
		"geo->mongodb-geo", "geo->consul",
		"rate->mongodb-rate", "rate->memcached-rate", "rate->consul",
		"review->mongodb-review", "review->memcached-review", "review->consul",
		"attractions->mongodb-attractions", "attractions->consul",
		"recommendation->mongodb-recommendation", "recommendation->consul",
		"user->mongodb-user", "user->consul",
		"reservation->mongodb-reservation", "reservation->memcached-reserve", "reservation->consul",
	})
	if d := dep(t, m, "rate", "mongodb-rate"); d.Protocol != topology.ProtocolSQL {
		t.Errorf("rate -> mongodb-rate protocol = %s, want sql (a database)", d.Protocol)
	}
}

func TestComposeSocialNetwork(t *testing.T) {
	m, _ := mustCompose(t, readReal(t, "deathstarbench/socialNetwork/docker-compose.yml"), ComposeOptions{})
	want := map[string]topology.ServiceKind{"nginx-thrift": topology.KindGateway}
	for _, s := range []string{"social-graph", "post-storage", "user-timeline", "url-shorten", "user", "media"} {
		want[s+"-mongodb"] = topology.KindDatabase
	}
	for _, s := range []string{"social-graph-redis", "home-timeline-redis", "user-timeline-redis", "post-storage-memcached", "url-shorten-memcached", "user-memcached", "media-memcached"} {
		want[s] = topology.KindCache
	}
	if len(m.Services) != 27 {
		t.Errorf("%d services, want 27", len(m.Services))
	}
	checkKinds(t, m, want)
	tracing := []string{"social-graph-service", "compose-post-service", "post-storage-service", "user-timeline-service",
		"url-shorten-service", "user-service", "media-service", "text-service", "unique-id-service", "user-mention-service",
		"home-timeline-service", "nginx-thrift", "media-frontend"}
	wantEdges := []string{"social-graph-service->social-graph-mongodb", "post-storage-service->post-storage-mongodb",
		"user-timeline-service->user-timeline-mongodb", "url-shorten-service->url-shorten-mongodb",
		"user-service->user-mongodb", "media-service->media-mongodb"}
	for _, s := range tracing {
		wantEdges = append(wantEdges, s+"->jaeger-agent")
	}
	sameSet(t, "dependencies", edges(m), wantEdges)
	for _, s := range tracing {
		if d := dep(t, m, s, "jaeger-agent"); d.Mode != topology.ModeAsync {
			t.Errorf("%s -> jaeger-agent mode = %s, want async (tracing)", s, d.Mode)
		}
	}
}

func TestComposeSockShop(t *testing.T) {
	m, _ := mustCompose(t, readReal(t, "sock-shop/docker-compose.yml"), ComposeOptions{})
	if len(m.Services) != 15 {
		t.Errorf("%d services, want 15", len(m.Services))
	}
	checkKinds(t, m, map[string]topology.ServiceKind{
		"catalogue-db": topology.KindDatabase, // weaveworksdemos/catalogue-db
		"carts-db":     topology.KindDatabase, // mongo:3.4
		"orders-db":    topology.KindDatabase,
		"user-db":      topology.KindDatabase,
		"rabbitmq":     topology.KindQueue,
	})
	// MONGO_HOST=user-db:27017 is the only address the file gives.
	sameSet(t, "dependencies", edges(m), []string{"user->user-db"})
}

func TestComposeTeaStore(t *testing.T) {
	m, _ := mustCompose(t, readReal(t, "teastore/docker-compose_default.yaml"), ComposeOptions{})
	sameSet(t, "services", serviceNames(m), []string{"registry", "db", "persistence", "auth", "image", "recommender", "webui"})
	checkKinds(t, m, map[string]topology.ServiceKind{"db": topology.KindDatabase})
	// REGISTRY_HOST and DB_HOST; HOST_NAME is each service's own name.
	sameSet(t, "dependencies", edges(m), []string{"persistence->registry", "persistence->db", "auth->registry",
		"image->registry", "recommender->registry", "webui->registry"})
	if d := dep(t, m, "persistence", "db"); d.Protocol != topology.ProtocolSQL {
		t.Errorf("persistence -> db protocol = %s, want sql", d.Protocol)
	}
}

func TestComposeTrainTicket(t *testing.T) {
	for _, file := range []string{"train-ticket/docker-compose.yml", "train-ticket/quickstart-docker-compose.yml"} {
		t.Run(file, func(t *testing.T) {
			m, rep := mustCompose(t, readReal(t, file), ComposeOptions{})
			if len(m.Services) != 68 {
				t.Errorf("%d services, want 68", len(m.Services))
			}
			var db, cache int
			for _, s := range m.Services {
				switch s.Kind {
				case topology.KindDatabase:
					db++
				case topology.KindCache:
					cache++
				}
			}
			if db != 25 || cache != 1 {
				t.Errorf("%d databases and %d caches, want 25 (24 mongo, 1 mysql) and 1 (redis)", db, cache)
			}
			// ts-voucher-service depends_on ts-voucher-mysql; nothing else is declared.
			sameSet(t, "dependencies", edges(m), []string{"ts-voucher-service->ts-voucher-mysql"})
			if !anyContains(rep.Assumptions, "NAMESPACE") {
				t.Errorf("the unset ${NAMESPACE} of the image names is not reported: %v", rep.Assumptions)
			}
		})
	}
}

func names(files []File) []string {
	out := make([]string, len(files))
	for i, f := range files {
		out[i] = f.Name
	}
	return out
}
