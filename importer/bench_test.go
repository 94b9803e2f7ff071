package importer

import "testing"

// Imports of the largest real inputs: the layered OpenTelemetry demo compose
// files and its 640 KB Kubernetes manifest.
func BenchmarkComposeOpenTelemetryDemo(b *testing.B) {
	files := readReal(b, "opentelemetry-demo/compose.yaml", "opentelemetry-demo/compose.full.yaml", "opentelemetry-demo/compose.observability.yaml")
	for b.Loop() {
		if _, _, err := Compose(files, ComposeOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkKubernetesOpenTelemetryDemo(b *testing.B) {
	files := readReal(b, "opentelemetry-demo/kubernetes/opentelemetry-demo.yaml")
	for b.Loop() {
		if _, _, err := Kubernetes(files, KubeOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
