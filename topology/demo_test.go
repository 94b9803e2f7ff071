package topology

import "testing"

func TestDemoIsValid(t *testing.T) {
	m := Demo()
	if len(m.Services) < 10 || len(m.Servers) < 5 {
		t.Fatalf("demo model too small: %d services, %d servers", len(m.Services), len(m.Servers))
	}
}
