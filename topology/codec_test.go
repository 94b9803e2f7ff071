package topology_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/archmap/archmap/topology"
	"github.com/archmap/archmap/topology/topologytest"
)

// TestParseJSON: JSON input obeys the same rules as YAML, and its problems
// carry lines too.
func TestParseJSON(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []want
	}{
		{"duplicate key", `{"name": "a",
 "name": "b"}`, []want{{"name", 2, "field given twice"}}},
		{"duplicate key in a service", `{"name": "Shop", "services": [
  {"name": "a", "kind": "cache",
   "kind": "queue"}]}`, []want{{"services[0].kind", 3, "field given twice"}}},
		{"unknown field in a dependency", `{
  "name": "Shop",
  "services": [{"name": "a"}, {"name": "b"}],
  "dependencies": [
    {"from": "a", "to": "b",
     "retries": 3}
  ]
}`, []want{{"dependencies[0].retries", 6, `unknown field "retries"`}}},
		{"zero instances", `{"name": "Shop",
 "services": [{"name": "a"}], "servers": [{"name": "s"}],
 "placements": [{"service": "a", "server": "s", "instances": 0}]}`, []want{{"placements[0].instances", 3, "from 1 to 1000000, got 0"}}},
		{"fractional instances", `{"name": "Shop",
 "services": [{"name": "a"}], "servers": [{"name": "s"}],
 "placements": [{"service": "a", "server": "s", "instances": 2.5}]}`, []want{{"placements[0].instances", 3, "must be an integer, got 2.5"}}},
		{"instances as text", `{"name": "Shop",
 "services": [{"name": "a"}], "servers": [{"name": "s"}],
 "placements": [{"service": "a", "server": "s", "instances": "2"}]}`, []want{{"placements[0].instances", 3, `must be an integer, got "2"`}}},
		{"zero calls per request", `{"name": "Shop", "services": [{"name": "a"}],
 "dependencies": [{"from": "a", "to": "a", "calls_per_request": 0}]}`, []want{{"dependencies[0].calls_per_request", 2, "greater than 0 and at most 1e9, got 0"}}},
		{"calls per request out of range", `{"name": "Shop", "services": [{"name": "a"}],
 "dependencies": [{"from": "a", "to": "a", "calls_per_request": 1e400}]}`, []want{{"dependencies[0].calls_per_request", 2, "must be a number, got 1e400"}}},
		{"NUL in a name", `{"name": "a\u0000b"}`, []want{{"name", 1, "control character U+0000"}}},
		{"services as an object", `{"name": "Shop",
 "services": {"a": {}}}`, []want{{"services", 2, "must be a list, got a mapping"}}},
		{"version 2", `{"version": 2, "name": "Shop"}`, []want{{"version", 1, "unsupported format version 2"}}},
		{"empty object", `{}`, []want{{"name", 1, "required"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkProblems(t, problemsOf(t, tt.in), tt.want)
		})
	}
}

// TestParseMalformed: input that is no model at all gets one clear problem,
// with its line when there is one.
func TestParseMalformed(t *testing.T) {
	tests := []struct {
		name string
		in   string
		line int
		msg  string
	}{
		{"empty", "", 0, "the model is empty"},
		{"blank lines", "  \n\n   \n", 0, "the model is empty"},
		{"only a comment", "# nothing yet\n", 0, "the model is empty"},
		{"empty document", "---\n", 0, "the model is empty"},
		{"null", "null\n", 0, "the model is empty"},
		{"tilde", "~", 0, "the model is empty"},
		{"two YAML documents", "name: a\n---\nname: b\n", 2, "a model file holds one document, found another"},
		// yaml.v3 names the line where the broken construct began.
		{"YAML syntax error", "name: Shop\nservices:\n  - name: a\n   kind: [\n", 2, "invalid YAML: did not find expected '-' indicator"},
		{"YAML tab indentation", "name: Shop\nservices:\n\t- name: a\n", 3, "invalid YAML"},
		{"unclosed YAML quote", "name: Shop\ndescription: \"never closed\n", 2, "invalid YAML"},
		{"undefined alias", "name: Shop\nservices:\n  - name: *nowhere\n", 3, "invalid YAML: unknown anchor 'nowhere'"},
		{"JSON syntax error", "{\"name\": \"Shop\",\n \"services\": [}\n", 2, "invalid JSON: invalid character '}'"},
		{"truncated JSON", "{\"name\": \"Shop\",\n \"services\": [", 2, "invalid JSON: unexpected end of input"},
		{"JSON followed by another", `{"name": "a"} {"name": "b"}`, 1, "invalid JSON: unexpected data after the model"},
		{"JSON followed by a bracket", "{\"name\": \"a\"}\n]", 2, "invalid JSON: unexpected data after the model"},
		{"JSON followed by text", "{\"name\": \"a\"}\ngarbage here", 2, "invalid JSON: unexpected data after the model"},
		{"invalid UTF-8 in JSON", "{\"name\": \"Shop\",\n \"description\": \"caf\xe9\"}", 2, "the model is not valid UTF-8"},
		{"invalid UTF-8 in YAML", "name: Shop\n# caf\xe9\n", 2, "the model is not valid UTF-8"},
		{"NUL byte in YAML", "name: Shop\x00\n", 1, "invalid YAML: control characters are not allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkProblems(t, problemsOf(t, tt.in), []want{{"", tt.line, tt.msg}})
		})
	}
}

