package importer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/archmap/archmap/topology"
)

// seedFromRealdata adds the realdata files that keep accepts as seeds. Big
// files are left out: minimizing an input as large as them takes minutes.
func seedFromRealdata(f *testing.F, keep func(name string, data []byte) bool) {
	f.Helper()
	root := realdata(f)
	_ = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !wantedInDir(d.Name()) || d.Name() == ".env" {
			return nil
		}
		data, err := os.ReadFile(p)
		if err == nil && len(data) <= 8<<10 && keep(d.Name(), data) {
			f.Add(data)
		}
		return nil
	})
}

// checkFuzzResult asserts what must hold for any input: either an error
// and nothing else, or a valid model with a report that matches it.
func checkFuzzResult(t *testing.T, files []File, m *topology.Model, rep *Report, err error) {
	if err != nil {
		if m != nil { // the report may come with the error: it explains it
			t.Fatalf("a partial model came with the error %v", err)
		}
		if c := topology.ErrorCode(err); c != topology.EINVALID && c != topology.ETOOLARGE {
			t.Fatalf("error code %s for bad input: %v", c, err)
		}
		return
	}
	if rep == nil || m == nil {
		t.Fatalf("no error and no result")
	}
	checkModel(t, m, rep, files)
}

func FuzzCompose(f *testing.F) {
	f.Add([]byte("services:\n  web:\n    image: nginx\n    environment:\n      API_URL: http://api:80\n    depends_on: [api]\n  api:\n    image: postgres\n"))
	f.Add([]byte(`{"services": {"a": {"image": "redis", "links": ["b:c"]}, "b": {"image": "x", "deploy": {"replicas": 2}}}}`))
	f.Add([]byte("services:\n  a:\n    image: ${X:-y}\n    profiles: [p]\n"))
	seedFromRealdata(f, func(name string, data []byte) bool {
		return strings.Contains(name, "compose") && !strings.Contains(string(data), "apiVersion")
	})
	f.Fuzz(func(t *testing.T, data []byte) {
		files := []File{{Name: "p/compose.yaml", Data: data}, {Name: "p/.env", Data: []byte("A=b:1\n")}}
		Detect(files) // must not panic, whatever the input
		m, rep, err := Compose(files, ComposeOptions{})
		checkFuzzResult(t, files, m, rep, err)
	})
}

func FuzzKubernetes(f *testing.F) {
	f.Add([]byte(deployment("a", "ns", 2, "redis", "B_ADDR", "b:80") + svcManifest("b", "ns", "b", "grpc:80") + deployment("b", "ns", 1, "x")))
	f.Add([]byte("apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: p}\n  spec: {containers: [{image: nginx, env: [{name: X_URL, value: 'http://$(Y)'}]}]}\n"))
	seedFromRealdata(f, func(name string, data []byte) bool {
		return strings.Contains(string(data), "apiVersion")
	})
	f.Add([]byte(deployment("z", "", 3, "x") + "      nodeSelector: {topology.kubernetes.io/zone: b}\n      affinity: {podAntiAffinity: {requiredDuringSchedulingIgnoredDuringExecution: [{topologyKey: kubernetes.io/hostname, labelSelector: {matchLabels: {app: z}}}]}}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		files := []File{{Name: "k/m.yaml", Data: data}}
		Detect(files) // must not panic, whatever the input
		m, rep, err := Kubernetes(files, KubeOptions{Nodes: 2, Zones: []string{"a"}})
		checkFuzzResult(t, files, m, rep, err)
	})
}
