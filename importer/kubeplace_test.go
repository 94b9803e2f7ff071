package importer

import (
	"strconv"
	"testing"

	"github.com/archmap/archmap/topology"
)

// placedOn maps each server a service is placed on to its instances.
func placedOn(m *topology.Model, service string) map[string]int {
	out := map[string]int{}
	for _, p := range m.Placements {
		if p.Service == service {
			out[p.Server] += p.Instances
		}
	}
	return out
}

func workloadWith(name string, replicas int, podSpec string) string {
	return `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ` + name + `}
spec:
  replicas: ` + strconv.Itoa(replicas) + `
  selector: {matchLabels: {app: ` + name + `}}
  template:
    metadata: {labels: {app: ` + name + `}}
    spec:
      containers: [{name: c, image: acme/` + name + `}]
` + podSpec
}

func TestKubernetesPlacementRules(t *testing.T) {
	manifest := workloadWith("pinned", 2, `      nodeSelector: {topology.kubernetes.io/zone: b}
`) + workloadWith("apart", 5, `      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - topologyKey: kubernetes.io/hostname
            labelSelector: {matchLabels: {app: apart}}
`) + workloadWith("zonal", 4, `      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - topologyKey: topology.kubernetes.io/zone
            labelSelector:
              matchExpressions: [{key: app, operator: In, values: [zonal]}]
`) + workloadWith("notc", 4, `      affinity:
        nodeAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            nodeSelectorTerms:
            - matchExpressions: [{key: topology.kubernetes.io/zone, operator: NotIn, values: [c]}]
      topologySpreadConstraints:
      - {maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: DoNotSchedule}
`) + workloadWith("other-selector", 3, `      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - topologyKey: kubernetes.io/hostname
            labelSelector: {matchLabels: {app: someone-else}}
`) + workloadWith("plain", 3, "")
	files := []File{{Name: "m.yaml", Data: []byte(manifest)}}
	m, rep := mustKube(t, files, KubeOptions{Nodes: 6, Zones: []string{"a", "b", "c"}})
	// node-1 a, node-2 b, node-3 c, node-4 a, node-5 b, node-6 c
	tests := []struct {
		service string
		want    map[string]int
	}{
		{"pinned", map[string]int{"node-2": 1, "node-5": 1}},
		{"zonal", nil}, // checked below: one per zone, 3 of 4
		{"plain", nil},
	}
	for _, tt := range tests {
		if tt.want == nil {
			continue
		}
		if got := placedOn(m, tt.service); !sameCounts(got, tt.want) {
			t.Errorf("%s placed %v, want %v", tt.service, got, tt.want)
		}
	}
	zoneOf := map[string]string{}
	for _, s := range m.Servers {
		zoneOf[s.Name] = s.Zone
	}
	perZone := func(service string) map[string]int {
		out := map[string]int{}
		for srv, n := range placedOn(m, service) {
			out[zoneOf[srv]] += n
		}
		return out
	}
	if got := placedOn(m, "apart"); len(got) != 5 || instances(m, "apart") != 5 {
		t.Errorf("apart (one per node, 5 of 6 nodes) placed %v", got)
	}
	if got := perZone("zonal"); !sameCounts(got, map[string]int{"a": 1, "b": 1, "c": 1}) {
		t.Errorf("zonal (one per zone) placed %v", got)
	}
	if !anyContains(rep.Warnings, "zonal: only 3 of its 4 replicas can be scheduled") {
		t.Errorf("the Pending replica is not reported: %v", rep.Warnings)
	}
	if got := perZone("notc"); !sameCounts(got, map[string]int{"a": 2, "b": 2}) {
		t.Errorf("notc (not zone c, spread) placed %v", got)
	}
	// A rule against other pods does not cap this workload.
	if instances(m, "other-selector") != 3 {
		t.Errorf("other-selector has %d instances, want 3", instances(m, "other-selector"))
	}
	for _, want := range []string{"pinned: nodeSelector topology.kubernetes.io/zone=b", "apart: podAntiAffinity on kubernetes.io/hostname", "notc: nodeAffinity on topology.kubernetes.io/zone, topologySpreadConstraints over zones"} {
		if !anyContains(rep.Assumptions, want) {
			t.Errorf("the report does not say %q: %v", want, rep.Assumptions)
		}
	}
	if anyContains(rep.Assumptions, "plain:") {
		t.Errorf("a workload without rules is listed as having some: %v", rep.Assumptions)
	}
}