// billionLaughs is the classic alias bomb: nine levels of nine-fold aliases,
// 9^9 (387 million) nodes when expanded, in a few hundred bytes.
func billionLaughs(use string) []byte {
	var b strings.Builder
	b.WriteString("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n")
	for i := 1; i <= 8; i++ {
		fmt.Fprintf(&b, "a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n", i, i, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1)
	}
	b.WriteString("name: Shop\n" + use + "\n")
	return []byte(b.String())
}

// TestParseAliasBomb: aliases that would expand into billions of nodes are
// refused without being expanded. (How fast: BenchmarkParseAliasBomb.)
func TestParseAliasBomb(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want want
		only bool
	}{
		{"as the services", billionLaughs("services: *a8"), want{"a0", 1, `unknown field "a0"`}, false},
		{"as a service", billionLaughs("services: [*a8]"), want{"a0", 1, `unknown field "a0"`}, false},
		{"as a name", billionLaughs("description: *a8"), want{"a0", 1, `unknown field "a0"`}, false},
		{"fan-out", fanOut(), want{"services[26215]", 2, "too many nodes reached through YAML aliases"}, true},
		{"fan-out of a mapping with unknown fields", fanOutUnknown(), want{"services[646]", 2, "too many nodes reached through YAML aliases"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			problems := problemsOf(t, string(tt.in))
			got := problems[0]
			if got.Path != tt.want.path || got.Line != tt.want.line || !strings.Contains(got.Message, tt.want.msg) {
				t.Errorf("first problem = %v, want %v", got, tt.want)
			}
			if tt.only && len(problems) != 1 {
				t.Errorf("got %d problems, want only the one about aliases:\n%s", len(problems), formatProblems(problems))
			}
		})
	}
}

// fanOut names one service 30 000 times through an alias: 120 kB of YAML
// that would decode into 150 000 nodes.
func fanOut() []byte {
	return []byte("name: Shop\nservices: [&s {name: a, team: t}" + strings.Repeat(", *s", 30_000) + "]\n")
}

// fanOutUnknown is fanOut with a mapping of 100 unknown fields: the problem
// about the aliases must not drown among the same unknown fields repeated.
func fanOutUnknown() []byte {
	var b strings.Builder
	b.WriteString("name: Shop\nservices: [&s {name: a")
	for i := range 100 {
		fmt.Fprintf(&b, ", f%d: 0", i)
	}
	b.WriteString("}" + strings.Repeat(", *s", 5000) + "]\n")
	return []byte(b.String())
}

