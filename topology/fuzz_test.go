package topology_test

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/archmap/archmap/internal/realdata"
	"github.com/archmap/archmap/topology"
)

// FuzzParse: no input makes Parse panic or hang; what it accepts is valid,
// and exports in both formats that read back as the same model and export
// again to the same bytes. Failing inputs are kept in testdata/fuzz/FuzzParse.
//
//	go test -run '^$' -fuzz FuzzParse -fuzztime 60s ./topology
func FuzzParse(f *testing.F) {
	for _, dir := range []string{"testdata/models", "testdata/golden"} {
		addSeeds(f, dir)
	}
	// The deployment files of real systems are not archmap models, but they
	// are real YAML and JSON of every style.
	addSeeds(f, realdata.Dir(f))
	for _, seed := range []string{
		"",
		"name: a\n---\nname: b\n",
		"{name: a}",
		`{"name": "a", "name": "b"}`,
		"name: \"a\\0b\"\n",
		"name: x\nservices:\n  - &s {name: a}\n  - *s\n",
		"name: x\nplacements:\n  - {service: a, server: b, instances: 0}\n",
		strings.Repeat("[", 200),
		strings.Repeat(`{"a":`, 200),
	} {
		f.Add([]byte(seed))
	}
	f.Add(billionLaughs("services: *a8"))

	f.Fuzz(func(t *testing.T, data []byte) {
		// The fuzzer has no time limit of its own: an input that hangs would
		// just stall it. Crash instead, so that the input is kept.
		watchdog := time.AfterFunc(10*time.Second, func() { panic(fmt.Sprintf("Parse or its exports took over 10s on %q", data)) })
		defer watchdog.Stop()
		m, err := topology.Parse(data)
		if err != nil {
			checkParseError(t, err)
			return
		}
		if err := m.Validate(); err != nil {
			t.Fatalf("Parse accepted a model that does not validate: %v", err)
		}
		for _, format := range []string{"yaml", "json"} {
			out := mustEncode(t, m, format)
			back, err := topology.Parse(out)
			if err != nil {
				t.Fatalf("the %s export does not read back: %v\nexport:\n%s", format, err, out)
			}
			if !reflect.DeepEqual(back, m) {
				t.Fatalf("the %s export reads back as\n%#v\nwant\n%#v\nexport:\n%s", format, back, m, out)
			}
			if again := mustEncode(t, back, format); !bytes.Equal(again, out) {
				t.Fatalf("exporting the import of the %s export changed it:\n%s", format, firstDifference(again, out))
			}
		}
	})
}

// checkParseError: a refusal is always one of the two errors meant for the
// user, and says something.
func checkParseError(t *testing.T, err error) {
	t.Helper()
	var e *topology.Error
	if errors.As(err, &e) {
		if e.Code != topology.ETOOLARGE {
			t.Fatalf("Parse error %v has code %s", err, e.Code)
		}
		return
	}
	var ve *topology.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("Parse error is %T: %v", err, err)
	}
	if len(ve.Problems) == 0 || len(ve.Problems) > 1001 {
		t.Fatalf("Parse error has %d problems", len(ve.Problems))
	}
	for _, p := range ve.Problems {
		if p.Message == "" || p.Line < 0 {
			t.Fatalf("problem without a message or with a negative line: %+v", p)
		}
	}
}

func addSeeds(f *testing.F, dir string) {
	f.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch strings.ToLower(filepath.Ext(path)) {
		case ".yaml", ".yml", ".json":
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for _, seed := range seedsOf(data) {
				f.Add(seed)
				n++
			}
		}
		return nil
	})
	if err != nil {
		f.Fatalf("seeds from %s: %v", dir, err)
	}
	if n == 0 {
		f.Fatalf("no seeds in %s", dir)
	}
}

// maxSeed keeps seeds small: the fuzzer minimizes every input that finds
// new code, and on a file of hundreds of kilobytes that takes a minute in
// which nothing else is fuzzed.
const maxSeed = 2 << 10

// seedsOf cuts a file into seeds: its start (several documents, when it has
// them) and each of its YAML documents, none longer than maxSeed.
func seedsOf(data []byte) [][]byte {
	seeds := [][]byte{head(data)}
	if docs := bytes.Split(data, []byte("\n---")); len(docs) > 1 {
		for _, doc := range docs {
			seeds = append(seeds, head(doc))
		}
	}
	return seeds
}

// head is the start of data up to maxSeed, cut at the end of a line.
func head(data []byte) []byte {
	if len(data) <= maxSeed {
		return data
	}
	data = data[:maxSeed]
	if i := bytes.LastIndexByte(data, '\n'); i > 0 {
		data = data[:i+1]
	}
	return data
}

// FuzzRoundTrip puts arbitrary text in every text field of a model: whatever
// validates must come back unchanged from both exports. FuzzParse rarely
// reaches a valid model with odd text; this target starts from one.
//
//	go test -run '^$' -fuzz FuzzRoundTrip -fuzztime 60s ./topology
func FuzzRoundTrip(f *testing.F) {
	for _, s := range []string{
		"web", "2024", "yes", "null", "~", "1.0", " padded ", "a: b # c", "- x", "<<", "'q'", `"dq"`,
		"line\nbreak", "tab\there", "cr\r\nlf", "\u2028", "\u00a0", "\ufeff", "😀", "\\N", "%!", "---", "...",
		"trailing \n", "\n leading", "  \n  ", "|", ">", "&a *a", "!tag", "#", "[", "{", "}", "]", ",",
	} {
		f.Add(s, s+" description\n"+s)
	}
	f.Fuzz(func(t *testing.T, name, text string) {
		m := &topology.Model{
			Version:     1,
			Name:        name,
			Description: text,
			Services: []topology.Service{
				{Name: name, Team: name, Tech: name, Description: text},
				{Name: "other " + name, Kind: topology.KindDatabase, Description: text},
			},
			Servers:      []topology.Server{{Name: name, Zone: name, Region: name}},
			Placements:   []topology.Placement{{Service: name, Server: name, Instances: 2}},
			Dependencies: []topology.Dependency{{From: name, To: "other " + name, Description: text, CallsPerRequest: 0.5}},
		}
		m.ApplyDefaults()
		if m.Validate() != nil {
			return
		}
		for _, format := range []string{"yaml", "json"} {
			out := mustEncode(t, m, format)
			back, err := topology.Parse(out)
			if err != nil {
				t.Fatalf("the %s export of a valid model does not read back: %v\nexport:\n%s", format, err, out)
			}
			if !reflect.DeepEqual(back, m) {
				t.Fatalf("the %s export reads back as\n%#v\nwant\n%#v\nexport:\n%s", format, back, m, out)
			}
			if again := mustEncode(t, back, format); !bytes.Equal(again, out) {
				t.Fatalf("exporting the import of the %s export changed it:\n%s", format, firstDifference(again, out))
			}
		}
	})
}
