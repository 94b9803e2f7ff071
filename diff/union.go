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

	oldSvc := map[string]topology.Service{}
	for _, s := range oldModel.Services {
		oldSvc[s.Name] = s
	}
	newSvc := map[string]bool{}
	for _, s := range newModel.Services {
		newSvc[s.Name] = true
		if o, ok := oldSvc[s.Name]; !ok {
			marks.Services[s.Name] = MarkAdded
		} else if o != s {
			marks.Services[s.Name] = MarkChanged
		}
	}
	for _, s := range oldModel.Services {
		if !newSvc[s.Name] {
			u.Services = append(u.Services, s)
			marks.Services[s.Name] = MarkRemoved
		}
	}
	oldSrv := map[string]topology.Server{}
	for _, s := range oldModel.Servers {
		oldSrv[s.Name] = s
	}
	newSrv := map[string]bool{}
	for _, s := range newModel.Servers {
		newSrv[s.Name] = true
		if o, ok := oldSrv[s.Name]; !ok {
			marks.Servers[s.Name] = MarkAdded
		} else if o != s {
			marks.Servers[s.Name] = MarkChanged
		}
	}
	for _, s := range oldModel.Servers {
		if !newSrv[s.Name] {
			u.Servers = append(u.Servers, s)
			marks.Servers[s.Name] = MarkRemoved
		}
	}
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
