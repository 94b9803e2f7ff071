package diagram

import (
	"context"
	"errors"
	"strings"

	"github.com/archmap/archmap/raster"
	"github.com/archmap/archmap/risk"
	"github.com/archmap/archmap/topology"
)

// A Format is a kind of file a diagram is exported as: `archmap render
// --format`, and the extension of the server's diagram downloads.
type Format struct {
	Name        string // the --format value and the file extension
	ContentType string
	// output is the Graphviz output the DOT is laid out to; "" exports the
	// DOT itself, not laid out.
	output string
	// finish turns Graphviz's output into the file; nil keeps it as is.
	finish func(ctx context.Context, out []byte, title string) ([]byte, error)
}

// The export formats. A new one is one entry here (and, for a new kind of
// output, what finish calls): the CLI's --format and the server's
// diagram.EXT routes are made from Formats.
var (
	// ExportSVG is a standalone SVG: its own styles, a title, nothing that
	// reaches out (Standalone).
	ExportSVG = Format{Name: "svg", ContentType: "image/svg+xml", output: OutputSVG, finish: standaloneSVG}
	// ExportPNG is the standalone SVG drawn as a picture at twice its size
	// (raster: no browser, same colours and legend), for slides and wikis.
	ExportPNG = Format{Name: "png", ContentType: "image/png", output: OutputSVG, finish: standalonePNG}
	// ExportDOT is the DOT source the layout starts from.
	ExportDOT = Format{Name: "dot", ContentType: "text/vnd.graphviz; charset=utf-8"}
)

func standaloneSVG(_ context.Context, out []byte, title string) ([]byte, error) {
	return Standalone(out, title)
}

// standalonePNG rasterises the standalone SVG at 2×, bounded in pixels and
// time by raster (a drawing too big even at half its size is refused with
// its size in the message).
func standalonePNG(ctx context.Context, out []byte, title string) ([]byte, error) {
	svg, err := Standalone(out, title)
	if err != nil {
		return nil, err
	}
	b, _, err := raster.PNG(ctx, svg, raster.Options{})
	if errors.Is(err, raster.ErrTooLarge) {
		// The message says how big it is and what to draw instead.
		return nil, topology.Errorf(topology.ETOOLARGE, "Too large for a PNG: %s.", strings.TrimSuffix(err.Error(), ": "+raster.ErrTooLarge.Error()))
	}
	return b, err
}

// LaysOut says whether the format needs Graphviz.
func (f Format) LaysOut() bool { return f.output != "" }

// Formats are the export formats, the default first.
func Formats() []Format { return []Format{ExportSVG, ExportPNG, ExportDOT} }

// ParseFormat returns the export format of that name; EINVALID else.
func ParseFormat(name string) (Format, error) {
	names := make([]string, 0, 3)
	for _, f := range Formats() {
		if f.Name == name {
			return f, nil
		}
		names = append(names, f.Name)
	}
	return Format{}, topology.Errorf(topology.EINVALID, "Unknown format %q: want %s.", name, strings.Join(names, ", "))
}

// Layouter lays DOT out in one of Graphviz's outputs (OutputSVG,
// OutputLaidOutDOT): a *Renderer's worker processes in a server, Local in
// a command that draws once.
type Layouter interface {
	Render(ctx context.Context, dot []byte, output string) ([]byte, error)
}

// Local lays out with this process's Graphviz (RenderLocal).
type Local struct{}

// Render implements Layouter.
func (Local) Render(ctx context.Context, dot []byte, output string) ([]byte, error) {
	return RenderLocal(ctx, dot, output)
}

// Exporter draws diagrams: the one way from a model to the bytes a user
// downloads or a page shows, for the CLI and the server alike.
type Exporter struct {
	Layout Layouter
	// Admit, when set, is entered around the DOT generation, which is heavy
	// work of its own for a big model (a server's bound on such work); the
	// layout is bounded by the Layouter.
	Admit func(ctx context.Context) (release func(), err error)
}

// File is an exported diagram.
type File struct {
	Bytes   []byte
	Format  Format
	Diagram *Diagram // what was drawn: its note and index
}

// Export draws the model with its findings and the options as a file of
// format f. Bad options are EINVALID, a focus on no service ENOTFOUND.
func (x Exporter) Export(ctx context.Context, m *topology.Model, findings []risk.Finding, opts Options, f Format) (*File, error) {
	d, err := x.build(ctx, m, findings, opts)
	if err != nil {
		return nil, err
	}
	out := d.DOT
	if f.output != "" {
		if out, err = x.Layout.Render(ctx, d.DOT, f.output); err != nil {
			return nil, err
		}
	}
	if f.finish != nil {
		opts, _ = opts.Normalize()
		if out, err = f.finish(ctx, out, m.Name+" — "+opts.View); err != nil {
			return nil, err
		}
	}
	return &File{Bytes: out, Format: f, Diagram: d}, nil
}

// Draw lays the diagram out as Graphviz's SVG, for a page to inline
// (SanitizeInline) with the diagram's index.
func (x Exporter) Draw(ctx context.Context, m *topology.Model, findings []risk.Finding, opts Options) (*Diagram, []byte, error) {
	d, err := x.build(ctx, m, findings, opts)
	if err != nil {
		return nil, nil, err
	}
	svg, err := x.Layout.Render(ctx, d.DOT, OutputSVG)
	if err != nil {
		return nil, nil, err
	}
	return d, svg, nil
}

func (x Exporter) build(ctx context.Context, m *topology.Model, findings []risk.Finding, opts Options) (*Diagram, error) {
	if x.Admit != nil {
		release, err := x.Admit(ctx)
		if err != nil {
			return nil, err
		}
		defer release()
	}
	return Build(m, findings, opts)
}
