package importer

import (
	"reflect"
	"testing"

	"github.com/archmap/archmap/topology"
)

func TestGuessKind(t *testing.T) {
	tests := []struct {
		name, image, service string
		kind                 topology.ServiceKind
	}{
		{"postgres", "postgres:18.4", "astronomy-db", topology.KindDatabase},
		{"registry and tag", "docker.io/library/mysql:8", "x", topology.KindDatabase},
		{"mariadb", "mariadb:11", "x", topology.KindDatabase},
		{"mongo", "mongo:5.0", "x", topology.KindDatabase},
		{"sql server by path", "mcr.microsoft.com/mssql/server:2019-latest", "sqldata", topology.KindDatabase},
		{"redis", "redis:alpine", "x", topology.KindCache},
		{"valkey by repository", "ghcr.io/valkey-io/valkey:9.0.4-alpine3.23", "x", topology.KindCache},
		{"memcached", "memcached", "x", topology.KindCache},
		{"rabbitmq", "rabbitmq:3-management-alpine", "x", topology.KindQueue},
		{"kafka in the tag", "ghcr.io/open-telemetry/demo:latest-kafka", "kafka", topology.KindQueue},
		{"nats", "nats:2", "x", topology.KindQueue},
		{"envoy", "envoyproxy/envoy:v1.11.1", "apigw", topology.KindGateway},
		{"nginx", "nginx:1.27", "x", topology.KindGateway},
		{"traefik", "traefik:v3", "x", topology.KindGateway},
		{"haproxy", "haproxy:2", "x", topology.KindGateway},
		{"digest dropped", "redis@sha256:abc", "x", topology.KindCache},
		{"exporter is not the product", "oliver006/redis_exporter", "x", topology.KindService},
		{"admin ui is not the product", "mongo-express", "x", topology.KindService},
		{"plain service", "us-central1-docker.pkg.dev/p/microservices-demo/frontend:v0.10.6", "frontend", topology.KindService},
		{"name when the image says nothing", "weaveworksdemos/catalogue-db:0.3.0", "catalogue-db", topology.KindDatabase},
		{"name fallback", "yg397/openresty-thrift:xenial", "nginx-thrift", topology.KindGateway},
		{"no image", "", "user-db", topology.KindDatabase},
		{"no substring matches", "acme/redistribution:1", "dbadmin", topology.KindService},
		{"registry port is not a tag", "localhost:5000/cartservice", "cartservice", topology.KindService},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, _ := guessKind(tt.image, tt.service); got != tt.kind {
				t.Errorf("guessKind(%q, %q) = %s, want %s", tt.image, tt.service, got, tt.kind)
			}
		})
	}
}

func TestAddressesIn(t *testing.T) {
	tests := []struct {
		name, value string
		want        []addrRef
	}{
		{"host:port", "cartservice:7070", []addrRef{{host: "cartservice", port: "7070"}}},
		{"url", "http://identity-api", []addrRef{{host: "identity-api", scheme: "http"}}},
		{"url with port and path", "http://catalog-api:81/hc", []addrRef{{host: "catalog-api", port: "81", scheme: "http", path: "/hc"}}},
		{"credentials in url", "postgres://u:secret@astronomy-db/db?sslmode=disable", []addrRef{{host: "astronomy-db", scheme: "postgres", path: "/db"}}},
		{"redis url", "redis://basketdata", []addrRef{{host: "basketdata", scheme: "redis"}}},
		{"upper case", "HTTP://Quote:8090", []addrRef{{host: "quote", port: "8090", scheme: "http"}}},
		{"server connection string", "Server=sqldata;Database=x;User Id=sa;Password=p", []addrRef{{host: "sqldata", scheme: "connstring"}}},
		{"host connection string", "Host=astronomy-db;Username=u;Password=p", []addrRef{{host: "astronomy-db", scheme: "connstring"}}},
		{"sql server port", "Data Source=tcp:sqldata,1433;Initial Catalog=x", []addrRef{{host: "sqldata", port: "1433", scheme: "connstring"}}},
		{"comma list", "kafka-1:9092,kafka-2:9092", []addrRef{{host: "kafka-1", port: "9092"}, {host: "kafka-2", port: "9092"}}},
		{"mongodb replica set", "mongodb://a:27017,b:27017/db", []addrRef{{host: "a", port: "27017", scheme: "mongodb"}, {host: "b", port: "27017", path: "/db"}}},
		{"kafka voters", "1@kafka:9093", []addrRef{{host: "kafka", port: "9093"}}},
		{"kafka listener", "PLAINTEXT://kafka:9092", []addrRef{{host: "kafka", port: "9092", scheme: "plaintext"}}},
		{"jdbc", "jdbc:mysql://ts-voucher-mysql:3306/voucher", []addrRef{{host: "ts-voucher-mysql", port: "3306", scheme: "mysql", path: "/voucher"}}},
		{"java property", "-Dspring.data.mongodb.uri=mongodb://carts-db:27017/data", []addrRef{{host: "carts-db", port: "27017", scheme: "mongodb", path: "/data"}}},
		{"grpc dns", "dns:///productcatalog:3550", []addrRef{{host: "productcatalog", port: "3550", scheme: "dns"}}},
		{"bare host", "basketdata", []addrRef{{host: "basketdata", bare: true}}},
		{"k8s dns name", "zipkin.jaeger.svc.cluster.local", []addrRef{{host: "zipkin.jaeger.svc.cluster.local", bare: true}}},
		{"localhost", "http://localhost:8080/otlp-http/v1/traces", nil},
		{"wildcard", "http://*:7070", nil},
		{"any address", "http://0.0.0.0:80", nil},
		{"ip", "10.121.122.162:5105", nil},
		{"docker host", "http://host.docker.internal:5202/c/api", nil},
		{"docker for mac", "http://docker.for.mac.localhost:5202", nil},
		{"number", "8080", nil},
		{"version", "1.2.3", nil},
		{"memory size", "16MiB", []addrRef{{host: "16mib", bare: true}}},
		{"empty", "", nil},
		{"path", "/var/run/docker.sock", nil},
		{"jvm options", "-Xms64m -Xmx128m -Djava.security.egd=file:/dev/urandom", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := addressesIn(tt.value)
			if len(got) == 0 && len(tt.want) == 0 {
				return
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("addressesIn(%q) = %+v, want %+v", tt.value, got, tt.want)
			}
		})
	}
}