// TestParseDeepNesting: 100 000 levels of nesting are refused without a
// deep recursion, in YAML and JSON alike.
func TestParseDeepNesting(t *testing.T) {
	const deep = 100_000
	tests := []struct {
		name string
		in   string
		msg  string
	}{
		{"YAML flow lists", strings.Repeat("[", deep) + strings.Repeat("]", deep), "invalid YAML: exceeded max depth"},
		{"YAML flow lists in a field", "name: Shop\nservices: " + strings.Repeat("[", deep) + strings.Repeat("]", deep) + "\n", "invalid YAML: exceeded max depth"},
		{"YAML flow mappings", "name: Shop\nservices: " + strings.Repeat("{a: ", deep) + "\n", "invalid YAML: exceeded max depth"},
		{"YAML block lists", "name: Shop\nservices: " + strings.Repeat("- ", deep) + "x\n", "invalid YAML"},
		{"JSON arrays", `{"name": "Shop", "services": ` + strings.Repeat("[", deep) + strings.Repeat("]", deep) + "}", "invalid JSON: nested deeper than"},
		{"JSON objects", strings.Repeat(`{"a": `, deep) + "1" + strings.Repeat("}", deep), "invalid JSON: nested deeper than"},
		{"unclosed JSON arrays", `{"services": ` + strings.Repeat("[", deep), "invalid JSON: nested deeper than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			problems := problemsOf(t, tt.in)
			if len(problems) != 1 || !strings.Contains(problems[0].Message, tt.msg) {
				t.Errorf("problems = %v, want one saying %q", problems, tt.msg)
			}
		})
	}
}

func TestParseTooLarge(t *testing.T) {
	// Padded with spaces, which JSON skips fastest.
	valid := `{"name": "Shop"}`
	atLimit := valid + strings.Repeat(" ", topology.MaxInputSize-len(valid)-1) + "\n"
	if len(atLimit) != topology.MaxInputSize {
		t.Fatalf("test input is %d bytes, want %d", len(atLimit), topology.MaxInputSize)
	}
	if _, err := topology.Parse([]byte(atLimit)); err != nil {
		t.Errorf("Parse of exactly MaxInputSize bytes: %v", err)
	}
	overLimit := atLimit + "\n"
	for name, parse := range map[string]func() error{
		"Parse": func() error { _, err := topology.Parse([]byte(overLimit)); return err },
		"ParseSource": func() error {
			_, src, err := topology.ParseSource([]byte(overLimit))
			if src != nil {
				t.Errorf("ParseSource returned a source with its error")
			}
			return err
		},
		"Read": func() error { _, err := topology.Read(strings.NewReader(overLimit)); return err },
	} {
		t.Run(name, func(t *testing.T) {
			err := parse()
			var e *topology.Error
			if !errors.As(err, &e) || e.Code != topology.ETOOLARGE {
				t.Fatalf("error = %v (%T), want a *topology.Error with code %s", err, err, topology.ETOOLARGE)
			}
			if !strings.Contains(e.Message, "larger than 5 MiB") {
				t.Errorf("message = %q, want it to name the bound", e.Message)
			}
		})
	}
}

// endless is a reader that never ends, counting what was read from it.
type endless struct{ read int64 }

func (r *endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = '#'
	}
	r.read += int64(len(p))
	return len(p), nil
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

func TestRead(t *testing.T) {
	t.Run("endless input stops at the bound", func(t *testing.T) {
		r := &endless{}
		_, err := topology.Read(r)
		if topology.ErrorCode(err) != topology.ETOOLARGE {
			t.Fatalf("Read = %v, want %s", err, topology.ETOOLARGE)
		}
		if r.read > topology.MaxInputSize+1 {
			t.Errorf("Read consumed %d bytes, want at most %d", r.read, topology.MaxInputSize+1)
		}
	})
	t.Run("a model", func(t *testing.T) {
		m, err := topology.Read(strings.NewReader("name: Shop\nservices:\n  - name: a\n"))
		if err != nil || m.Name != "Shop" || len(m.Services) != 1 {
			t.Fatalf("Read = %+v, %v", m, err)
		}
	})
	t.Run("a reader's error", func(t *testing.T) {
		_, err := topology.Read(failingReader{})
		if err == nil || !strings.Contains(err.Error(), "disk on fire") {
			t.Fatalf("Read = %v, want the reader's error", err)
		}
		if topology.ErrorCode(err) != topology.EINTERNAL {
			t.Errorf("ErrorCode = %s, want %s: a broken reader is not the user's input", topology.ErrorCode(err), topology.EINTERNAL)
		}
	})
}

