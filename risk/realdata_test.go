package risk

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/archmap/archmap/topology"
)

// The models under testdata are real systems (testdata/realdata at the
// module root) deployed the way their files say, or the way a team plausibly
// would; each file's header tells which. The findings asserted here are the
// ones an SRE would point at on a whiteboard, and nothing more.

func mustReadModel(tb testing.TB, name string) *topology.Model {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	m, err := topology.Parse(data)
	if err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	return m
}

func TestRealSystems(t *testing.T) {
	cases := []struct {
		file string
		want []string
	}{
		{"online-boutique.yaml", []string{
			// redis-cart is the one replica holding the carts: losing its node
			// takes the cart, and with it the frontend, checkout and the load
			// generator that drives the frontend.
			"server-blast-radius high server:gke-pool-1",
			"spof-instance high service:redis-cart",
			// The frontend runs on gke-pool-3, which has no currencyservice.
			"chatty-cross-network medium dependency:frontend->currencyservice",
			// Nobody calls the load generator, so it is only medium.
			"spof-instance medium service:loadgenerator",
		}},
		{"hotel-reservation.yaml", []string{
			"server-blast-radius high server:docker-host",
			"spof-instance high service:attractions",
			"spof-instance high service:consul",
			"spof-instance high service:geo",
			"spof-instance high service:memcached-profile",
			"spof-instance high service:memcached-rate",
			"spof-instance high service:memcached-reserve",
			"spof-instance high service:memcached-review",
			"spof-instance high service:mongodb-attractions",
			"spof-instance high service:mongodb-geo",
			"spof-instance high service:mongodb-profile",
			"spof-instance high service:mongodb-rate",
			"spof-instance high service:mongodb-recommendation",
			"spof-instance high service:mongodb-reservation",
			"spof-instance high service:mongodb-review",
			"spof-instance high service:mongodb-user",
			"spof-instance high service:profile",
			"spof-instance high service:rate",
			"spof-instance high service:recommendation",
			"spof-instance high service:reservation",
			"spof-instance high service:review",
			"spof-instance high service:search",
			"spof-instance high service:user",
			// Only the user calls the frontend, and jaeger only gets traces.
			"spof-instance medium service:frontend",
			"spof-instance medium service:jaeger",
		}},
		{"sock-shop.yaml", []string{
			"server-blast-radius high server:node-a1",
			"server-blast-radius high server:node-a2",
			"server-blast-radius high server:node-b1",
			"spof-instance high service:carts",
			"spof-instance high service:carts-db",
			"spof-instance high service:catalogue",
			"spof-instance high service:catalogue-db",
			"spof-instance high service:orders-db",
			"spof-instance high service:payment",
			"spof-instance high service:rabbitmq",
			"spof-instance high service:session-db",
			"spof-instance high service:shipping",
			"spof-instance high service:user",
			"spof-instance high service:user-db",
			// Two orders replicas, one node.
			"spof-server high service:orders",
			"spof-instance medium service:edge-router",
			"spof-instance medium service:queue-master",
			// Two front-end replicas, both in us-east-1a.
			"spof-zone medium service:front-end",
			// edge-router → front-end → orders → carts → carts-db: four
			// calls, one more than the team allows.
			"deep-sync-chain low service:edge-router",
		}},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			r := Analyze(mustReadModel(t, tc.file))
			if got := brief(r, ""); !slices.Equal(got, tc.want) {
				t.Errorf("findings:\n got  %s\n want %s", strings.Join(got, "\n      "), strings.Join(tc.want, "\n      "))
			}
		})
	}
}

func TestRealSystemFailures(t *testing.T) {
	cases := []struct {
		file           string
		fail           []string
		down, degraded []string
	}{
		{"online-boutique.yaml", []string{"zone:europe-west1-b"},
			[]string{"cartservice", "checkoutservice", "frontend", "loadgenerator", "redis-cart"},
			[]string{"adservice", "currencyservice", "paymentservice", "productcatalogservice", "recommendationservice"}},
		{"online-boutique.yaml", []string{"server:gke-pool-3"},
			[]string{"loadgenerator"},
			[]string{"cartservice", "checkoutservice", "emailservice", "frontend", "paymentservice", "productcatalogservice", "shippingservice"}},
		{"sock-shop.yaml", []string{"service:rabbitmq"},
			[]string{"rabbitmq"},
			[]string{"queue-master", "shipping"}},
		{"sock-shop.yaml", []string{"service:payment"},
			[]string{"edge-router", "front-end", "orders", "payment"},
			[]string{}},
		{"hotel-reservation.yaml", []string{"service:jaeger"},
			[]string{"jaeger"},
			[]string{"attractions", "frontend", "geo", "profile", "rate", "recommendation", "reservation", "review", "search", "user"}},
	}
	for _, tc := range cases {
		t.Run(tc.file+" "+strings.Join(tc.fail, ","), func(t *testing.T) {
			sim, err := Simulate(mustReadModel(t, tc.file), tc.fail)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(sim.Down, tc.down) || !slices.Equal(sim.Degraded, tc.degraded) {
				t.Errorf("down %q\n degraded %q\nwant down %q\n degraded %q", sim.Down, sim.Degraded, tc.down, tc.degraded)
			}
		})
	}
}
