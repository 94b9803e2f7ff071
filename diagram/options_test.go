package diagram

import (
	"flag"
	"io"
	"net/url"
	"reflect"
	"testing"

	"github.com/archmap/archmap/topology"
)

func TestOptionsKeyIsCanonical(t *testing.T) {
	same := [][]string{
		{"", "view=", "view=services", "view=services&depth=", "focus=&group=", "depth=4"},
		{"view=deployment", "view=deployment&depth=3", "group=&view=deployment"},
		{"focus=cart", "focus=cart&depth=1", "view=services&focus=cart"},
		{"focus=cart&depth=2&group=team", "group=team&depth=2&focus=cart&view="},
	}
	seen := map[string]string{}
	for _, group := range same {
		var key string
		for i, q := range group {
			v, err := url.ParseQuery(q)
			if err != nil {
				t.Fatal(err)
			}
			o, err := ParseQuery(v)
			if err != nil {
				t.Fatalf("%q: %v", q, err)
			}
			if i == 0 {
				key = o.Key()
				if other, dup := seen[key]; dup {
					t.Errorf("%q and %q draw different diagrams but share the key %q", q, other, key)
				}
				seen[key] = q
			} else if o.Key() != key {
				t.Errorf("%q has key %q, %q has %q: the same diagram", q, o.Key(), group[0], key)
			}
		}
	}
}

// TestEveryOptionIsInTheKey guards the caches: an option that changes the
// diagram but is left out of Key would serve one diagram for another.
func TestEveryOptionIsInTheKey(t *testing.T) {
	base := Options{Focus: "a"}
	typ := reflect.TypeOf(base)
	for i := range typ.NumField() {
		o := base
		f := reflect.ValueOf(&o).Elem().Field(i)
		switch f.Kind() {
		case reflect.String:
			switch typ.Field(i).Name {
			case "View":
				f.SetString(ViewDeployment)
			case "Group":
				f.SetString(GroupTeam)
			default:
				f.SetString("b")
			}
		case reflect.Int:
			f.SetInt(3)
		default:
			t.Fatalf("Options.%s: teach this test its kind %s", typ.Field(i).Name, f.Kind())
		}
		if err := o.Validate(); err != nil {
			t.Fatalf("Options.%s: %v", typ.Field(i).Name, err)
		}
		if o.Key() == base.Key() {
			t.Errorf("Options.%s is not in Key: %q", typ.Field(i).Name, o.Key())
		}
		// And it survives a trip through a URL.
		back, err := ParseQuery(mustQuery(t, o.Query()))
		if err != nil || back.Key() != o.Key() {
			t.Errorf("Options.%s lost in Query %q: %v", typ.Field(i).Name, o.Query(), err)
		}
	}
}

func mustQuery(t *testing.T, q string) url.Values {
	t.Helper()
	v, err := url.ParseQuery(q)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestOptionsRefuseBadValues(t *testing.T) {
	for _, q := range []string{"view=sideways", "group=zone", "depth=0", "depth=-1", "depth=11", "depth=x", "focus=a&depth=1e3"} {
		if o, err := ParseQuery(mustQuery(t, q)); topology.ErrorCode(err) != topology.EINVALID {
			t.Errorf("%q: %+v, %v; want EINVALID", q, o, err)
		}
	}
	m := &topology.Model{Services: []topology.Service{{Name: "a"}}}
	if err := (Options{Focus: "b"}).CheckModel(m); topology.ErrorCode(err) != topology.ENOTFOUND {
		t.Errorf("focus on a missing service: %v", err)
	}
	if err := (Options{Focus: "a"}).CheckModel(m); err != nil {
		t.Error(err)
	}
}

// TestOptionsFlagsAreTheQuery: the CLI's flags read the same options as the
// page's query string.
func TestOptionsFlagsAreTheQuery(t *testing.T) {
	fs := flag.NewFlagSet("render", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var o Options
	o.AddFlags(fs)
	if err := fs.Parse([]string{"--view", "deployment", "--focus", "cart", "--depth", "2", "--group", "team"}); err != nil {
		t.Fatal(err)
	}
	o, err := o.Normalize()
	if err != nil {
		t.Fatal(err)
	}
	q, err := ParseQuery(mustQuery(t, "view=deployment&focus=cart&depth=2&group=team"))
	if err != nil {
		t.Fatal(err)
	}
	if o != q {
		t.Errorf("flags %+v, query %+v", o, q)
	}
	fs = flag.NewFlagSet("render", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	o = Options{}
	o.AddFlags(fs)
	if err := fs.Parse([]string{"--depth", "0"}); err == nil {
		t.Error("--depth 0 accepted")
	}
	fs.PrintDefaults() // must not panic on the zero flag value
}

func TestFormats(t *testing.T) {
	for _, f := range Formats() {
		g, err := ParseFormat(f.Name)
		if err != nil || g.Name != f.Name {
			t.Errorf("ParseFormat(%q) = %v, %v", f.Name, g.Name, err)
		}
	}
	if _, err := ParseFormat("gif"); topology.ErrorCode(err) != topology.EINVALID {
		t.Errorf("gif: %v", err)
	}
	if got := (Options{View: ViewDeployment, Group: GroupTeam}).Filename("shop", ExportSVG); got != "shop-deployment-by-team.svg" {
		t.Errorf("filename %q", got)
	}
}
