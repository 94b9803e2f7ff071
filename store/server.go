package store

import (
	"context"
	"strconv"

	"github.com/archmap/archmap/topology"
)

// ServerRecord is a stored server with its id, which stays the same when
// the server is renamed.
type ServerRecord struct {
	ID int64 `json:"id"`
	topology.Server
}

const (
	serverSelect = `SELECT id, name, kind, zone, region FROM servers WHERE workspace_id = ?`
	serverOrder  = ` ORDER BY position, id`
	serverByID   = serverSelect + ` AND id = ?`
)

func scanServer(row scanner) (ServerRecord, error) {
	var r ServerRecord
	var kind string
	err := row.Scan(&r.ID, &r.Name, &kind, &r.Zone, &r.Region)
	r.Kind = topology.ServerKind(kind)
	return r, err
}

// ListServers returns the workspace's servers in the user's order.
func (db *DB) ListServers(ctx context.Context, slug string) ([]ServerRecord, error) {
	return list(ctx, db, "list servers", slug, serverSelect+serverOrder, scanServer)
}

// ListServersPage returns up to limit servers from offset on, and how many
// the workspace has.
func (db *DB) ListServersPage(ctx context.Context, slug string, offset, limit int) ([]ServerRecord, int, error) {
	return listPage(ctx, db, "list servers", slug, "servers", serverSelect+serverOrder, scanServer, offset, limit)
}

// GetServer returns one server of the workspace, or ENOTFOUND.
func (db *DB) GetServer(ctx context.Context, slug string, id int64) (*ServerRecord, error) {
	return get(ctx, db, "get server", "server", slug, serverByID, scanServer, id)
}

// CreateServer adds a server (defaults applied) at the end of the list. A
// taken name is ECONFLICT.
func (db *DB) CreateServer(ctx context.Context, slug string, s topology.Server, expectedRevision int64) (*ServerRecord, *Workspace, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, nil, fail("create server", err)
	}
	defer tx.Rollback()

	ws, err := findWorkspaceForWrite(ctx, tx, slug, expectedRevision)
	if err != nil {
		return nil, nil, fail("create server", err)
	}
	rec, err := createServer(ctx, tx, ws.ID, s)
	if err != nil {
		return nil, nil, fail("create server", err)
	}
	if ws, err = bumpRevision(ctx, tx, ws.ID); err != nil {
		return nil, nil, fail("create server", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, nil, fail("create server", err)
	}
	return rec, ws, nil
}

// UpdateServer replaces the server's fields; a rename keeps its placements.
func (db *DB) UpdateServer(ctx context.Context, slug string, id int64, s topology.Server, expectedRevision int64) (*ServerRecord, *Workspace, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, nil, fail("update server", err)
	}
	defer tx.Rollback()

	ws, err := findWorkspaceForWrite(ctx, tx, slug, expectedRevision)
	if err != nil {
		return nil, nil, fail("update server", err)
	}
	rec, err := updateServer(ctx, tx, ws.ID, id, s)
	if err != nil {
		return nil, nil, fail("update server", err)
	}
	if ws, err = bumpRevision(ctx, tx, ws.ID); err != nil {
		return nil, nil, fail("update server", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, nil, fail("update server", err)
	}
	return rec, ws, nil
}

// DeleteServer deletes the server with its placements.
func (db *DB) DeleteServer(ctx context.Context, slug string, id int64, expectedRevision int64) (*Workspace, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, fail("delete server", err)
	}
	defer tx.Rollback()

	ws, err := findWorkspaceForWrite(ctx, tx, slug, expectedRevision)
	if err != nil {
		return nil, fail("delete server", err)
	}
	if err := deleteEntity(ctx, tx, "servers", "server", ws.ID, id); err != nil {
		return nil, fail("delete server", err)
	}
	if ws, err = bumpRevision(ctx, tx, ws.ID); err != nil {
		return nil, fail("delete server", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fail("delete server", err)
	}
	return ws, nil
}

func createServer(ctx context.Context, tx *Tx, wsID int64, s topology.Server) (*ServerRecord, error) {
	s.ApplyDefaults()
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if err := checkLookalike(ctx, tx, "servers", wsID, 0, s.Name); err != nil {
		return nil, err
	}
	pos, err := nextPosition(ctx, tx, "servers", wsID)
	if err != nil {
		return nil, err
	}
	res, err := tx.ExecContext(ctx, "INSERT INTO servers (workspace_id, position, name, name_key, kind, zone, region) VALUES (?, ?, ?, ?, ?, ?, ?)",
		wsID, pos, s.Name, topology.NameKey(s.Name), s.Kind, s.Zone, s.Region)
	if isUnique(err) {
		return nil, duplicateServer(s.Name)
	}
	if err != nil {
		return nil, err
	}
	id, err := res.LastInsertId()
	if err != nil {
		return nil, err
	}
	return &ServerRecord{ID: id, Server: s}, nil
}

func updateServer(ctx context.Context, tx *Tx, wsID, id int64, s topology.Server) (*ServerRecord, error) {
	if _, err := getIn(ctx, tx, "server", serverByID, scanServer, wsID, id); err != nil {
		return nil, err
	}
	s.ApplyDefaults()
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if err := checkLookalike(ctx, tx, "servers", wsID, id, s.Name); err != nil {
		return nil, err
	}
	_, err := tx.ExecContext(ctx, "UPDATE servers SET name = ?, name_key = ?, kind = ?, zone = ?, region = ? WHERE id = ? AND workspace_id = ?",
		s.Name, topology.NameKey(s.Name), s.Kind, s.Zone, s.Region, id, wsID)
	if isUnique(err) {
		return nil, duplicateServer(s.Name)
	}
	if err != nil {
		return nil, err
	}
	return &ServerRecord{ID: id, Server: s}, nil
}

func duplicateServer(name string) error {
	return topology.Errorf(topology.ECONFLICT, "name: a server named %s already exists", strconv.Quote(name))
}
