package main

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestSimulateCommand(t *testing.T) {
	cases := []struct {
		name    string
		args    []string
		environ map[string]string
		code    int
		stdout  string // exact, when set
		stderr  string // contained, when set
	}{
		{"json, sorted, never null",
			[]string{"simulate", "--fail", "server:gke-pool-3", "--format", "json", boutique}, nil, 0,
			`{
  "down": [
    "loadgenerator"
  ],
  "degraded": [
    "cartservice",
    "checkoutservice",
    "emailservice",
    "frontend",
    "paymentservice",
    "productcatalogservice",
    "shippingservice"
  ]
}
`, ""},
		{"nothing degraded is an empty list",
			[]string{"simulate", "--fail", "service:loadgenerator", "--format", "json", boutique}, nil, 0,
			"{\n  \"down\": [\n    \"loadgenerator\"\n  ],\n  \"degraded\": []\n}\n", ""},
		{"text",
			[]string{"simulate", "--fail", "zone:europe-west1-b,service:emailservice", boutique}, nil, 0,
			`Failing zone:europe-west1-b, service:emailservice

Down (6):
  cartservice
  checkoutservice
  emailservice
  frontend
  loadgenerator
  redis-cart

Degraded (5):
  adservice
  currencyservice
  paymentservice
  productcatalogservice
  recommendationservice
`, ""},
		{"text with nothing down",
			[]string{"simulate", "--fail", "server:gke-pool-2", boutique}, nil, 0,
			"", "" /* checked below */},
		{"ARCHMAP_FAIL twin",
			[]string{"simulate", "--format", "json", boutique}, map[string]string{"ARCHMAP_FAIL": "service:loadgenerator"}, 0,
			"{\n  \"down\": [\n    \"loadgenerator\"\n  ],\n  \"degraded\": []\n}\n", ""},
		{"unknown names", []string{"simulate", "--fail", "server:gke-pool-9,zone:mars", boutique}, nil, 2,
			"", `unknown server "gke-pool-9"; unknown zone "mars"`},
		{"malformed item", []string{"simulate", "--fail", "gke-pool-1", boutique}, nil, 2,
			"", `"gke-pool-1": want server:NAME, zone:NAME or service:NAME`},
		{"trailing comma", []string{"simulate", "--fail", "server:gke-pool-1,", boutique}, nil, 2,
			"", `"": want server:NAME`},
		{"no --fail", []string{"simulate", boutique}, nil, 2, "", "simulate needs --fail"},
		{"no model", []string{"simulate", "--fail", "server:a"}, nil, 2, "", "takes a MODEL"},
		{"bad format", []string{"simulate", "--fail", "server:gke-pool-1", "--format", "yaml", boutique}, nil, 2, "", "want text or json"},
		{"invalid model", []string{"simulate", "--fail", "server:a", "-"}, nil, 2, "", "<stdin>:1: name: required"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := runRiskCLI(t, "version: 1\nservices: []\n", tc.environ, tc.args...)
			if res.code != tc.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", res.code, tc.code, res.stdout, res.stderr)
			}
			if tc.stdout != "" && res.stdout != tc.stdout {
				t.Errorf("stdout\n got %s\nwant %s", res.stdout, tc.stdout)
			}
			if tc.stderr != "" && !strings.Contains(res.stderr, tc.stderr) {
				t.Errorf("stderr does not say %q:\n%s", tc.stderr, res.stderr)
			}
			if tc.code != 0 && res.stdout != "" {
				t.Errorf("printed a result on failure: %s", res.stdout)
			}
		})
	}

	res := runRiskCLI(t, "", nil, "simulate", "--fail", "server:gke-pool-2", boutique)
	if !strings.Contains(res.stdout, "\nDown: none\n") || !strings.Contains(res.stdout, "\nDegraded (8):\n") {
		t.Errorf("text with nothing down:\n%s", res.stdout)
	}
}

func TestSimulateCommandStdinAndHostileNames(t *testing.T) {
	model := `{"version": 1, "name": "x",
 "services": [{"name": "<b>\"q\"\\"}, {"name": "ünï code"}],
 "servers": [{"name": "host 1"}],
 "placements": [{"service": "<b>\"q\"\\", "server": "host 1"}],
 "dependencies": [{"from": "ünï code", "to": "<b>\"q\"\\"}]}`
	res := runRiskCLI(t, model, nil, "simulate", "--fail", "server:host 1", "--format", "json", "-")
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	var got map[string][]string
	if err := json.Unmarshal([]byte(res.stdout), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{"down": {`<b>"q"\`, "ünï code"}, "degraded": {}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if !strings.Contains(res.stdout, `"<b>\"q\"\\"`) {
		t.Errorf("angle brackets must not be HTML-escaped in CLI JSON: %s", res.stdout)
	}
}
