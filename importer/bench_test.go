package importer

import (
	"fmt"
	"strings"
	"testing"
)

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

// Generated inputs of n services, each calling the next three by address.
func largeKubernetes(n int) []File {
	var b strings.Builder
	for i := 0; i < n; i++ {
		var env []string
		for j := 1; j <= 3; j++ {
			env = append(env, fmt.Sprintf("SVC%d_ADDR", j), fmt.Sprintf("svc-%d:8080", (i+j)%n))
		}
		b.WriteString(deployment(fmt.Sprintf("svc-%d", i), "", 1+i%3, "acme/svc", env...))
		b.WriteString(svcManifest(fmt.Sprintf("svc-%d", i), "", fmt.Sprintf("svc-%d", i), "http:8080"))
	}
	return []File{{Name: "large.yaml", Data: []byte(b.String())}}
}

func largeCompose(n int) []File {
	var b strings.Builder
	b.WriteString("services:\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "  svc-%d:\n    image: acme/svc\n    environment:\n", i)
		for j := 1; j <= 3; j++ {
			fmt.Fprintf(&b, "      SVC%d_URL: http://svc-%d:8080\n", j, (i+j)%n)
		}
	}
	return []File{{Name: "large/compose.yaml", Data: []byte(b.String())}}
}

func BenchmarkKubernetesGenerated(b *testing.B) {
	for _, n := range []int{100, 1000} {
		files := largeKubernetes(n)
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			for b.Loop() {
				if _, _, err := Kubernetes(files, KubeOptions{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkComposeGenerated(b *testing.B) {
	for _, n := range []int{100, 1000} {
		files := largeCompose(n)
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			for b.Loop() {
				if _, _, err := Compose(files, ComposeOptions{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
