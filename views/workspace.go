package views

import (
	"github.com/archmap/archmap/topology"
)

// Editor is the model editor of a workspace page: every entity with its id,
// the revision the page shows (sent back with every write), and the state of
// the add forms.
type Editor struct {
	Slug         string
	Revision     int64
	Services     []ServiceRow
	Servers      []ServerRow
	Placements   []PlacementRow
	Dependencies []DependencyRow
	Findings     FindingCounts

	AddService, AddServer, AddPlacement, AddDependency *Form

	// Query is the search, sort and page of each section (by Section*).
	Query map[string]ListQuery

	instances map[[2]int64]int
}

// ServiceRow is a service with its id.
type ServiceRow struct {
	ID int64
	topology.Service
}

// ServerRow is a server with its id.
type ServerRow struct {
	ID int64
	topology.Server
}

// PlacementRow is a placement with its id and the ids of its ends.
type PlacementRow struct {
	ID        int64
	ServiceID int64
	ServerID  int64
	topology.Placement
}

// DependencyRow is a dependency with its id.
type DependencyRow struct {
	ID int64
	topology.Dependency
}

// FindingCounts counts findings by severity.
type FindingCounts struct {
	High, Medium, Low, Info int
}

// Total is the number of findings.
func (f FindingCounts) Total() int { return f.High + f.Medium + f.Low + f.Info }

// Instances returns the instances of a service on a server, 0 when it is
// not placed there.
func (e *Editor) Instances(serviceID, serverID int64) int {
	if e.instances == nil {
		e.instances = make(map[[2]int64]int, len(e.Placements))
		for _, p := range e.Placements {
			e.instances[[2]int64{p.ServiceID, p.ServerID}] = p.Instances
		}
	}
	return e.instances[[2]int64{serviceID, serverID}]
}

// ServiceTotal is the number of instances of a service over all servers.
func (e *Editor) ServiceTotal(serviceID int64) int {
	n := 0
	for _, p := range e.Placements {
		if p.ServiceID == serviceID {
			n += p.Instances
		}
	}
	return n
}

// ServerLoad is the number of services placed on a server.
func (e *Editor) ServerLoad(serverID int64) int {
	n := 0
	for _, p := range e.Placements {
		if p.ServerID == serverID {
			n++
		}
	}
	return n
}

func cellID(serviceID, serverID int64) string {
	return "cell-" + itoa(serviceID) + "-" + itoa(serverID)
}

func rowID(kind string, id int64) string {
	return kind + "-" + itoa(id)
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