// Without --zone, the zones the manifests name become the cluster's, so a
// workload pinned to them is placed where it says.
func TestKubernetesZonesFromManifests(t *testing.T) {
	manifest := workloadWith("api", 4, `      affinity:
        nodeAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            nodeSelectorTerms:
            - matchExpressions: [{key: topology.kubernetes.io/zone, operator: In, values: [eu-1b, eu-1a]}]
`)
	m, rep := mustKube(t, []File{{Name: "m.yaml", Data: []byte(manifest)}}, KubeOptions{Nodes: 4})
	if !anyContains(rep.Assumptions, "placement rules name: eu-1a, eu-1b") {
		t.Errorf("assumptions %v", rep.Assumptions)
	}
	zones := map[string]bool{}
	for _, s := range m.Servers {
		zones[s.Zone] = true
	}
	if !zones["eu-1a"] || !zones["eu-1b"] || len(zones) != 2 {
		t.Errorf("server zones %v", zones)
	}
	if instances(m, "api") != 4 || len(placedOn(m, "api")) != 4 {
		t.Errorf("api placed %v", placedOn(m, "api"))
	}

	// Given zones that the rules do not name: not placed, and said.
	m, rep = mustKube(t, []File{{Name: "m.yaml", Data: []byte(manifest)}}, KubeOptions{Nodes: 2, Zones: []string{"us-1a"}})
	if instances(m, "api") != 0 || !anyContains(rep.Warnings, "not placed") {
		t.Errorf("api placed %v; warnings %v", placedOn(m, "api"), rep.Warnings)
	}
}

func sameCounts(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// The recommended labels give the team when nothing better does: part-of,
// then component; an explicit team label wins.
func TestKubernetesTeamFromLabels(t *testing.T) {
	manifest := `apiVersion: apps/v1
kind: Deployment
metadata:
  name: cart
  labels: {app.kubernetes.io/part-of: shop, app.kubernetes.io/component: backend, team: payments}
spec:
  template:
    metadata: {labels: {app: cart}}
    spec: {containers: [{name: c, image: acme/cart}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {app.kubernetes.io/component: frontend}}
spec:
  template:
    metadata: {labels: {app: web, app.kubernetes.io/part-of: shop}}
    spec: {containers: [{name: c, image: acme/web}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: tool}
spec:
  template:
    metadata: {labels: {app: tool}}
    spec: {containers: [{name: c, image: acme/tool}]}
`
	m, rep := mustKube(t, []File{{Name: "m.yaml", Data: []byte(manifest)}}, KubeOptions{})
	for name, want := range map[string]string{"cart": "payments", "web": "shop", "tool": ""} {
		if got := service(t, m, name).Team; got != want {
			t.Errorf("team of %s = %q, want %q", name, got, want)
		}
	}
	if !anyContains(rep.Assumptions, "label app.kubernetes.io/part-of (web)") {
		t.Errorf("assumptions %v", rep.Assumptions)
	}
}

// The OpenTelemetry demo's manifest labels its parts with part-of and
// component; the real file gives those teams.
func TestKubernetesTeamsOfTheOpenTelemetryDemo(t *testing.T) {
	files := readReal(t, "opentelemetry-demo/kubernetes/opentelemetry-demo.yaml")
	m, rep := mustKube(t, files, KubeOptions{})
	for name, want := range map[string]string{"otel-collector": "opentelemetry-collector", "prometheus": "prometheus", "jaeger": "all-in-one"} {
		if got := service(t, m, name).Team; got != want {
			t.Errorf("team of %s = %q, want %q", name, got, want)
		}
	}
	// OpenSearch prefers its replicas apart; that is said, and it is the
	// only rule of the file.
	if !anyContains(rep.Assumptions, "honoured instead of the default spreading: opensearch: preferred podAntiAffinity on kubernetes.io/hostname.") {
		t.Errorf("the report does not say which placement rule was used: %v", rep.Assumptions)
	}
	// Online Boutique has none: the default spreading decides, and says so.
	_, rep = mustKube(t, readReal(t, "online-boutique/kubernetes-manifests.yaml"), KubeOptions{})
	if !anyContains(rep.Assumptions, "No workload has placement rules") {
		t.Errorf("the report does not say the default spreading was used: %v", rep.Assumptions)
	}
}