// TestTextStaysText: values that YAML would read as numbers, booleans, null
// or dates are kept as the text that was written, and survive an export in
// either format.
func TestTextStaysText(t *testing.T) {
	tests := []struct {
		name    string
		written string // as it appears in the YAML file
		want    string
	}{
		{"year", "2024", "2024"},
		{"yes", "yes", "yes"},
		{"no", "no", "no"},
		{"on", "on", "on"},
		{"y", "y", "y"},
		{"true", "true", "true"},
		{"quoted null", `"null"`, "null"},
		{"quoted tilde", `"~"`, "~"},
		{"decimal", "1.0", "1.0"},
		{"octal-looking", "010", "010"},
		{"hex", "0x1F", "0x1F"},
		{"exponent", "1e3", "1e3"},
		{"infinity", ".inf", ".inf"},
		{"not a number", ".nan", ".nan"},
		{"date", "2024-01-31", "2024-01-31"},
		{"negative", "-5", "-5"},
		{"quoted number", `"123"`, "123"},
		{"merge key", `"<<"`, "<<"},
		{"dash", `"-"`, "-"},
		{"version-like", "1.2.3", "1.2.3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := mustParse(t, "name: "+tt.written+"\nservices:\n  - name: "+tt.written+"\n    team: "+tt.written+"\n    tech: "+tt.written+"\nservers:\n  - name: "+tt.written+"\n    zone: "+tt.written+"\n")
			check := func(how string, m *topology.Model) {
				t.Helper()
				got := []string{m.Name, m.Services[0].Name, m.Services[0].Team, m.Services[0].Tech, m.Servers[0].Name, m.Servers[0].Zone}
				for _, g := range got {
					if g != tt.want {
						t.Fatalf("%s: fields = %q, want all %q", how, got, tt.want)
					}
				}
			}
			check("parsed", m)
			check("through YAML", mustParse(t, string(mustEncode(t, m, "yaml"))))
			check("through JSON", mustParse(t, string(mustEncode(t, m, "json"))))
		})
	}
	t.Run("JSON numbers and booleans where text is due", func(t *testing.T) {
		m := mustParse(t, `{"name": 2024, "services": [{"name": true, "team": 1.50}]}`)
		if m.Name != "2024" || m.Services[0].Name != "true" || m.Services[0].Team != "1.50" {
			t.Errorf("model = %+v, want the literal text", m)
		}
	})
}

func TestSourceLine(t *testing.T) {
	yamlIn := `# the shop
version: 1
name: Shop
settings:
  max_sync_chain: 4
services:
  - name: web
  - name: api
    team: core
placements: []
`
	jsonIn := `{
  "name": "Shop",
  "settings": {"max_sync_chain": 4},
  "services": [
    {"name": "web"},
    {"name": "api",
     "team": "core"}
  ]
}`
	tests := []struct {
		path           string
		yamlLine, json int
	}{
		{"", 2, 1},
		{"name", 3, 2},
		{"settings", 4, 3},
		{"settings.max_sync_chain", 5, 3},
		{"settings.blast_radius", 4, 3}, // not written: its parent
		{"services", 6, 4},
		{"services[0]", 7, 5},
		{"services[1]", 8, 6},
		{"services[1].name", 8, 6},
		{"services[1].team", 9, 7},
		{"services[1].kind", 8, 6},
		{"services[7]", 6, 4},
		{"services[x]", 6, 4},
		{"placements[0]", 10, 1},
		{"dependencies[0].to", 2, 1},
	}
	_, ysrc, err := topology.ParseSource([]byte(yamlIn))
	if err != nil {
		t.Fatal(err)
	}
	_, jsrc, err := topology.ParseSource([]byte(jsonIn))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		if got := ysrc.Line(tt.path); got != tt.yamlLine {
			t.Errorf("YAML Line(%q) = %d, want %d", tt.path, got, tt.yamlLine)
		}
		if got := jsrc.Line(tt.path); got != tt.json {
			t.Errorf("JSON Line(%q) = %d, want %d", tt.path, got, tt.json)
		}
	}
	var none *topology.Source
	if got := none.Line("services[0]"); got != 0 {
		t.Errorf("nil Source: Line = %d, want 0", got)
	}
}

