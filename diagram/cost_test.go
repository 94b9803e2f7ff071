package diagram

import "testing"

func TestLayoutCost(t *testing.T) {
	n := []string{"a", "b", "c", "d"}
	cases := []struct {
		name    string
		edges   [][2]string
		cluster func(string) string
		want    int
	}{
		{"no edges", nil, nil, 4},
		// a→b→c→d ranks 0..3; a→d spans 3 ranks: 2 virtual nodes.
		{"long edge", [][2]string{{"a", "b"}, {"b", "c"}, {"c", "d"}, {"a", "d"}}, nil, 6},
		// A cycle is turned around, not counted forever.
		{"cycle", [][2]string{{"a", "b"}, {"b", "c"}, {"c", "a"}}, nil, 4 + 1},
		{"unknown ends and loops", [][2]string{{"a", "x"}, {"a", "a"}}, nil, 4},
		{"across clusters", [][2]string{{"a", "b"}, {"c", "d"}}, func(id string) string {
			if id == "a" || id == "c" {
				return "one"
			}
			return "two"
		}, 4 + 2*crossClusterCost},
	}
	for _, c := range cases {
		if got := layoutCost(n, c.edges, c.cluster); got != c.want {
			t.Errorf("%s: cost %d, want %d", c.name, got, c.want)
		}
	}
}
