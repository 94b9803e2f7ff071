package diff

import "github.com/archmap/archmap/topology"

// How a part of a model changed between two versions, for drawing.
const (
	MarkAdded   = "added"
	MarkRemoved = "removed"
	MarkChanged = "changed"
)

// Marks say how each service, server and dependency of a Union changed;
// parts absent from a map did not change.
type Marks struct {
	Services     map[string]string
	Servers      map[string]string
	Dependencies map[[2]string]string // (from, to)
}

// Union is the new model with what the change removed put back in, so a
// diagram can show both: removed services, servers, placements and
// dependencies return (to be drawn as removed), and marks say what was
// added, removed or changed. A service is changed when its fields, its
// placements or its calls changed; a server when its fields or what runs
// on it did.
func Union(oldModel, newModel *topology.Model) (*topology.Model, Marks) {
	u := *newModel
	u.Services = append([]topology.Service(nil), newModel.Services...)
	u.Servers = append([]topology.Server(nil), newModel.Servers...)
	u.Placements = append([]topology.Placement(nil), newModel.Placements...)
	u.Dependencies = append([]topology.Dependency(nil), newModel.Dependencies...)
	marks := Marks{Services: map[string]string{}, Servers: map[string]string{}, Dependencies: map[[2]string]string{}}

	u.Services = append(u.Services, markByName(oldModel.Services, newModel.Services, func(s topology.Service) string { return s.Name }, marks.Services)...)
	u.Servers = append(u.Servers, markByName(oldModel.Servers, newModel.Servers, func(s topology.Server) string { return s.Name }, marks.Servers)...)
	// changed marks a service or server whose surroundings changed, unless
	// it is already added or removed.
	touch := func(m map[string]string, name string) {
		if _, ok := m[name]; !ok {
			m[name] = MarkChanged
		}
	}
	type pair = [2]string
	oldPl := map[pair]int{}
	for _, p := range oldModel.Placements {
		oldPl[pair{p.Service, p.Server}] = p.Instances
	}
	newPl := map[pair]bool{}
	for _, p := range newModel.Placements {
		k := pair{p.Service, p.Server}
		newPl[k] = true
		if n, ok := oldPl[k]; !ok || n != p.Instances {
			touch(marks.Services, p.Service)
			touch(marks.Servers, p.Server)
		}
	}
	for _, p := range oldModel.Placements {
		if !newPl[pair{p.Service, p.Server}] {
			u.Placements = append(u.Placements, p)
			touch(marks.Services, p.Service)
			touch(marks.Servers, p.Server)
		}
	}
	oldDep := map[pair]topology.Dependency{}
	for _, d := range oldModel.Dependencies {
		oldDep[pair{d.From, d.To}] = d
	}
	newDep := map[pair]bool{}
	for _, d := range newModel.Dependencies {
		k := pair{d.From, d.To}
		newDep[k] = true
		if o, ok := oldDep[k]; !ok {
			marks.Dependencies[k] = MarkAdded
		} else if o != d {
			marks.Dependencies[k] = MarkChanged
		}
	}
	for _, d := range oldModel.Dependencies {
		k := pair{d.From, d.To}
		if !newDep[k] {
			u.Dependencies = append(u.Dependencies, d)
			marks.Dependencies[k] = MarkRemoved
		}
	}
	return &u, marks
}

// markByName marks in marks each item of newItems that oldItems lacks as
// added and each that differs as changed, and returns the items of oldItems
// that newItems lacks, marked removed, in their order: services and servers
// are matched by name alike.
func markByName[T comparable](oldItems, newItems []T, name func(T) string, marks map[string]string) (removed []T) {
	old := make(map[string]T, len(oldItems))
	for _, o := range oldItems {
		old[name(o)] = o
	}
	kept := make(map[string]bool, len(newItems))
	for _, n := range newItems {
		kept[name(n)] = true
		if o, ok := old[name(n)]; !ok {
			marks[name(n)] = MarkAdded
		} else if o != n {
			marks[name(n)] = MarkChanged
		}
	}
	for _, o := range oldItems {
		if !kept[name(o)] {
			removed = append(removed, o)
			marks[name(o)] = MarkRemoved
		}
	}
	return removed
}
