package importer

import (
	"strings"
	"testing"
)

func TestDetect(t *testing.T) {
	tests := []struct {
		name     string
		files    []File
		want     Format
		evidence string // in Evidence, or in Problem when want is unknown
	}{
		{"model YAML", inFiles("", "m.yaml", "version: 1\nname: Shop\nservices:\n  - name: web\n"), FormatModel, "a list of services at m.yaml:1"},
		{"model JSON", inFiles("", "m.json", `{"version": 1, "name": "Shop", "services": [], "servers": []}`), FormatModel, "list of services"},
		{"model with only servers", inFiles("", "m.yaml", "name: x\nservers: []\n"), FormatModel, "top-level servers"},
		{"compose", inFiles("", "compose.yaml", "services:\n  web:\n    image: nginx\n"), FormatCompose, "a services mapping"},
		{"compose with .env", inFiles("p", ".env", "X=1\n", "compose.yaml", "name: p\nservices:\n  web:\n    image: nginx\n"), FormatCompose, "services mapping"},
		{"compose include only", inFiles("", "compose.yaml", "include: [a.yaml]\n"), FormatCompose, "include"},
		{"kubernetes, several documents", inFiles("", "k.yaml", "---\n# a comment\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: a}\n"), FormatKubernetes, "kind Deployment at k.yaml:4"},
		{"kubernetes with kustomization", inFiles("", "kustomization.yaml", "resources: [a.yaml]\n", "a.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n"), FormatKubernetes, "kind Pod"},
		{"mixed", inFiles("", "compose.yaml", "services:\n  web:\n    image: nginx\n", "k.yaml", "apiVersion: v1\nkind: Pod\n"), FormatUnknown, "mixes Docker Compose files"},
		{"neither", inFiles("", "x.yaml", "a: 1\n"), FormatUnknown, "neither"},
		{"not YAML", inFiles("", "x.yaml", "a: [1\n"), FormatUnknown, "x.yaml:1: did not find expected ',' or ']' (not valid YAML or JSON)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Detect(tt.files)
			if d.Format != tt.want {
				t.Fatalf("Detect = %+v, want %s", d, tt.want)
			}
			got := d.Evidence
			if tt.want == FormatUnknown {
				got = d.Problem
			}
			if !strings.Contains(got, tt.evidence) {
				t.Errorf("Detect = %+v, want %q in it", d, tt.evidence)
			}
		})
	}
}

// The real files are recognised for what they are.
func TestDetectRealFiles(t *testing.T) {
	for rel, want := range map[string]Format{
		"online-boutique/kubernetes-manifests.yaml":       FormatKubernetes,
		"online-boutique/kubernetes-manifests":            FormatKubernetes, // with its kustomization.yaml
		"sock-shop/complete-demo.yaml":                    FormatKubernetes,
		"sock-shop/docker-compose.yml":                    FormatCompose,
		"opentelemetry-demo/compose.yaml":                 FormatCompose, // with its .env
		"eshoponcontainers/docker-compose.override.yml":   FormatCompose,
		"deathstarbench/hotelReservation/kubernetes/user": FormatKubernetes,
		"train-ticket/quickstart-ts-deployment-part1.yml": FormatKubernetes,
	} {
		if d := Detect(readReal(t, rel)); d.Format != want {
			t.Errorf("%s detected as %+v, want %s", rel, d, want)
		}
	}
}
