package store

import "github.com/archmap/archmap/topology"

// PlacementRecord is a stored placement with its id and the ids of its
// service and server. It refers to them by id, so it follows their renames.
type PlacementRecord struct {
	ID        int64 `json:"id"`
	ServiceID int64 `json:"service_id"`
	ServerID  int64 `json:"server_id"`
	topology.Placement
}

const placementSelect = `SELECT p.id, p.service_id, p.server_id, s.name, v.name, p.instances
	FROM placements p JOIN services s ON s.id = p.service_id JOIN servers v ON v.id = p.server_id
	WHERE p.workspace_id = ?`

func scanPlacement(row scanner) (PlacementRecord, error) {
	var r PlacementRecord
	err := row.Scan(&r.ID, &r.ServiceID, &r.ServerID, &r.Service, &r.Server, &r.Instances)
	return r, err
}

// placementTable describes the placements table to the generic reads and writes.
var placementTable = newTable(entityTable[PlacementRecord, topology.Placement]{table: "placements", noun: "placement",
	query: placementSelect, alias: "p.", scan: scanPlacement,
	columns: []string{"service_id", "server_id", "instances"},
	row: func(id int64, p *topology.Placement, ends [2]int64) (PlacementRecord, []any) {
		return PlacementRecord{ID: id, ServiceID: ends[0], ServerID: ends[1], Placement: *p}, []any{ends[0], ends[1], p.Instances}
	},
	ends: func(p *topology.Placement) (service, server reference) {
		return serviceTable.ref("service", p.Service), serverTable.ref("server", p.Server)
	},
	taken: "server: service %s is already placed on server %s",
})
