package store

import (
	"context"
	"database/sql"
	"errors"
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

// ListPlacements returns the workspace's placements in the user's order.
func (db *DB) ListPlacements(ctx context.Context, slug string) ([]PlacementRecord, error) {
	return list(ctx, db, "list placements", slug, placementSelect+placementOrder, scanPlacement)
}

// ListPlacementsPage returns up to limit placements from offset on, and how
// many the workspace has.
func (db *DB) ListPlacementsPage(ctx context.Context, slug string, offset, limit int) ([]PlacementRecord, int, error) {
	return listPage(ctx, db, "list placements", slug, "placements", placementSelect+placementOrder, scanPlacement, offset, limit)
}

// GetPlacement returns one placement of the workspace, or ENOTFOUND.
func (db *DB) GetPlacement(ctx context.Context, slug string, id int64) (*PlacementRecord, error) {
	return get(ctx, db, "get placement", "placement", slug, placementByID, scanPlacement, id)
}

// CreatePlacement places a service on a server, both named in p. Unknown
// names are EINVALID ("service", "server"); a pair already placed is ECONFLICT.
func (db *DB) CreatePlacement(ctx context.Context, slug string, p topology.Placement, expectedRevision int64) (*PlacementRecord, *Workspace, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, nil, fail("create placement", err)
	}
	defer tx.Rollback()

	ws, err := findWorkspaceForWrite(ctx, tx, slug, expectedRevision)
	if err != nil {
		return nil, nil, fail("create placement", err)
	}
	rec, err := createPlacement(ctx, tx, ws.ID, p)
	if err != nil {
		return nil, nil, fail("create placement", err)
	}
	if ws, err = bumpRevision(ctx, tx, ws.ID); err != nil {
		return nil, nil, fail("create placement", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, nil, fail("create placement", err)
	}
	return rec, ws, nil
}

// UpdatePlacement replaces the placement's service, server and instances.
func (db *DB) UpdatePlacement(ctx context.Context, slug string, id int64, p topology.Placement, expectedRevision int64) (*PlacementRecord, *Workspace, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, nil, fail("update placement", err)
	}
	defer tx.Rollback()

	ws, err := findWorkspaceForWrite(ctx, tx, slug, expectedRevision)
	if err != nil {
		return nil, nil, fail("update placement", err)
	}
	rec, err := updatePlacement(ctx, tx, ws.ID, id, p)
	if err != nil {
		return nil, nil, fail("update placement", err)
	}
	if ws, err = bumpRevision(ctx, tx, ws.ID); err != nil {
		return nil, nil, fail("update placement", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, nil, fail("update placement", err)
	}
	return rec, ws, nil
}

// DeletePlacement deletes one placement.
func (db *DB) DeletePlacement(ctx context.Context, slug string, id int64, expectedRevision int64) (*Workspace, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, fail("delete placement", err)
	}
	defer tx.Rollback()

	ws, err := findWorkspaceForWrite(ctx, tx, slug, expectedRevision)
	if err != nil {
		return nil, fail("delete placement", err)
	}
	if err := deleteEntity(ctx, tx, "placements", "placement", ws.ID, id); err != nil {
		return nil, fail("delete placement", err)
	}
	if ws, err = bumpRevision(ctx, tx, ws.ID); err != nil {
		return nil, fail("delete placement", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fail("delete placement", err)
	}
	return ws, nil
}

// resolvePlacement validates p on its own and finds the ids of its service
// and server; every problem is reported at once.
func resolvePlacement(ctx context.Context, tx *Tx, wsID int64, p *topology.Placement) (serviceID, serverID int64, err error) {
	p.ApplyDefaults()
	if err := p.Validate(); err != nil {
		return 0, 0, err
	}
	var problems []topology.Problem
	if serviceID, err = lookupID(ctx, tx, "services", wsID, p.Service); err != nil {
		return 0, 0, err
	}
	if serviceID == 0 {
		problems = append(problems, topology.Problem{Path: "service", Message: "unknown service " + strconv.Quote(p.Service)})
	}
	if serverID, err = lookupID(ctx, tx, "servers", wsID, p.Server); err != nil {
		return 0, 0, err
	}
	if serverID == 0 {
		problems = append(problems, topology.Problem{Path: "server", Message: "unknown server " + strconv.Quote(p.Server)})
	}
	if problems != nil {
		return 0, 0, &topology.ValidationError{Problems: problems}
	}
	return serviceID, serverID, nil
}

// lookupID returns the id of the service or server with that name, or 0.
func lookupID(ctx context.Context, tx *Tx, table string, wsID int64, name string) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, "SELECT id FROM "+table+" WHERE workspace_id = ? AND name = ?", wsID, name).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id, err
}

func createPlacement(ctx context.Context, tx *Tx, wsID int64, p topology.Placement) (*PlacementRecord, error) {
	serviceID, serverID, err := resolvePlacement(ctx, tx, wsID, &p)
	if err != nil {
		return nil, err
	}
	pos, err := nextPosition(ctx, tx, "placements", wsID)
	if err != nil {
		return nil, err
	}
	res, err := tx.ExecContext(ctx, "INSERT INTO placements (workspace_id, position, service_id, server_id, instances) VALUES (?, ?, ?, ?, ?)",
		wsID, pos, serviceID, serverID, p.Instances)
	if isUnique(err) {
		return nil, duplicatePlacement(p)
	}
	if err != nil {
		return nil, err
	}
	id, err := res.LastInsertId()
	if err != nil {
		return nil, err
	}
	return &PlacementRecord{ID: id, ServiceID: serviceID, ServerID: serverID, Placement: p}, nil
}

func updatePlacement(ctx context.Context, tx *Tx, wsID, id int64, p topology.Placement) (*PlacementRecord, error) {
	if _, err := getIn(ctx, tx, "placement", placementByID, scanPlacement, wsID, id); err != nil {
		return nil, err
	}
	serviceID, serverID, err := resolvePlacement(ctx, tx, wsID, &p)
	if err != nil {
		return nil, err
	}
	_, err = tx.ExecContext(ctx, "UPDATE placements SET service_id = ?, server_id = ?, instances = ? WHERE id = ? AND workspace_id = ?",
		serviceID, serverID, p.Instances, id, wsID)
	if isUnique(err) {
		return nil, duplicatePlacement(p)
	}
	if err != nil {
		return nil, err
	}
	return &PlacementRecord{ID: id, ServiceID: serviceID, ServerID: serverID, Placement: p}, nil
}

func duplicatePlacement(p topology.Placement) error {
	return topology.Errorf(topology.ECONFLICT, "server: service %s is already placed on server %s", strconv.Quote(p.Service), strconv.Quote(p.Server))
}
