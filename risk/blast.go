package risk

import (
	"math/bits"
	"slices"
	"strings"
)

// blast is what losing each server takes down, as Simulate would find with
// that one server failed.
type blast struct {
	count []int   // server → number of services down
	first [][]int // server → the first down services by name, at most blastNames
	only  [][]int // server → the services placed on it alone (the seeds)
}

const (
	blastNames = 10   // names a message lists
	blockBits  = 4096 // services per pass: bounds memory to components × 512 bytes
)

// blastRadius counts, for every server at once, the services that go down
// when it fails: those placed on it alone, and every service that reaches one
// of them through sync dependencies (docs/cli.md#simulate).
//
// A traversal of the reverse sync graph per server costs servers × (services
// + dependencies), which is seconds at 10 000 services, where most services
// reach most others. Instead, each component of the sync graph gets the set
// of services that reach it (its "callers"), as a bitset, by one sweep over
// the condensation from its sources down; a server's down set is the union of
// the caller sets of its seeds. Bits are numbered by name order, so the first
// set bits are the first names for the message. The service range is walked
// in blocks so memory stays bounded whatever the size of the model.
func (g *graph) blastRadius() *blast {
	ns, nv := len(g.svcNames), len(g.srvNames)
	b := &blast{count: make([]int, nv), first: make([][]int, nv), only: make([][]int, nv)}
	var servers []int // servers with at least one seed
	for s, on := range g.placedOn {
		if len(on) == 1 {
			if len(b.only[on[0]]) == 0 {
				servers = append(servers, on[0])
			}
			b.only[on[0]] = append(b.only[on[0]], s)
		}
	}
	if len(servers) == 0 {
		return b
	}
	// byName[r] is the service of rank r in name order; rank is its inverse.
	byName := make([]int, ns)
	for i := range byName {
		byName[i] = i
	}
	slices.SortFunc(byName, func(x, y int) int { return strings.Compare(g.svcNames[x], g.svcNames[y]) })
	rank := make([]int, ns)
	for r, s := range byName {
		rank[s] = r
	}

	c := g.syncComponents()
	nc := len(c.members)
	words := min(blockBits, ns+63) / 64
	callers := make([]uint64, nc*words) // component → its block of caller bits
	union := make([]uint64, words)
	for lo := 0; lo < ns; lo += blockBits {
		hi := min(lo+blockBits, ns)
		clear(callers)
		// Components are numbered so that edges go from higher to lower
		// numbers: walking down, a component's set is complete when reached.
		for id := nc - 1; id >= 0; id-- {
			set := callers[id*words : (id+1)*words]
			for _, s := range c.members[id] {
				if r := rank[s]; r >= lo && r < hi {
					set[(r-lo)/64] |= 1 << ((r - lo) % 64)
				}
			}
			for _, s := range c.members[id] {
				for _, d := range g.syncOut[s] {
					if next := c.of[d]; next != id {
						orInto(callers[next*words:(next+1)*words], set)
					}
				}
			}
		}
		for _, v := range servers {
			clear(union)
			for _, s := range b.only[v] {
				id := c.of[s]
				orInto(union, callers[id*words:(id+1)*words])
			}
			for i, w := range union {
				b.count[v] += bits.OnesCount64(w)
				for ; w != 0 && len(b.first[v]) < blastNames; w &= w - 1 {
					b.first[v] = append(b.first[v], byName[lo+i*64+bits.TrailingZeros64(w)])
				}
			}
		}
	}
	return b
}

func orInto(dst, src []uint64) {
	for i, w := range src {
		dst[i] |= w
	}
}
