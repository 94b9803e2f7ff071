package risk

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/archmap/archmap/topology"
)

// yamlBlock matches a fenced YAML block of a Markdown page.
var yamlBlock = regexp.MustCompile("(?s)```yaml\n(.*?)```")

// Every rule has its page in docs/rules (SARIF and the findings view link
// there), and each page's two examples do what the page says: the first
// model raises the rule, the fixed one does not. A change to a rule that
// makes its documentation wrong fails here.
func TestRuleDocsExamples(t *testing.T) {
	dir := filepath.Join("..", "docs", "rules")
	documented := map[string]bool{}
	for _, r := range Rules() {
		documented[r.ID+".md"] = true
		t.Run(r.ID, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, r.ID+".md"))
			if err != nil {
				t.Fatalf("no page for rule %s: %v", r.ID, err)
			}
			if !strings.HasPrefix(string(data), "# "+r.ID+"\n") {
				t.Errorf("the page does not start with the title %q", "# "+r.ID)
			}
			blocks := yamlBlock.FindAllStringSubmatch(string(data), -1)
			if len(blocks) != 2 {
				t.Fatalf("%d YAML examples, want 2 (the finding, then the fix)", len(blocks))
			}
			for i, want := range []bool{true, false} {
				m, err := topology.Parse([]byte(blocks[i][1]))
				if err != nil {
					t.Fatalf("example %d is not a valid model: %v", i+1, err)
				}
				got := false
				for _, f := range Analyze(m).Findings {
					got = got || f.Rule == r.ID
				}
				if got != want {
					t.Errorf("example %d raises %s: %v, want %v", i+1, r.ID, got, want)
				}
			}
		})
	}
	pages, err := filepath.Glob(filepath.Join(dir, "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pages {
		if name := filepath.Base(p); !documented[name] && name != "README.md" {
			t.Errorf("docs/rules/%s documents no rule", name)
		}
	}
}
