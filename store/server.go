package store

import "github.com/archmap/archmap/topology"

// ServerRecord is a stored server with its id, which stays the same when
// the server is renamed.
type ServerRecord struct {
	ID int64 `json:"id"`
	topology.Server
}

const serverSelect = `SELECT id, name, kind, zone, region FROM servers WHERE workspace_id = ?`

func scanServer(row scanner) (ServerRecord, error) {
	var r ServerRecord
	var kind string
	err := row.Scan(&r.ID, &r.Name, &kind, &r.Zone, &r.Region)
	r.Kind = topology.ServerKind(kind)
	return r, err
}

// serverTable describes the servers table to the generic reads and writes.
var serverTable = newTable(entityTable[ServerRecord, topology.Server]{table: "servers", noun: "server",
	query: serverSelect, scan: scanServer,
	columns: []string{"name", "name_key", "kind", "zone", "region"},
	row: func(id int64, s *topology.Server, _ [2]int64) (ServerRecord, []any) {
		return ServerRecord{ID: id, Server: *s}, []any{s.Name, topology.NameKey(s.Name), s.Kind, s.Zone, s.Region}
	},
	name: func(s *topology.Server) string { return s.Name },
})
