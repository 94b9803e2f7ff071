package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"

	"github.com/archmap/archmap/topology"
)

// Entities reads and writes one kind of entity of a workspace's model:
// db.Services(), db.Servers(), db.Placements(), db.Dependencies(). R is
// the stored record (the entity with its ids), In the entity as a user
// gives it. Every write is a change to the model (see writeModel): it is
// refused with ECONFLICT unless expectedRevision is the workspace's
// revision, and it returns the workspace with its new revision.
type Entities[R, In any] struct {
	db *DB
	t  *entityTable[R, In]
}

// Services reads and writes the workspace's services. A taken name, or one
// that looks like another (topology.NameKey), is ECONFLICT; a rename keeps
// the service's placements and dependencies, which go with it when it is
// deleted.
func (db *DB) Services() Entities[ServiceRecord, topology.Service] {
	return Entities[ServiceRecord, topology.Service]{db, serviceTable}
}

// Servers reads and writes the workspace's servers; names are as for
// services, and a server's placements follow its rename and go with it.
func (db *DB) Servers() Entities[ServerRecord, topology.Server] {
	return Entities[ServerRecord, topology.Server]{db, serverTable}
}

// Placements reads and writes the workspace's placements: which service
// runs on which server, both named. Unknown names are EINVALID ("service",
// "server"); a pair already placed is ECONFLICT.
func (db *DB) Placements() Entities[PlacementRecord, topology.Placement] {
	return Entities[PlacementRecord, topology.Placement]{db, placementTable}
}

// Dependencies reads and writes the workspace's dependencies: which service
// calls which, both named. Unknown names are EINVALID ("from", "to"); a
// pair already joined is ECONFLICT.
func (db *DB) Dependencies() Entities[DependencyRecord, topology.Dependency] {
	return Entities[DependencyRecord, topology.Dependency]{db, dependencyTable}
}

// List returns the workspace's whole list in the user's order, read in one
// snapshot.
func (e Entities[R, In]) List(ctx context.Context, slug string) ([]R, error) {
	return readModel(ctx, e.db, "list "+e.t.table, slug, func(tx *Tx, ws *Workspace, _ topology.Settings) ([]R, error) {
		return queryList(ctx, tx, e.t.list, e.t.scan, ws.ID)
	})
}

// Page returns up to limit entities from offset on, and how many the
// workspace has, read in one snapshot.
func (e Entities[R, In]) Page(ctx context.Context, slug string, offset, limit int) ([]R, int, error) {
	if offset < 0 || limit < 1 {
		return nil, 0, topology.Errorf(topology.EINVALID, "page: offset must be at least 0 and limit at least 1, got %d and %d", offset, limit)
	}
	var total int
	items, err := readModel(ctx, e.db, "list "+e.t.table, slug, func(tx *Tx, ws *Workspace, _ topology.Settings) ([]R, error) {
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+e.t.table+" WHERE workspace_id = ?", ws.ID).Scan(&total); err != nil {
			return nil, err
		}
		return queryList(ctx, tx, e.t.list+" LIMIT ? OFFSET ?", e.t.scan, ws.ID, limit, offset)
	})
	if err != nil {
		return nil, 0, err
	}
	return items, total, nil
}

// Get returns one entity of the workspace, or ENOTFOUND.
func (e Entities[R, In]) Get(ctx context.Context, slug string, id int64) (*R, error) {
	return readModel(ctx, e.db, "get "+e.t.noun, slug, func(tx *Tx, ws *Workspace, _ topology.Settings) (*R, error) {
		return e.t.getIn(ctx, tx, ws.ID, id)
	})
}

// Create adds an entity (defaults applied) at the end of the list. An
// invalid entity, or one that names a service or server the workspace does
// not have, is EINVALID with the fields as paths ("name", "server"); a
// taken name or pair is ECONFLICT.
func (e Entities[R, In]) Create(ctx context.Context, slug string, in In, expectedRevision int64) (*R, *Workspace, error) {
	return e.write(ctx, "create", slug, expectedRevision, func(tx *Tx, wsID int64) (*R, error) {
		return e.t.create(ctx, tx, wsID, in)
	})
}

