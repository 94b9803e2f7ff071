package topologytest

import (
	"reflect"
	"testing"
)

func TestGenerateIsValidAndDeterministic(t *testing.T) {
	for _, n := range []int{1, 2, 100, 1000} {
		m := Generate(n)
		if err := m.Validate(); err != nil {
			t.Fatalf("Generate(%d) is invalid: %v", n, err)
		}
		if len(m.Services) != n {
			t.Errorf("Generate(%d) has %d services", n, len(m.Services))
		}
		if n > 2 && len(m.Dependencies) != 2*n {
			t.Errorf("Generate(%d) has %d dependencies, want %d", n, len(m.Dependencies), 2*n)
		}
		if !reflect.DeepEqual(m, Generate(n)) {
			t.Errorf("Generate(%d) differs between calls", n)
		}
	}
}
