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

// serviceTable is the services table for the generic reads and writes.
var serviceTable = entityTable[ServiceRecord]{table: "services", noun: "service",
	query: serviceSelect, order: serviceOrder, byID: serviceByID, scan: scanService}

// ListServices returns the workspace's services in the user's order.
func (db *DB) ListServices(ctx context.Context, slug string) ([]ServiceRecord, error) {
	return serviceTable.list(ctx, db, slug)
}

// ListServicesPage returns up to limit services from offset on, and how
// many the workspace has.
func (db *DB) ListServicesPage(ctx context.Context, slug string, offset, limit int) ([]ServiceRecord, int, error) {
	return serviceTable.page(ctx, db, slug, offset, limit)
}

// GetService returns one service of the workspace, or ENOTFOUND.
func (db *DB) GetService(ctx context.Context, slug string, id int64) (*ServiceRecord, error) {
	return serviceTable.get(ctx, db, slug, id)
}

// CreateService adds a service (defaults applied) at the end of the list.
// A taken name is ECONFLICT; an invalid service EINVALID with the fields as
// paths ("name", "kind").
func (db *DB) CreateService(ctx context.Context, slug string, s topology.Service, expectedRevision int64) (*ServiceRecord, *Workspace, error) {
	return serviceTable.write(ctx, db, "create", slug, expectedRevision, func(tx *Tx, wsID int64) (*ServiceRecord, error) {
		return createService(ctx, tx, wsID, s)
	})
}

// UpdateService replaces the service's fields; a rename keeps its
// placements and dependencies.
func (db *DB) UpdateService(ctx context.Context, slug string, id int64, s topology.Service, expectedRevision int64) (*ServiceRecord, *Workspace, error) {
	return serviceTable.write(ctx, db, "update", slug, expectedRevision, func(tx *Tx, wsID int64) (*ServiceRecord, error) {
		return updateService(ctx, tx, wsID, id, s)
	})
}

// DeleteService deletes the service with its placements and dependencies.
func (db *DB) DeleteService(ctx context.Context, slug string, id int64, expectedRevision int64) (*Workspace, error) {
	return serviceTable.delete(ctx, db, slug, id, expectedRevision)
}

func createService(ctx context.Context, tx *Tx, wsID int64, s topology.Service) (*ServiceRecord, error) {
	s.ApplyDefaults()
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if err := checkLookalike(ctx, tx, "services", wsID, 0, s.Name); err != nil {
		return nil, err
	}
	id, err := serviceTable.insert(ctx, tx, wsID, duplicateService(s.Name),
		"name, name_key, kind, team, tech, description", s.Name, topology.NameKey(s.Name), s.Kind, s.Team, s.Tech, s.Description)
	if err != nil {
		return nil, err
	}
	return &ServiceRecord{ID: id, Service: s}, nil
}

func updateService(ctx context.Context, tx *Tx, wsID, id int64, s topology.Service) (*ServiceRecord, error) {
	if _, err := serviceTable.getIn(ctx, tx, wsID, id); err != nil {
		return nil, err
	}
	s.ApplyDefaults()
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if err := checkLookalike(ctx, tx, "services", wsID, id, s.Name); err != nil {
		return nil, err
	}
	if err := serviceTable.update(ctx, tx, wsID, id, duplicateService(s.Name),
		"name = ?, name_key = ?, kind = ?, team = ?, tech = ?, description = ?", s.Name, topology.NameKey(s.Name), s.Kind, s.Team, s.Tech, s.Description); err != nil {
		return nil, err
	}
	return &ServiceRecord{ID: id, Service: s}, nil
}

func duplicateService(name string) error {
	return topology.Errorf(topology.ECONFLICT, "name: a service named %s already exists", strconv.Quote(name))
}
