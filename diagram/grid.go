package diagram

import "math"

// Layout helpers shared by the views: dot puts nodes that no edge ranks in
// one rank, which is one long column (rankdir LR) or row (TB): Train-Ticket
// imported from its Kubernetes files, 67 services without a dependency
// found, was a strip 198 pt wide and 4 334 pt tall. grid chains such nodes
// with invisible edges into rows along the rank direction, so they fill a
// grid of about the aspect asked for.

// gridChains lays n cells of cellW×cellH (pt, spacing included) out in
// a grid of about aspect (width over height) and returns how many cells
// each chain of invisible edges holds: a chain runs along the rank
// direction, so with LR it is a row (the columns asked for) and with TB a
// column (the rows asked for).
func gridChains(n int, cellW, cellH, aspect float64, lr bool) int {
	if n <= 1 {
		return 1
	}
	cols := min(max(int(math.Ceil(math.Sqrt(aspect*float64(n)*cellH/cellW))), 1), n)
	if lr {
		return cols
	}
	return (n + cols - 1) / cols
}

// grid writes the invisible edges that chain ids, per chain cells each,
// along the rank direction; the edges carry class "layout" and no id of
// the model.
func (sc *scene) grid(ids []string, per int) {
	if per <= 1 {
		return
	}
	for i := range ids {
		if i%per == 0 {
			continue
		}
		sc.w.stmt(plainString(ids[i-1])+" -> "+plainString(ids[i]), attrs{}.
			plain("style", "invis").
			plain("class", "layout"))
	}
}

// nodeCell is the room a service node takes in a grid (pt): the mean
// width of the labels with the margins plus the space between ranks, and
// two lines of text plus the space between nodes.
func nodeCell(labels []string, lr bool) (w, h float64) {
	for _, l := range labels {
		w += labelPoints(l, nodeFontSize) + 2*nodeMarginX*72 + 4
	}
	w /= float64(max(len(labels), 1))
	h = 2*nodeFontSize*1.2 + 2*nodeMarginY*72
	if lr {
		return w + rankSep*72, h + nodeSep*72
	}
	return w + nodeSep*72, h + rankSep*72
}

// gridAspect is the width over height asked of a grid: that of the
// 16:9 frames it is shown in (Train-Ticket's 67 services: 7 columns).
const gridAspect = 16.0 / 9
