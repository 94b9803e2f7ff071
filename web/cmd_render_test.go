package main

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRenderCommand(t *testing.T) {
	model, err := os.ReadFile(filepath.Join("..", "diagram", "testdata", "shop.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	path := writeModel(t, "shop.yaml", string(model))
	out := filepath.Join(t.TempDir(), "shop.svg")
	tests := []struct {
		name  string
		stdin string
		args  []string
		code  int
		want  []string // in stdout (or the -o file)
	}{
		{"services svg", "", []string{"render", path}, 0, []string{"<svg", "<title>Golden shop — services</title>", ">cart<"}},
		{"deployment svg", "", []string{"render", "--view", "deployment", path}, 0, []string{">app-1 · kubernetes-node<", ">orders ×3<"}},
		{"dot from stdin", string(model), []string{"render", "--format", "dot", "-"}, 0, []string{"digraph archmap {", `label="cart\nservice · Go"`}},
		{"focus and group", "", []string{"render", "--format", "dot", "--focus", "cart", "--depth", "2", "--group", "team", path}, 0, []string{"digraph archmap {"}},
		{"to a file", "", []string{"render", "-o", out, path}, 0, nil},
		{"unknown view", "", []string{"render", "--view", "matrix", path}, 2, nil},
		{"unknown format", "", []string{"render", "--format", "png", path}, 2, nil},
		{"unknown grouping", "", []string{"render", "--group", "zone", path}, 2, nil},
		{"unknown focus", "", []string{"render", "--focus", "nope", path}, 2, nil},
		{"no model", "", []string{"render"}, 2, nil},
		{"invalid model", "version: 1\nname: x\nservices: [{name: a}, {name: a}]\n", []string{"render", "-"}, 2, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runRiskCLI(t, tt.stdin, nil, tt.args...)
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d; stderr:\n%s", r.code, tt.code, r.stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("output lacks %q", w)
				}
			}
			if strings.HasPrefix(r.stdout, "<?xml") {
				checkXML(t, []byte(r.stdout))
			}
		})
	}
	svg, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	checkXML(t, svg)
}

func checkXML(tb testing.TB, b []byte) {
	tb.Helper()
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = true
	for {
		_, err := d.Token()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			tb.Fatalf("not well-formed XML: %v", err)
		}
	}
}
