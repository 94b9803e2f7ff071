package access

import "testing"

func TestCan(t *testing.T) {
	want := map[Role][4]bool{ // Read, Edit, Share, Manage
		Owner:  {true, true, true, true},
		Editor: {true, true, true, false},
		Viewer: {true, false, false, false},
		"":     {false, false, false, false},
		"root": {false, false, false, false},
	}
	for r, w := range want {
		for i, a := range []Action{Read, Edit, Share, Manage} {
			if got := r.Can(a); got != w[i] {
				t.Errorf("%q.Can(%s) = %v, want %v", r, a, got, w[i])
			}
		}
		if r.Can(Action(0)) || r.Can(Action(99)) {
			t.Errorf("%q may take an unknown action", r)
		}
	}
}

func TestParseRole(t *testing.T) {
	for _, r := range Roles {
		if got, ok := ParseRole(string(r)); !ok || got != r {
			t.Errorf("ParseRole(%q) = %q, %v", r, got, ok)
		}
	}
	for _, s := range []string{"", "Owner", "admin", " viewer"} {
		if _, ok := ParseRole(s); ok {
			t.Errorf("ParseRole(%q) accepted", s)
		}
	}
}
