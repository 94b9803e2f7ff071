package diagram

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/archmap/archmap/importer"
	"github.com/archmap/archmap/internal/realdata"
	"github.com/archmap/archmap/risk"
	"github.com/archmap/archmap/topology"
	"github.com/archmap/archmap/topology/topologytest"
)

type namedModel struct {
	name string
	m    *topology.Model
}

// layoutModels are the systems the layouts are measured on: the demo, two
// real systems imported from their Kubernetes files (testdata/realdata),
// synthetic models with loose services, and a generated 300-service model.
func layoutModels(tb testing.TB) []namedModel {
	tb.Helper()
	out := []namedModel{{"demo", topology.Demo()}}
	kube := func(name string, rel ...string) {
		var files []importer.File
		for _, r := range rel {
			data, err := os.ReadFile(realdata.Path(tb, r))
			if err != nil {
				tb.Fatalf("%s: %v", name, err)
			}
			files = append(files, importer.File{Name: r, Data: data})
		}
		m, _, err := importer.Kubernetes(files, importer.KubeOptions{})
		if err != nil {
			tb.Fatalf("%s: %v", name, err)
		}
		out = append(out, namedModel{name, m})
	}
	kube("online-boutique", "online-boutique/kubernetes-manifests.yaml")
	kube("train-ticket", "train-ticket/quickstart-ts-deployment-part1.yml",
		"train-ticket/quickstart-ts-deployment-part2.yml", "train-ticket/quickstart-ts-deployment-part3.yml")
	// Loose services next to connected ones (an import that found some of
	// the dependencies): the loose ones go in a grid beside the graph.
	mixed := topology.Demo()
	for i := range 30 {
		mixed.Services = append(mixed.Services, topology.Service{Name: fmt.Sprintf("loose-service-%02d", i), Kind: topology.KindService})
	}
	out = append(out, namedModel{"demo+30-loose", mixed})
	// Services and nothing else, like Train-Ticket's import, without its
	// files.
	loose := &topology.Model{Name: "loose"}
	for i := range 67 {
		loose.Services = append(loose.Services, topology.Service{Name: fmt.Sprintf("ts-service-number-%02d", i), Kind: topology.KindService})
	}
	out = append(out, namedModel{"67-loose", loose})
	out = append(out, namedModel{"generated-300", topologytest.Generate(300)})
	return out
}

var svgSize = regexp.MustCompile(`<svg[^>]* width="([0-9.]+)pt" height="([0-9.]+)pt"`)

// fit is how a drawing fits a 1440×800 CSS-px frame: the drawing's aspect
// ratio, and the on-screen size of a node label (nodeFontSize) when the
// whole drawing is scaled to fit, never enlarged.
type fit struct {
	w, h    float64 // pt
	aspect  float64
	labelPx float64
}

func measureFit(svg []byte) (fit, error) {
	mm := svgSize.FindSubmatch(svg)
	if mm == nil {
		return fit{}, fmt.Errorf("no size in the SVG")
	}
	w, _ := strconv.ParseFloat(string(mm[1]), 64)
	h, _ := strconv.ParseFloat(string(mm[2]), 64)
	pxW, pxH := w*4/3, h*4/3
	s := min(1440/pxW, 800/pxH, 1)
	return fit{w: w, h: h, aspect: w / h, labelPx: nodeFontSize * 4 / 3 * s}, nil
}

// TestLayoutFits lays out every view of the measured systems and checks
// that the drawing suits a landscape frame: node labels readable when the
// whole drawing fits 1440×800. Run with -v for the figures
// (BENCHMARKS.md); ARCHMAP_LAYOUT_OUT=dir also writes the SVGs.
func TestLayoutFits(t *testing.T) {
	if testing.Short() {
		t.Skip("lays out real systems")
	}
	out := os.Getenv("ARCHMAP_LAYOUT_OUT")
	for _, nm := range layoutModels(t) {
		findings := risk.Analyze(nm.m).Findings
		for _, view := range []string{ViewServices, ViewDeployment} {
			d, err := Build(nm.m, findings, Options{View: view})
			if err != nil {
				t.Fatal(err)
			}
			svg, err := RenderLocal(context.Background(), d.DOT, OutputSVG)
			if err != nil {
				t.Fatal(err)
			}
			f, err := measureFit(svg)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%-16s %-10s %5.0f×%-5.0f pt  aspect %5.2f  label at fit %5.1f px", nm.name, view, f.w, f.h, f.aspect, f.labelPx)
			if out != "" {
				_ = os.WriteFile(filepath.Join(out, nm.name+"-"+view+".svg"), svg, 0o644)
			}
			if minPx := minLabelPx[nm.name+"/"+view]; f.labelPx < minPx {
				t.Errorf("%s %s: labels %.1f px when fitted to 1440×800, want ≥ %.0f (drawing %.0f×%.0f pt)", nm.name, view, f.labelPx, minPx, f.w, f.h)
			}
		}
	}
}

// minLabelPx are the floors TestLayoutFits holds each drawing to, a little
// under what the layouts give (see BENCHMARKS.md), so that a layout change
// that shrinks a picture shows.
var minLabelPx = map[string]float64{
	"demo/services": 15, "demo/deployment": 11.5,
	"online-boutique/services": 15, "online-boutique/deployment": 15,
	// 67 services without an edge: an array, not a 1-px column (2.2 px).
	"train-ticket/services": 14, "train-ticket/deployment": 10,
	// The unplaced services' grid beside the demo's zones makes the
	// deployment view too wide (2112×934 pt): room to improve.
	"67-loose/services": 14, "67-loose/deployment": 11,
	"demo+30-loose/services": 10.5, "demo+30-loose/deployment": 8,
	// Grouped by team, and one box per server: the canvas pans past these.
	"generated-300/services": 7, "generated-300/deployment": 2.5,
}
