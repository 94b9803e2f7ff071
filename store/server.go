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

// serverTable is the servers table for the generic reads and writes.
var serverTable = entityTable[ServerRecord]{table: "servers", noun: "server",
	query: serverSelect, order: serverOrder, byID: serverByID, scan: scanServer}

// ListServers returns the workspace's servers in the user's order.
func (db *DB) ListServers(ctx context.Context, slug string) ([]ServerRecord, error) {
	return serverTable.list(ctx, db, slug)
}

// ListServersPage returns up to limit servers from offset on, and how
// many the workspace has.
func (db *DB) ListServersPage(ctx context.Context, slug string, offset, limit int) ([]ServerRecord, int, error) {
	return serverTable.page(ctx, db, slug, offset, limit)
}

// GetServer returns one server of the workspace, or ENOTFOUND.
func (db *DB) GetServer(ctx context.Context, slug string, id int64) (*ServerRecord, error) {
	return serverTable.get(ctx, db, slug, id)
}

// CreateServer adds a server (defaults applied) at the end of the list. A
// taken name is ECONFLICT.
func (db *DB) CreateServer(ctx context.Context, slug string, s topology.Server, expectedRevision int64) (*ServerRecord, *Workspace, error) {
	return serverTable.write(ctx, db, "create", slug, expectedRevision, func(tx *Tx, wsID int64) (*ServerRecord, error) {
		return createServer(ctx, tx, wsID, s)
	})
}

// UpdateServer replaces the server's fields; a rename keeps its placements.
func (db *DB) UpdateServer(ctx context.Context, slug string, id int64, s topology.Server, expectedRevision int64) (*ServerRecord, *Workspace, error) {
	return serverTable.write(ctx, db, "update", slug, expectedRevision, func(tx *Tx, wsID int64) (*ServerRecord, error) {
		return updateServer(ctx, tx, wsID, id, s)
	})
}

// DeleteServer deletes the server with its placements.
func (db *DB) DeleteServer(ctx context.Context, slug string, id int64, expectedRevision int64) (*Workspace, error) {
	return serverTable.delete(ctx, db, slug, id, expectedRevision)
}

func createServer(ctx context.Context, tx *Tx, wsID int64, s topology.Server) (*ServerRecord, error) {
	s.ApplyDefaults()
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if err := checkLookalike(ctx, tx, "servers", wsID, 0, s.Name); err != nil {
		return nil, err
	}
	id, err := serverTable.insert(ctx, tx, wsID, duplicateServer(s.Name),
		"name, name_key, kind, zone, region", s.Name, topology.NameKey(s.Name), s.Kind, s.Zone, s.Region)
	if err != nil {
		return nil, err
	}
	return &ServerRecord{ID: id, Server: s}, nil
}

func updateServer(ctx context.Context, tx *Tx, wsID, id int64, s topology.Server) (*ServerRecord, error) {
	if _, err := serverTable.getIn(ctx, tx, wsID, id); err != nil {
		return nil, err
	}
	s.ApplyDefaults()
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if err := checkLookalike(ctx, tx, "servers", wsID, id, s.Name); err != nil {
		return nil, err
	}
	if err := serverTable.update(ctx, tx, wsID, id, duplicateServer(s.Name),
		"name = ?, name_key = ?, kind = ?, zone = ?, region = ?", s.Name, topology.NameKey(s.Name), s.Kind, s.Zone, s.Region); err != nil {
		return nil, err
	}
	return &ServerRecord{ID: id, Server: s}, nil
}

func duplicateServer(name string) error {
	return topology.Errorf(topology.ECONFLICT, "name: a server named %s already exists", strconv.Quote(name))
}
