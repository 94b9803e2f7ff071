package topology_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/archmap/archmap/topology"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden from the models in testdata/models")

// goldenModels lists the files of testdata/models.
func goldenModels(tb testing.TB) []string {
	tb.Helper()
	entries, err := os.ReadDir("testdata/models")
	if err != nil {
		tb.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if len(names) == 0 {
		tb.Fatal("no models in testdata/models")
	}
	return names
}

// TestGolden: each model of testdata/models exports to exactly its golden
// YAML and JSON, and every export reads back as the same model and exports
// again to the same bytes. Run with -update after a deliberate change of
// the format, and read the diff.
func TestGolden(t *testing.T) {
	for _, file := range goldenModels(t) {
		t.Run(file, func(t *testing.T) {
			m := mustParse(t, string(readFile(t, filepath.Join("testdata", "models", file))))
			base := strings.TrimSuffix(file, filepath.Ext(file))
			for _, format := range []string{"yaml", "json"} {
				t.Run(format, func(t *testing.T) {
					got := mustEncode(t, m, format)
					golden := filepath.Join("testdata", "golden", base+"."+format)
					if *update {
						if err := os.WriteFile(golden, got, 0o644); err != nil {
							t.Fatal(err)
						}
					}
					if want := readFile(t, golden); !bytes.Equal(got, want) {
						t.Errorf("export differs from %s (rerun with -update if the change is meant):\n%s", golden, firstDifference(got, want))
					}
					back := mustParse(t, string(got))
					if !reflect.DeepEqual(back, m) {
						t.Errorf("the export reads back as\n%+v\nwant\n%+v", back, m)
					}
					if again := mustEncode(t, back, format); !bytes.Equal(again, got) {
						t.Errorf("exporting the import of an export changed it:\n%s", firstDifference(again, got))
					}
				})
			}
		})
	}
}

// TestGoldenFilesAreModels: the golden exports are themselves valid model
// files (not just what the encoder happened to write).
func TestGoldenFilesAreModels(t *testing.T) {
	entries, err := os.ReadDir("testdata/golden")
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2*len(goldenModels(t)) {
		t.Errorf("testdata/golden holds %d files, want a YAML and a JSON file for each of the %d models", len(entries), len(goldenModels(t)))
	}
	for _, e := range entries {
		if _, err := topology.Parse(readFile(t, filepath.Join("testdata", "golden", e.Name()))); err != nil {
			t.Errorf("%s: %v", e.Name(), err)
		}
	}
}
