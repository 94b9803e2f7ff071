package store

import (
	"context"
	"strconv"

	"github.com/archmap/archmap/topology"
)

// PlacementRecord is a stored placement with its id and the ids of its
// service and server. It refers to them by id, so it follows their renames.
type PlacementRecord struct {
	ID        int64 `json:"id"`
	ServiceID int64 `json:"service_id"`
	ServerID  int64 `json:"server_id"`
	topology.Placement
}

const (
	placementSelect = `SELECT p.id, p.service_id, p.server_id, s.name, v.name, p.instances
		FROM placements p JOIN services s ON s.id = p.service_id JOIN servers v ON v.id = p.server_id
		WHERE p.workspace_id = ?`
	placementOrder = ` ORDER BY p.position, p.id`
	placementByID  = placementSelect + ` AND p.id = ?`
)

func scanPlacement(row scanner) (PlacementRecord, error) {
	var r PlacementRecord
	err := row.Scan(&r.ID, &r.ServiceID, &r.ServerID, &r.Service, &r.Server, &r.Instances)
	return r, err
}

// placementTable is the placements table for the generic reads and writes.
var placementTable = entityTable[PlacementRecord]{table: "placements", noun: "placement",
	query: placementSelect, order: placementOrder, byID: placementByID, scan: scanPlacement}

// ListPlacements returns the workspace's placements in the user's order.
func (db *DB) ListPlacements(ctx context.Context, slug string) ([]PlacementRecord, error) {
	return placementTable.list(ctx, db, slug)
}

// ListPlacementsPage returns up to limit placements from offset on, and how
// many the workspace has.
func (db *DB) ListPlacementsPage(ctx context.Context, slug string, offset, limit int) ([]PlacementRecord, int, error) {
	return placementTable.page(ctx, db, slug, offset, limit)
}

// GetPlacement returns one placement of the workspace, or ENOTFOUND.
func (db *DB) GetPlacement(ctx context.Context, slug string, id int64) (*PlacementRecord, error) {
	return placementTable.get(ctx, db, slug, id)
}

// CreatePlacement places a service on a server, both named in p. Unknown
// names are EINVALID ("service", "server"); a pair already placed is ECONFLICT.
func (db *DB) CreatePlacement(ctx context.Context, slug string, p topology.Placement, expectedRevision int64) (*PlacementRecord, *Workspace, error) {
	return placementTable.write(ctx, db, "create", slug, expectedRevision, func(tx *Tx, wsID int64) (*PlacementRecord, error) {
		return createPlacement(ctx, tx, wsID, p)
	})
}

// UpdatePlacement replaces the placement's service, server and instances.
func (db *DB) UpdatePlacement(ctx context.Context, slug string, id int64, p topology.Placement, expectedRevision int64) (*PlacementRecord, *Workspace, error) {
	return placementTable.write(ctx, db, "update", slug, expectedRevision, func(tx *Tx, wsID int64) (*PlacementRecord, error) {
		return updatePlacement(ctx, tx, wsID, id, p)
	})
}

// DeletePlacement deletes one placement.
func (db *DB) DeletePlacement(ctx context.Context, slug string, id int64, expectedRevision int64) (*Workspace, error) {
	return placementTable.delete(ctx, db, slug, id, expectedRevision)
}

// resolvePlacement validates p on its own and finds the ids of its service
// and server; every problem is reported at once.
func resolvePlacement(ctx context.Context, tx *Tx, wsID int64, p *topology.Placement) (serviceID, serverID int64, err error) {
	p.ApplyDefaults()
	if err := p.Validate(); err != nil {
		return 0, 0, err
	}
	return resolveEnds(ctx, tx, wsID,
		reference{table: "services", noun: "service", path: "service", name: p.Service},
		reference{table: "servers", noun: "server", path: "server", name: p.Server})
}

func createPlacement(ctx context.Context, tx *Tx, wsID int64, p topology.Placement) (*PlacementRecord, error) {
	serviceID, serverID, err := resolvePlacement(ctx, tx, wsID, &p)
	if err != nil {
		return nil, err
	}
	id, err := placementTable.insert(ctx, tx, wsID, duplicatePlacement(p),
		"service_id, server_id, instances", serviceID, serverID, p.Instances)
	if err != nil {
		return nil, err
	}
	return &PlacementRecord{ID: id, ServiceID: serviceID, ServerID: serverID, Placement: p}, nil
}

func updatePlacement(ctx context.Context, tx *Tx, wsID, id int64, p topology.Placement) (*PlacementRecord, error) {
	if _, err := placementTable.getIn(ctx, tx, wsID, id); err != nil {
		return nil, err
	}
	serviceID, serverID, err := resolvePlacement(ctx, tx, wsID, &p)
	if err != nil {
		return nil, err
	}
	if err := placementTable.update(ctx, tx, wsID, id, duplicatePlacement(p),
		"service_id = ?, server_id = ?, instances = ?", serviceID, serverID, p.Instances); err != nil {
		return nil, err
	}
	return &PlacementRecord{ID: id, ServiceID: serviceID, ServerID: serverID, Placement: p}, nil
}

func duplicatePlacement(p topology.Placement) error {
	return topology.Errorf(topology.ECONFLICT, "server: service %s is already placed on server %s", strconv.Quote(p.Service), strconv.Quote(p.Server))
}
