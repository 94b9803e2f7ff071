package topology_test

import (
	"strings"
	"testing"

	"github.com/archmap/archmap/topology"
)

// A name must neither break the diagrams (noncharacters) nor reorder the
// text around it (bidi controls); the message names the field.
func TestNamesRefuseNoncharactersAndBidiControls(t *testing.T) {
	tests := []struct {
		name, in string
		want     []want
	}{
		{"U+FFFF in a service name", `{"name": "Shop", "services": [{"name": "pay\uffff"}]}`,
			[]want{{"services[0].name", 1, "noncharacter U+FFFF"}}},
		{"U+FFFE in a server name", `{"name": "Shop", "servers": [{"name": "a\ufffe"}]}`,
			[]want{{"servers[0].name", 1, "noncharacter U+FFFE"}}},
		{"U+FDD0 in the model name", `{"name": "Shop\ufdd0"}`,
			[]want{{"name", 1, "noncharacter U+FDD0"}}},
		{"plane 16 noncharacter", `{"name": "Shop", "services": [{"name": "x\udbff\udfff"}]}`,
			[]want{{"services[0].name", 1, "noncharacter U+10FFFF"}}},
		{"right-to-left override", `{"name": "Shop", "services": [{"name": "gpj.\u202eexe"}]}`,
			[]want{{"services[0].name", 1, "bidi control U+202E"}}},
		{"first strong isolate", `{"name": "Shop", "servers": [{"name": "a\u2068b"}]}`,
			[]want{{"servers[0].name", 1, "bidi control U+2068"}}},
		{"right-to-left mark", `{"name": "Shop", "services": [{"name": "a\u200fb"}]}`,
			[]want{{"services[0].name", 1, "bidi control U+200F"}}},
		{"Arabic letter mark", `{"name": "Shop", "services": [{"name": "a\u061cb"}]}`,
			[]want{{"services[0].name", 1, "bidi control U+061C"}}},
		{"bidi control in a team", `{"name": "Shop", "services": [{"name": "a", "team": "x\u202ay"}]}`,
			[]want{{"services[0].team", 1, "bidi control U+202A"}}},
		{"noncharacter in a description", `{"name": "Shop", "description": "x\uffffy"}`,
			[]want{{"description", 1, "noncharacter U+FFFF"}}},
		{"zero-width space beside the plain name", `{"name": "Shop", "services": [{"name": "payments"}, {"name": "pay\u200bments"}]}`,
			[]want{{"services[1].name", 1, `looks the same as "payments"`}}},
		{"case only", `{"name": "Shop", "servers": [{"name": "Node-A"}, {"name": "node-a"}]}`,
			[]want{{"servers[1].name", 1, `looks the same as "Node-A"`}}},
		{"soft hyphen and word joiner", `{"name": "Shop", "services": [{"name": "cart"}, {"name": "ca\u00adr\u2060t"}]}`,
			[]want{{"services[1].name", 1, `looks the same as "cart"`}}},
		{"variation selector and BOM", `{"name": "Shop", "services": [{"name": "db"}, {"name": "d\ufe0fb\ufeff"}]}`,
			[]want{{"services[1].name", 1, `looks the same as "db"`}}},
		{"decomposed accent", `{"name": "Shop", "services": [{"name": "caf\u00e9"}, {"name": "cafe\u0301"}]}`,
			[]want{{"services[1].name", 1, `looks the same as "café"`}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkProblems(t, problemsOf(t, tt.in), tt.want)
		})
	}
}

// What stays allowed: a service and a server may share a name, bidi marks
// in prose, right-to-left letters, and names that only look alike to a
// careless reader but are different letters.
func TestNamesAllowed(t *testing.T) {
	for _, in := range []string{
		`{"name": "Shop", "services": [{"name": "api"}], "servers": [{"name": "API"}]}`,
		`{"name": "Shop", "services": [{"name": "a", "description": "שלום \u200f world"}]}`,
		`{"name": "Shop", "services": [{"name": "خدمة الدفع"}, {"name": "payments"}]}`,
		`{"name": "Shop", "services": [{"name": "cart-1"}, {"name": "cart-l"}]}`,
	} {
		mustParse(t, in)
	}
}

func TestValidateNameAndKey(t *testing.T) {
	if msg := topology.ValidateName("a\u2066b"); !strings.Contains(msg, "U+2066") {
		t.Errorf("ValidateName(LRI) = %q, want a message naming U+2066", msg)
	}
	if got, want := topology.NameKey("Pay\u200bMents\u00ad"), topology.NameKey("payments"); got != want {
		t.Errorf("NameKey = %q, want %q", got, want)
	}
	if topology.NameKey("a b") == topology.NameKey("ab") {
		t.Error("a space is not ignorable: \"a b\" and \"ab\" look different")
	}
}
