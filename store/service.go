package store

import "github.com/archmap/archmap/topology"

// ServiceRecord is a stored service with its id, which stays the same when
// the service is renamed.
type ServiceRecord struct {
	ID int64 `json:"id"`
	topology.Service
}

const serviceSelect = `SELECT id, name, kind, team, tech, description FROM services WHERE workspace_id = ?`

func scanService(row scanner) (ServiceRecord, error) {
	var r ServiceRecord
	var kind string // plain strings scan without reflection
	err := row.Scan(&r.ID, &r.Name, &kind, &r.Team, &r.Tech, &r.Description)
	r.Kind = topology.ServiceKind(kind)
	return r, err
}

// serviceTable describes the services table to the generic reads and writes.
var serviceTable = newTable(entityTable[ServiceRecord, topology.Service]{table: "services", noun: "service",
	query: serviceSelect, scan: scanService,
	columns: []string{"name", "name_key", "kind", "team", "tech", "description"},
	row: func(id int64, s *topology.Service, _ [2]int64) (ServiceRecord, []any) {
		return ServiceRecord{ID: id, Service: *s}, []any{s.Name, topology.NameKey(s.Name), s.Kind, s.Team, s.Tech, s.Description}
	},
	name: func(s *topology.Service) string { return s.Name },
})
