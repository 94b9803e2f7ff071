package store

import "github.com/archmap/archmap/topology"

// DependencyRecord is a stored dependency with its id and the ids of the
// services it joins. It refers to them by id, so it follows their renames.
type DependencyRecord struct {
	ID     int64 `json:"id"`
	FromID int64 `json:"from_id"`
	ToID   int64 `json:"to_id"`
	topology.Dependency
}

const dependencySelect = `SELECT d.id, d.from_service_id, d.to_service_id, f.name, t.name, d.protocol, d.mode, d.calls_per_request, d.description
	FROM dependencies d JOIN services f ON f.id = d.from_service_id JOIN services t ON t.id = d.to_service_id
	WHERE d.workspace_id = ?`

func scanDependency(row scanner) (DependencyRecord, error) {
	var r DependencyRecord
	var protocol, mode string
	err := row.Scan(&r.ID, &r.FromID, &r.ToID, &r.From, &r.To, &protocol, &mode, &r.CallsPerRequest, &r.Description)
	r.Protocol, r.Mode = topology.Protocol(protocol), topology.Mode(mode)
	return r, err
}

// dependencyTable describes the dependencies table to the generic reads and writes.
var dependencyTable = newTable(entityTable[DependencyRecord, topology.Dependency]{table: "dependencies", noun: "dependency",
	query: dependencySelect, alias: "d.", scan: scanDependency,
	columns: []string{"from_service_id", "to_service_id", "protocol", "mode", "calls_per_request", "description"},
	row: func(id int64, d *topology.Dependency, ends [2]int64) (DependencyRecord, []any) {
		return DependencyRecord{ID: id, FromID: ends[0], ToID: ends[1], Dependency: *d},
			[]any{ends[0], ends[1], d.Protocol, d.Mode, d.CallsPerRequest, d.Description}
	},
	ends: func(d *topology.Dependency) (from, to reference) {
		return serviceTable.ref("from", d.From), serviceTable.ref("to", d.To)
	},
	taken: "to: a dependency from %s to %s already exists",
})
