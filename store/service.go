package store

import (
	"context"
	"strconv"

	"github.com/archmap/archmap/topology"
)

// ServiceRecord is a stored service with its id, which stays the same when
// the service is renamed.
type ServiceRecord struct {
	ID int64 `json:"id"`
	topology.Service
}

const (
	serviceSelect = `SELECT id, name, kind, team, tech, description FROM services WHERE workspace_id = ?`
	serviceOrder  = ` ORDER BY position, id`
	serviceByID   = serviceSelect + ` AND id = ?`
)

func scanService(row scanner) (ServiceRecord, error) {
	var r ServiceRecord
	var kind string // plain strings scan without reflection
	err := row.Scan(&r.ID, &r.Name, &kind, &r.Team, &r.Tech, &r.Description)
	r.Kind = topology.ServiceKind(kind)
	return r, err
}

// ListServices returns the workspace's services in the user's order.
func (db *DB) ListServices(ctx context.Context, slug string) ([]ServiceRecord, error) {
	return list(ctx, db, "list services", slug, serviceSelect+serviceOrder, scanService)
}

// ListServicesPage returns up to limit services from offset on, and how
// many the workspace has.
func (db *DB) ListServicesPage(ctx context.Context, slug string, offset, limit int) ([]ServiceRecord, int, error) {
	return listPage(ctx, db, "list services", slug, "services", serviceSelect+serviceOrder, scanService, offset, limit)
}

// GetService returns one service of the workspace, or ENOTFOUND.
func (db *DB) GetService(ctx context.Context, slug string, id int64) (*ServiceRecord, error) {
	return get(ctx, db, "get service", "service", slug, serviceByID, scanService, id)
}

// CreateService adds a service (defaults applied) at the end of the list.
// A taken name is ECONFLICT; an invalid service EINVALID with the fields as
// paths ("name", "kind").
func (db *DB) CreateService(ctx context.Context, slug string, s topology.Service, expectedRevision int64) (*ServiceRecord, *Workspace, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, nil, fail("create service", err)
	}
	defer tx.Rollback()

	ws, err := findWorkspaceForWrite(ctx, tx, slug, expectedRevision)
	if err != nil {
		return nil, nil, fail("create service", err)
	}
	rec, err := createService(ctx, tx, ws.ID, s)
	if err != nil {
		return nil, nil, fail("create service", err)
	}
	if ws, err = bumpRevision(ctx, tx, ws.ID); err != nil {
		return nil, nil, fail("create service", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, nil, fail("create service", err)
	}
	return rec, ws, nil
}

// UpdateService replaces the service's fields; a rename keeps its
// placements and dependencies.
func (db *DB) UpdateService(ctx context.Context, slug string, id int64, s topology.Service, expectedRevision int64) (*ServiceRecord, *Workspace, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, nil, fail("update service", err)
	}
	defer tx.Rollback()

	ws, err := findWorkspaceForWrite(ctx, tx, slug, expectedRevision)
	if err != nil {
		return nil, nil, fail("update service", err)
	}
	rec, err := updateService(ctx, tx, ws.ID, id, s)
	if err != nil {
		return nil, nil, fail("update service", err)
	}
	if ws, err = bumpRevision(ctx, tx, ws.ID); err != nil {
		return nil, nil, fail("update service", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, nil, fail("update service", err)
	}
	return rec, ws, nil
}

// DeleteService deletes the service with its placements and dependencies.
func (db *DB) DeleteService(ctx context.Context, slug string, id int64, expectedRevision int64) (*Workspace, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, fail("delete service", err)
	}
	defer tx.Rollback()

	ws, err := findWorkspaceForWrite(ctx, tx, slug, expectedRevision)
	if err != nil {
		return nil, fail("delete service", err)
	}
	if err := deleteEntity(ctx, tx, "services", "service", ws.ID, id); err != nil {
		return nil, fail("delete service", err)
	}
	if ws, err = bumpRevision(ctx, tx, ws.ID); err != nil {
		return nil, fail("delete service", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fail("delete service", err)
	}
	return ws, nil
}

func createService(ctx context.Context, tx *Tx, wsID int64, s topology.Service) (*ServiceRecord, error) {
	s.ApplyDefaults()
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if err := checkLookalike(ctx, tx, "services", wsID, 0, s.Name); err != nil {
		return nil, err
	}
	pos, err := nextPosition(ctx, tx, "services", wsID)
	if err != nil {
		return nil, err
	}
	res, err := tx.ExecContext(ctx, "INSERT INTO services (workspace_id, position, name, name_key, kind, team, tech, description) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
		wsID, pos, s.Name, topology.NameKey(s.Name), s.Kind, s.Team, s.Tech, s.Description)
	if isUnique(err) {
		return nil, duplicateService(s.Name)
	}
	if err != nil {
		return nil, err
	}
	id, err := res.LastInsertId()
	if err != nil {
		return nil, err
	}
	return &ServiceRecord{ID: id, Service: s}, nil
}

func updateService(ctx context.Context, tx *Tx, wsID, id int64, s topology.Service) (*ServiceRecord, error) {
	if _, err := getIn(ctx, tx, "service", serviceByID, scanService, wsID, id); err != nil {
		return nil, err
	}
	s.ApplyDefaults()
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if err := checkLookalike(ctx, tx, "services", wsID, id, s.Name); err != nil {
		return nil, err
	}
	_, err := tx.ExecContext(ctx, "UPDATE services SET name = ?, name_key = ?, kind = ?, team = ?, tech = ?, description = ? WHERE id = ? AND workspace_id = ?",
		s.Name, topology.NameKey(s.Name), s.Kind, s.Team, s.Tech, s.Description, id, wsID)
	if isUnique(err) {
		return nil, duplicateService(s.Name)
	}
	if err != nil {
		return nil, err
	}
	return &ServiceRecord{ID: id, Service: s}, nil
}

func duplicateService(name string) error {
	return topology.Errorf(topology.ECONFLICT, "name: a service named %s already exists", strconv.Quote(name))
}

// deleteEntity deletes one row of a workspace's table, or says ENOTFOUND.
func deleteEntity(ctx context.Context, tx *Tx, table, what string, wsID, id int64) error {
	res, err := tx.ExecContext(ctx, "DELETE FROM "+table+" WHERE id = ? AND workspace_id = ?", id, wsID)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return topology.Errorf(topology.ENOTFOUND, "%s %d not found", what, id)
	}
	return nil
}
