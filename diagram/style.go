package diagram

import (
	"github.com/archmap/archmap/risk"
	"github.com/archmap/archmap/topology"
)

// The look: soft fills by kind, a muted outline of the same hue, rounded
// corners, one sans-serif font. Severity is the only loud colour: a thick
// outline on nodes and clusters and a coloured edge, explained by the legend.
// Colours are written as Graphviz attributes, so the SVG looks right with or
// without the stylesheet of a standalone export or of the page.

// fontName is measured by Graphviz with its Helvetica metrics (the name
// starts with Helvetica) and becomes the SVG's font-family list as is.
const fontName = "Helvetica,Arial,Liberation Sans,sans-serif"

// Font sizes in points.
const (
	nodeFontSize    = 12.0
	detailFontSize  = 12.0 // the kind line under a name shares the node's font
	edgeFontSize    = 9.0
	clusterFontSize = 11.0
)

// Node margins in inches (horizontal, vertical): Graphviz adds them to the label size.
const (
	nodeMarginX = 0.16
	nodeMarginY = 0.07
)

const (
	inkColor     = "#1f2937" // text
	mutedColor   = "#64748b" // secondary text, default edges
	edgeColor    = "#7b8794"
	localColor   = "#14b8a6" // calls that stay on one server
	networkColor = "#4f46e5" // calls that cross the network
	unknownColor = "#a0aec0" // calls whose path is unknown (an unplaced end)
	focusColor   = "#111827"
)

type kindStyle struct {
	shape  string
	fill   string
	stroke string
	style  string // Graphviz style list
	margin string // "" for the default
}

var kindStyles = map[topology.ServiceKind]kindStyle{
	topology.KindService:  {"box", "#e8f1fd", "#7ea6e0", "rounded,filled", ""},
	topology.KindFrontend: {"box", "#e7f6ec", "#6dbb8a", "rounded,filled,bold", ""},
	topology.KindGateway:  {"hexagon", "#f0ebfd", "#a48fe3", "filled", "0.02,0.05"},
	topology.KindWorker:   {"component", "#f6f0e6", "#c2a878", "filled", ""},
	topology.KindFunction: {"box", "#fcecf4", "#d891b6", "filled,diagonals", ""},
	topology.KindDatabase: {"cylinder", "#e3f4f4", "#6bb3b3", "filled", ""},
	topology.KindCache:    {"box3d", "#eef3e2", "#9db36b", "filled", ""},
	topology.KindQueue:    {"cds", "#eceefd", "#8c95d8", "filled", ""},
	topology.KindExternal: {"box", "#f4f5f7", "#9ca3af", "rounded,filled,dashed", ""},
}

func styleOf(k topology.ServiceKind) kindStyle {
	if s, ok := kindStyles[k]; ok {
		return s
	}
	return kindStyles[topology.KindService]
}

// shapeSlack is how much wider than its label a shape must be for the label
// to stay inside its outline (slanted or cut sides).
func shapeSlack(shape string) float64 {
	switch shape {
	case "hexagon":
		return 1.3
	case "cds":
		return 1.15
	}
	return 1.0
}

var severityColors = map[risk.Severity]string{
	risk.High:   "#dc2626",
	risk.Medium: "#ea8c1a",
	risk.Low:    "#c9a204",
	risk.Info:   "#5b8fc7",
}

type serverStyle struct {
	fill   string
	stroke string
	style  string
}

func serverStyleOf(k topology.ServerKind) serverStyle {
	if k.Managed() {
		return serverStyle{"#f7f9fc", "#aab4c3", "rounded,filled,dashed"}
	}
	return serverStyle{"#f7f9fc", "#aab4c3", "rounded,filled"}
}

const (
	zoneFill   = "#fbfcfe"
	zoneStroke = "#c6d0dd"
)

// kindLabels is the second line of a service node.
var kindLabels = map[topology.ServiceKind]string{
	topology.KindService:  "service",
	topology.KindFrontend: "frontend",
	topology.KindGateway:  "gateway",
	topology.KindWorker:   "worker",
	topology.KindFunction: "function",
	topology.KindDatabase: "database",
	topology.KindCache:    "cache",
	topology.KindQueue:    "queue",
	topology.KindExternal: "external",
}
