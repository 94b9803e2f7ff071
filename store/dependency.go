package store

import (
	"context"
	"strconv"

	"github.com/archmap/archmap/topology"
)

// DependencyRecord is a stored dependency with its id and the ids of the
// services it joins. It refers to them by id, so it follows their renames.
type DependencyRecord struct {
	ID     int64 `json:"id"`
	FromID int64 `json:"from_id"`
	ToID   int64 `json:"to_id"`
	topology.Dependency
}

const (
	dependencySelect = `SELECT d.id, d.from_service_id, d.to_service_id, f.name, t.name, d.protocol, d.mode, d.calls_per_request, d.description
		FROM dependencies d JOIN services f ON f.id = d.from_service_id JOIN services t ON t.id = d.to_service_id
		WHERE d.workspace_id = ?`
	dependencyOrder = ` ORDER BY d.position, d.id`
	dependencyByID  = dependencySelect + ` AND d.id = ?`
)

func scanDependency(row scanner) (DependencyRecord, error) {
	var r DependencyRecord
	var protocol, mode string
	err := row.Scan(&r.ID, &r.FromID, &r.ToID, &r.From, &r.To, &protocol, &mode, &r.CallsPerRequest, &r.Description)
	r.Protocol, r.Mode = topology.Protocol(protocol), topology.Mode(mode)
	return r, err
}

// dependencyTable is the dependencies table for the generic reads and writes.
var dependencyTable = entityTable[DependencyRecord]{table: "dependencies", noun: "dependency",
	query: dependencySelect, order: dependencyOrder, byID: dependencyByID, scan: scanDependency}

// ListDependencies returns the workspace's dependencies in the user's order.
func (db *DB) ListDependencies(ctx context.Context, slug string) ([]DependencyRecord, error) {
	return dependencyTable.list(ctx, db, slug)
}

// ListDependenciesPage returns up to limit dependencies from offset on, and how
// many the workspace has.
func (db *DB) ListDependenciesPage(ctx context.Context, slug string, offset, limit int) ([]DependencyRecord, int, error) {
	return dependencyTable.page(ctx, db, slug, offset, limit)
}

// GetDependency returns one dependency of the workspace, or ENOTFOUND.
func (db *DB) GetDependency(ctx context.Context, slug string, id int64) (*DependencyRecord, error) {
	return dependencyTable.get(ctx, db, slug, id)
}

// CreateDependency adds a dependency between two services named in d.
// Unknown names are EINVALID ("from", "to"); a pair already joined is ECONFLICT.
func (db *DB) CreateDependency(ctx context.Context, slug string, d topology.Dependency, expectedRevision int64) (*DependencyRecord, *Workspace, error) {
	return dependencyTable.write(ctx, db, "create", slug, expectedRevision, func(tx *Tx, wsID int64) (*DependencyRecord, error) {
		return createDependency(ctx, tx, wsID, d)
	})
}

// UpdateDependency replaces the dependency's fields, its ends included.
func (db *DB) UpdateDependency(ctx context.Context, slug string, id int64, d topology.Dependency, expectedRevision int64) (*DependencyRecord, *Workspace, error) {
	return dependencyTable.write(ctx, db, "update", slug, expectedRevision, func(tx *Tx, wsID int64) (*DependencyRecord, error) {
		return updateDependency(ctx, tx, wsID, id, d)
	})
}

// DeleteDependency deletes one dependency.
func (db *DB) DeleteDependency(ctx context.Context, slug string, id int64, expectedRevision int64) (*Workspace, error) {
	return dependencyTable.delete(ctx, db, slug, id, expectedRevision)
}

// resolveDependency validates d on its own and finds the ids of its ends.
func resolveDependency(ctx context.Context, tx *Tx, wsID int64, d *topology.Dependency) (fromID, toID int64, err error) {
	d.ApplyDefaults()
	if err := d.Validate(); err != nil {
		return 0, 0, err
	}
	return resolveEnds(ctx, tx, wsID,
		reference{table: "services", noun: "service", path: "from", name: d.From},
		reference{table: "services", noun: "service", path: "to", name: d.To})
}

func createDependency(ctx context.Context, tx *Tx, wsID int64, d topology.Dependency) (*DependencyRecord, error) {
	fromID, toID, err := resolveDependency(ctx, tx, wsID, &d)
	if err != nil {
		return nil, err
	}
	id, err := dependencyTable.insert(ctx, tx, wsID, duplicateDependency(d),
		"from_service_id, to_service_id, protocol, mode, calls_per_request, description",
		fromID, toID, d.Protocol, d.Mode, d.CallsPerRequest, d.Description)
	if err != nil {
		return nil, err
	}
	return &DependencyRecord{ID: id, FromID: fromID, ToID: toID, Dependency: d}, nil
}

func updateDependency(ctx context.Context, tx *Tx, wsID, id int64, d topology.Dependency) (*DependencyRecord, error) {
	if _, err := dependencyTable.getIn(ctx, tx, wsID, id); err != nil {
		return nil, err
	}
	fromID, toID, err := resolveDependency(ctx, tx, wsID, &d)
	if err != nil {
		return nil, err
	}
	if err := dependencyTable.update(ctx, tx, wsID, id, duplicateDependency(d),
		"from_service_id = ?, to_service_id = ?, protocol = ?, mode = ?, calls_per_request = ?, description = ?",
		fromID, toID, d.Protocol, d.Mode, d.CallsPerRequest, d.Description); err != nil {
		return nil, err
	}
	return &DependencyRecord{ID: id, FromID: fromID, ToID: toID, Dependency: d}, nil
}

func duplicateDependency(d topology.Dependency) error {
	return topology.Errorf(topology.ECONFLICT, "to: a dependency from %s to %s already exists", strconv.Quote(d.From), strconv.Quote(d.To))
}
