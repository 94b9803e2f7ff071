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

// ListDependencies returns the workspace's dependencies in the user's order.
func (db *DB) ListDependencies(ctx context.Context, slug string) ([]DependencyRecord, error) {
	return list(ctx, db, "list dependencies", slug, dependencySelect+dependencyOrder, scanDependency)
}

// ListDependenciesPage returns up to limit dependencies from offset on, and
// how many the workspace has.
func (db *DB) ListDependenciesPage(ctx context.Context, slug string, offset, limit int) ([]DependencyRecord, int, error) {
	return listPage(ctx, db, "list dependencies", slug, "dependencies", dependencySelect+dependencyOrder, scanDependency, offset, limit)
}

// GetDependency returns one dependency of the workspace, or ENOTFOUND.
func (db *DB) GetDependency(ctx context.Context, slug string, id int64) (*DependencyRecord, error) {
	return get(ctx, db, "get dependency", "dependency", slug, dependencyByID, scanDependency, id)
}

// CreateDependency adds a dependency between two services named in d.
// Unknown names are EINVALID ("from", "to"); a pair already joined is ECONFLICT.
func (db *DB) CreateDependency(ctx context.Context, slug string, d topology.Dependency, expectedRevision int64) (*DependencyRecord, *Workspace, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, nil, fail("create dependency", err)
	}
	defer tx.Rollback()

	ws, err := findWorkspaceForWrite(ctx, tx, slug, expectedRevision)
	if err != nil {
		return nil, nil, fail("create dependency", err)
	}
	rec, err := createDependency(ctx, tx, ws.ID, d)
	if err != nil {
		return nil, nil, fail("create dependency", err)
	}
	if ws, err = bumpRevision(ctx, tx, ws.ID); err != nil {
		return nil, nil, fail("create dependency", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, nil, fail("create dependency", err)
	}
	return rec, ws, nil
}

// UpdateDependency replaces the dependency's fields, its ends included.
func (db *DB) UpdateDependency(ctx context.Context, slug string, id int64, d topology.Dependency, expectedRevision int64) (*DependencyRecord, *Workspace, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, nil, fail("update dependency", err)
	}
	defer tx.Rollback()

	ws, err := findWorkspaceForWrite(ctx, tx, slug, expectedRevision)
	if err != nil {
		return nil, nil, fail("update dependency", err)
	}
	rec, err := updateDependency(ctx, tx, ws.ID, id, d)
	if err != nil {
		return nil, nil, fail("update dependency", err)
	}
	if ws, err = bumpRevision(ctx, tx, ws.ID); err != nil {
		return nil, nil, fail("update dependency", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, nil, fail("update dependency", err)
	}
	return rec, ws, nil
}

// DeleteDependency deletes one dependency.
func (db *DB) DeleteDependency(ctx context.Context, slug string, id int64, expectedRevision int64) (*Workspace, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, fail("delete dependency", err)
	}
	defer tx.Rollback()

	ws, err := findWorkspaceForWrite(ctx, tx, slug, expectedRevision)
	if err != nil {
		return nil, fail("delete dependency", err)
	}
	if err := deleteEntity(ctx, tx, "dependencies", "dependency", ws.ID, id); err != nil {
		return nil, fail("delete dependency", err)
	}
	if ws, err = bumpRevision(ctx, tx, ws.ID); err != nil {
		return nil, fail("delete dependency", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fail("delete dependency", err)
	}
	return ws, nil
}

// resolveDependency validates d on its own and finds the ids of its ends.
func resolveDependency(ctx context.Context, tx *Tx, wsID int64, d *topology.Dependency) (fromID, toID int64, err error) {
	d.ApplyDefaults()
	if err := d.Validate(); err != nil {
		return 0, 0, err
	}
	var problems []topology.Problem
	if fromID, err = lookupID(ctx, tx, "services", wsID, d.From); err != nil {
		return 0, 0, err
	}
	if fromID == 0 {
		problems = append(problems, topology.Problem{Path: "from", Message: "unknown service " + strconv.Quote(d.From)})
	}
	if toID, err = lookupID(ctx, tx, "services", wsID, d.To); err != nil {
		return 0, 0, err
	}
	if toID == 0 {
		problems = append(problems, topology.Problem{Path: "to", Message: "unknown service " + strconv.Quote(d.To)})
	}
	if problems != nil {
		return 0, 0, &topology.ValidationError{Problems: problems}
	}
	return fromID, toID, nil
}

func createDependency(ctx context.Context, tx *Tx, wsID int64, d topology.Dependency) (*DependencyRecord, error) {
	fromID, toID, err := resolveDependency(ctx, tx, wsID, &d)
	if err != nil {
		return nil, err
	}
	pos, err := nextPosition(ctx, tx, "dependencies", wsID)
	if err != nil {
		return nil, err
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO dependencies
		(workspace_id, position, from_service_id, to_service_id, protocol, mode, calls_per_request, description)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		wsID, pos, fromID, toID, d.Protocol, d.Mode, d.CallsPerRequest, d.Description)
	if isUnique(err) {
		return nil, duplicateDependency(d)
	}
	if err != nil {
		return nil, err
	}
	id, err := res.LastInsertId()
	if err != nil {
		return nil, err
	}
	return &DependencyRecord{ID: id, FromID: fromID, ToID: toID, Dependency: d}, nil
}

func updateDependency(ctx context.Context, tx *Tx, wsID, id int64, d topology.Dependency) (*DependencyRecord, error) {
	if _, err := getIn(ctx, tx, "dependency", dependencyByID, scanDependency, wsID, id); err != nil {
		return nil, err
	}
	fromID, toID, err := resolveDependency(ctx, tx, wsID, &d)
	if err != nil {
		return nil, err
	}
	_, err = tx.ExecContext(ctx, `UPDATE dependencies SET from_service_id = ?, to_service_id = ?, protocol = ?, mode = ?,
		calls_per_request = ?, description = ? WHERE id = ? AND workspace_id = ?`,
		fromID, toID, d.Protocol, d.Mode, d.CallsPerRequest, d.Description, id, wsID)
	if isUnique(err) {
		return nil, duplicateDependency(d)
	}
	if err != nil {
		return nil, err
	}
	return &DependencyRecord{ID: id, FromID: fromID, ToID: toID, Dependency: d}, nil
}

func duplicateDependency(d topology.Dependency) error {
	return topology.Errorf(topology.ECONFLICT, "to: a dependency from %s to %s already exists", strconv.Quote(d.From), strconv.Quote(d.To))
}