// Update replaces the entity's fields, or says ENOTFOUND; it keeps its id,
// so what refers to it follows a rename. Mistakes are as for Create.
func (e Entities[R, In]) Update(ctx context.Context, slug string, id int64, in In, expectedRevision int64) (*R, *Workspace, error) {
	return e.write(ctx, "update", slug, expectedRevision, func(tx *Tx, wsID int64) (*R, error) {
		return e.t.update(ctx, tx, wsID, id, in)
	})
}

// Delete deletes one entity, or says ENOTFOUND. What refers to it goes
// with it (ON DELETE CASCADE): a service's placements and dependencies, a
// server's placements.
func (e Entities[R, In]) Delete(ctx context.Context, slug string, id, expectedRevision int64) (*Workspace, error) {
	return writeModel(ctx, e.db, "delete "+e.t.noun, slug, expectedRevision, func(tx *Tx, ws *Workspace) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM "+e.t.table+" WHERE id = ? AND workspace_id = ?", id, ws.ID)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n == 0 {
			return topology.Errorf(topology.ENOTFOUND, "%s %d not found", e.t.noun, id)
		}
		return nil
	})
}

// write runs fn, which makes or changes one entity, as a change to the
// workspace's model, and returns the entity as fn stored it. verb names
// the change in errors: "create", "update".
func (e Entities[R, In]) write(ctx context.Context, verb, slug string, expectedRevision int64, fn func(tx *Tx, wsID int64) (*R, error)) (*R, *Workspace, error) {
	var rec *R
	ws, err := writeModel(ctx, e.db, verb+" "+e.t.noun, slug, expectedRevision, func(tx *Tx, ws *Workspace) (err error) {
		rec, err = fn(tx, ws.ID)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return rec, ws, nil
}

// entityTable is what the generic reads and writes need to know of one kind
// of entity, so that each entity's file says only what is particular to it.
// The model has two sorts: named things (services, servers), whose names
// must not look like another's, and joins between them (placements,
// dependencies), whose ends must exist. Make one with newTable.
type entityTable[R, In any] struct {
	// table and noun name it in SQL and in messages ("service 7 not
	// found", "create service").
	table, noun string
	// query selects the workspace's rows and ends in "workspace_id = ?";
	// alias is what its columns are prefixed with ("p.", or none).
	query, alias string
	scan         func(scanner) (R, error)

	// name is a named thing's name; a name that looks like another's
	// (topology.NameKey) is ECONFLICT, like a taken one.
	name func(*In) string
	// ends are a join's two ends, by name (nil for a named thing); an
	// unknown one is EINVALID. taken is the message of the ECONFLICT for a
	// pair that is joined already, given the two names.
	ends  func(*In) (a, b reference)
	taken string

	// columns are the entity's own columns; row makes the record of row id
	// and the values of columns in their order, from the entity checked
	// and the ids of its ends (zero for a named thing).
	columns []string
	row     func(id int64, in *In, ends [2]int64) (R, []any)

	// Set by newTable: In's own ApplyDefaults and Validate, the select of
	// the whole list in the user's order, and of one by id.
	self       func(*In) error
	list, byID string
}

// newTable completes t: In's own checks, and the selects made from query.
func newTable[R, In any, P interface {
	*In
	ApplyDefaults()
	Validate() error
}](t entityTable[R, In]) *entityTable[R, In] {
	t.self = func(in *In) error {
		P(in).ApplyDefaults()
		return P(in).Validate()
	}
	t.list = t.query + " ORDER BY " + t.alias + "position, " + t.alias + "id"
	t.byID = t.query + " AND " + t.alias + "id = ?"
	return &t
}

// ref is a reference to a row of this table by name, given in the field at
// path.
func (e *entityTable[R, In]) ref(path, name string) reference {
	return reference{table: e.table, noun: e.noun, path: path, name: name}
}

// getIn reads one entity by id inside tx, or ENOTFOUND.
func (e *entityTable[R, In]) getIn(ctx context.Context, tx *Tx, wsID, id int64) (*R, error) {
	v, err := e.scan(tx.QueryRowContext(ctx, e.byID, wsID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, topology.Errorf(topology.ENOTFOUND, "%s %d not found", e.noun, id)
	}
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// check applies in's defaults and runs every check of the entity for row
// id (0 for a new row): its own, then against the rest of the model. It
// returns the ids of a join's ends.
func (e *entityTable[R, In]) check(ctx context.Context, tx *Tx, wsID, id int64, in *In) (ends [2]int64, err error) {
	if err := e.self(in); err != nil {
		return ends, err
	}
	if e.ends == nil {
		return ends, checkLookalike(ctx, tx, e.table, wsID, id, e.name(in))
	}
	a, b := e.ends(in)
	ends[0], ends[1], err = resolveEnds(ctx, tx, wsID, a, b)
	return ends, err
}

// conflict turns the error of a UNIQUE constraint into the ECONFLICT that
// says which name or pair is taken.
func (e *entityTable[R, In]) conflict(err error, in *In) error {
	if !isUnique(err) {
		return err
	}
	if e.ends == nil {
		return topology.Errorf(topology.ECONFLICT, "name: a %s named %s already exists", e.noun, strconv.Quote(e.name(in)))
	}
	a, b := e.ends(in)
	return topology.Errorf(topology.ECONFLICT, e.taken, strconv.Quote(a.name), strconv.Quote(b.name))
}

// create appends the entity's row after the last one in the user's order.
func (e *entityTable[R, In]) create(ctx context.Context, tx *Tx, wsID int64, in In) (*R, error) {
	ends, err := e.check(ctx, tx, wsID, 0, &in)
	if err != nil {
		return nil, err
	}
	pos, err := nextPosition(ctx, tx, e.table, wsID)
	if err != nil {
		return nil, err
	}
	// The values do not depend on the id; the record is made again below,
	// once the row has one.
	_, values := e.row(0, &in, ends)
	var id int64
	err = tx.QueryRowContext(ctx, "INSERT INTO "+e.table+" (workspace_id, position, "+strings.Join(e.columns, ", ")+
		") VALUES (?, ?"+strings.Repeat(", ?", len(values))+") RETURNING id", append([]any{wsID, pos}, values...)...).Scan(&id)
	if err != nil {
		return nil, e.conflict(err, &in)
	}
	rec, _ := e.row(id, &in, ends)
	return &rec, nil
}

// update sets the columns of the entity's row, or says ENOTFOUND.
func (e *entityTable[R, In]) update(ctx context.Context, tx *Tx, wsID, id int64, in In) (*R, error) {
	if _, err := e.getIn(ctx, tx, wsID, id); err != nil {
		return nil, err
	}
	ends, err := e.check(ctx, tx, wsID, id, &in)
	if err != nil {
		return nil, err
	}
	rec, values := e.row(id, &in, ends)
	_, err = tx.ExecContext(ctx, "UPDATE "+e.table+" SET "+strings.Join(e.columns, " = ?, ")+" = ? WHERE id = ? AND workspace_id = ?",
		append(values, id, wsID)...)
	if err != nil {
		return nil, e.conflict(err, &in)
	}
	return &rec, nil
}

// A reference is one end of a placement or dependency, by name: the table
// the name is looked up in, the noun for messages and the field that holds
// it (the problem's path).
type reference struct{ table, noun, path, name string }

// resolveEnds finds the ids of both ends of a placement or dependency. Every
// unknown name is reported at once, under its field's path: EINVALID, like
// any other mistake in the entity.
func resolveEnds(ctx context.Context, tx *Tx, wsID int64, a, b reference) (aID, bID int64, err error) {
	var problems []topology.Problem
	ids := [2]int64{}
	for i, r := range [2]reference{a, b} {
		if ids[i], err = lookupID(ctx, tx, r.table, wsID, r.name); err != nil {
			return 0, 0, err
		}
		if ids[i] == 0 {
			problems = append(problems, topology.Problem{Path: r.path, Message: "unknown " + r.noun + " " + strconv.Quote(r.name)})
		}
	}
	if problems != nil {
		return 0, 0, &topology.ValidationError{Problems: problems}
	}
	return ids[0], ids[1], nil
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