func TestClassifyKey(t *testing.T) {
	tests := []struct {
		key  string
		want keyKind
	}{
		{"PRODUCT_CATALOG_SERVICE_ADDR", keyKind{address: true}},
		{"REDIS_ADDR", keyKind{address: true}},
		{"MONGO_HOST", keyKind{address: true}},
		{"ConnectionString", keyKind{address: true}},
		{"EventBusConnection", keyKind{address: true}},
		{"identityUrl", keyKind{address: true}},
		{"urls__grpcBasket", keyKind{address: true, grpc: true}},
		{"CatalogUrlHC", keyKind{address: true, health: true}},
		{"OTEL_EXPORTER_OTLP_ENDPOINT", keyKind{address: true, telemetry: true}},
		{"ZIPKIN", keyKind{telemetry: true}},
		{"HOST_NAME", keyKind{}}, // the service's own name
		{"OTEL_SERVICE_NAME", keyKind{telemetry: true}},
		{"FLAGD_PORT", keyKind{}},
		{"DB_PASSWORD", keyKind{}},
		{"REDIS_IMAGE", keyKind{ignore: true}},
		{"IMAGE_PROVIDER_HOST", keyKind{address: true}},
		{"JAVA_OPTS", keyKind{}},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			if got := classifyKey(tt.key); got != tt.want {
				t.Errorf("classifyKey(%q) = %+v, want %+v", tt.key, got, tt.want)
			}
		})
	}
}

func TestServiceLike(t *testing.T) {
	for h, want := range map[string]bool{
		"shoppingassistantservice": true, "chatbot": true, "redis-cart": true,
		"true": false, "none": false, "local-llm.com": false, "api.example.com": false,
		"a": false, "-x": false, "my_db": false, "16mib": true,
	} {
		if got := serviceLike(h); got != want {
			t.Errorf("serviceLike(%q) = %v, want %v", h, got, want)
		}
	}
}

func TestSanitizeName(t *testing.T) {
	long := ""
	for i := 0; i < 150; i++ {
		long += "é"
	}
	tests := map[string]string{
		"cart":               "cart",
		"a\x00b\x1bc":        "abc",
		"  spaced  ":         "spaced",
		"\x01\x02":           "unnamed",
		"bad\xffutf8":        "bad\uFFFDutf8",
		"<script>x</script>": "<script>x</script>",
		long:                 long[:200],
	}
	for in, want := range tests {
		if got := sanitizeName(in); got != want {
			t.Errorf("sanitizeName(%q) = %q, want %q", in, got, want)
		}
		if msg := topology.ValidateName(sanitizeName(in)); msg != "" {
			t.Errorf("sanitizeName(%q) is not a valid name: %s", in, msg)
		}
	}
}

func TestExpandKubeVars(t *testing.T) {
	vals := map[string]string{"HOST": "otel-collector", "PORT": "4317"}
	for in, want := range map[string]string{
		"http://$(HOST):$(PORT)": "http://otel-collector:4317",
		"$(MISSING):1":           "$(MISSING):1",
		"$$(HOST)":               "$(HOST)",
		"cost $5":                "cost $5",
		"$(HOST":                 "$(HOST",
		"end$":                   "end$",
	} {
		if got := expandKubeVars(in, vals); got != want {
			t.Errorf("expandKubeVars(%q) = %q, want %q", in, got, want)
		}
	}
}