// TestEncodeYAMLIsOneDocument: EncodeYAML writes big lists a batch at a
// time; the bytes must be exactly what yaml.v3 writes for the whole model.
func TestEncodeYAMLIsOneDocument(t *testing.T) {
	models := map[string]*topology.Model{
		// More services and dependencies than one batch holds.
		"generated 300": topologytest.Generate(300),
		"empty":         mustParse(t, "name: Shop\n"),
	}
	for _, name := range goldenModels(t) {
		models[name] = mustParse(t, string(readFile(t, "testdata/models/"+name)))
	}
	for name, m := range models {
		t.Run(name, func(t *testing.T) {
			var want bytes.Buffer
			enc := yaml.NewEncoder(&want)
			enc.SetIndent(2)
			if err := enc.Encode(m.Canonical()); err != nil {
				t.Fatal(err)
			}
			if err := enc.Close(); err != nil {
				t.Fatal(err)
			}
			if got := mustEncode(t, m, "yaml"); !bytes.Equal(got, want.Bytes()) {
				t.Errorf("EncodeYAML differs from one yaml.v3 document:\n%s", firstDifference(got, want.Bytes()))
			}
		})
	}
}

// TestEncodeJSONIsTheModel: EncodeJSON lays out its own lines; what they
// hold must be what encoding/json makes of the canonical model.
func TestEncodeJSONIsTheModel(t *testing.T) {
	for _, m := range []*topology.Model{topologytest.Generate(100), mustParse(t, "name: Shop\ndescription: x\n")} {
		got := mustEncode(t, m, "json")
		if !json.Valid(got) {
			t.Fatalf("EncodeJSON is not valid JSON:\n%s", got)
		}
		want, err := json.Marshal(m.Canonical())
		if err != nil {
			t.Fatal(err)
		}
		var a, b any
		if err := json.Unmarshal(got, &a); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(want, &b); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(a, b) {
			t.Errorf("EncodeJSON holds\n%s\nwant the same as\n%s", got, want)
		}
	}
}

// TestExportOf10000ServicesImports: the JSON export of a model of the size
// archmap is meant for fits the input bound and reads back. (Fully
// indented, it was 5.9 MB; the YAML export is smaller still.)
func TestExportOf10000ServicesImports(t *testing.T) {
	m := topologytest.Generate(10000)
	data := mustEncode(t, m, "json")
	if len(data) > topology.MaxInputSize*9/10 {
		t.Fatalf("JSON export is %d bytes, too near MaxInputSize (%d)", len(data), topology.MaxInputSize)
	}
	if testing.Short() {
		return
	}
	if back := mustParse(t, string(data)); !reflect.DeepEqual(back, m) {
		t.Errorf("the JSON export of 10 000 services reads back differently")
	}
}

func readFile(tb testing.TB, path string) []byte {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

func firstDifference(got, want []byte) string {
	gl, wl := bytes.Split(got, []byte("\n")), bytes.Split(want, []byte("\n"))
	for i := 0; i < len(gl) && i < len(wl); i++ {
		if !bytes.Equal(gl[i], wl[i]) {
			return fmt.Sprintf("line %d:\n got  %q\n want %q", i+1, gl[i], wl[i])
		}
	}
	return fmt.Sprintf("lengths differ: %d lines, want %d", len(gl), len(wl))
}

// TestLongTextRoundTrips: yaml.v3 folds long lines; long texts must still
// come back exactly, spaces and all.
func TestLongTextRoundTrips(t *testing.T) {
	words := strings.Repeat("lorem ipsum dolor sit amet ", 148) // 3996 characters
	tests := []struct{ name, text string }{
		{"words", words},
		{"double spaces", strings.ReplaceAll(words, " ", "  ")[:4000]},
		{"trailing spaces", strings.TrimSpace(words)[:3990] + "     "},
		{"one long word", strings.Repeat("x", 4000)},
		{"spaces near the fold", strings.Repeat(strings.Repeat("y", 77)+"   ", 50)},
		{"lines of words", strings.Repeat(words[:200]+"\n", 19)},
		{"quotes and escapes", strings.Repeat(`say "\n" and 'x' # `, 200)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := strings.TrimSpace(tt.text)
			if r := []rune(name); len(r) > 100 {
				name = string(r[:100])
			}
			m := mustParse(t, "name: Shop\nservices:\n  - name: a\n")
			m.Description = tt.text
			m.Services[0].Description = tt.text
			m.Services[0].Name = name
			if err := m.Validate(); err != nil {
				t.Fatal(err)
			}
			for _, format := range []string{"yaml", "json"} {
				back := mustParse(t, string(mustEncode(t, m, format)))
				if back.Description != tt.text || back.Services[0].Description != tt.text || back.Services[0].Name != name {
					t.Errorf("%s export changed the text: %q", format, back.Description)
				}
			}
		})
	}
}
