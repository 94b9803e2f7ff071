package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"

	"github.com/archmap/archmap/topology"
)

// entityTable is what the generic reads and writes need to know of one kind
// of entity, so that each entity's file says only what is particular to it:
// its table, its noun in messages ("service 7 not found", "create
// service"), its select (ending in "workspace_id = ?"), the order of its
// list, the select of one by id (the select plus " AND x.id = ?") and how
// to scan a row.
type entityTable[T any] struct {
	table, noun        string
	query, order, byID string
	scan               func(scanner) (T, error)
}

// list reads the workspace's whole list in one snapshot.
func (e entityTable[T]) list(ctx context.Context, db *DB, slug string) ([]T, error) {
	return readModel(ctx, db, "list "+e.table, slug, func(tx *Tx, ws *Workspace, _ topology.Settings) ([]T, error) {
		return queryList(ctx, tx, e.query+e.order, e.scan, ws.ID)
	})
}

// page reads the count and one page of the list in one snapshot.
func (e entityTable[T]) page(ctx context.Context, db *DB, slug string, offset, limit int) ([]T, int, error) {
	if offset < 0 || limit < 1 {
		return nil, 0, topology.Errorf(topology.EINVALID, "page: offset must be at least 0 and limit at least 1, got %d and %d", offset, limit)
	}
	var total int
	items, err := readModel(ctx, db, "list "+e.table, slug, func(tx *Tx, ws *Workspace, _ topology.Settings) ([]T, error) {
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+e.table+" WHERE workspace_id = ?", ws.ID).Scan(&total); err != nil {
			return nil, err
		}
		return queryList(ctx, tx, e.query+e.order+" LIMIT ? OFFSET ?", e.scan, ws.ID, limit, offset)
	})
	if err != nil {
		return nil, 0, err
	}
	return items, total, nil
}

// get reads one entity of the workspace, or ENOTFOUND.
func (e entityTable[T]) get(ctx context.Context, db *DB, slug string, id int64) (*T, error) {
	return readModel(ctx, db, "get "+e.noun, slug, func(tx *Tx, ws *Workspace, _ topology.Settings) (*T, error) {
		return e.getIn(ctx, tx, ws.ID, id)
	})
}

// getIn reads one entity by id inside tx, or ENOTFOUND.
func (e entityTable[T]) getIn(ctx context.Context, tx *Tx, wsID, id int64) (*T, error) {
	v, err := e.scan(tx.QueryRowContext(ctx, e.byID, wsID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, topology.Errorf(topology.ENOTFOUND, "%s %d not found", e.noun, id)
	}
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// write runs fn, which makes or changes one entity, as a change to the
// workspace's model (see writeModel), and returns the entity as fn stored
// it. verb names the change in errors: "create", "update".
func (e entityTable[T]) write(ctx context.Context, db *DB, verb, slug string, expectedRevision int64, fn func(tx *Tx, wsID int64) (*T, error)) (*T, *Workspace, error) {
	var rec *T
	ws, err := writeModel(ctx, db, verb+" "+e.noun, slug, expectedRevision, func(tx *Tx, ws *Workspace) (err error) {
		rec, err = fn(tx, ws.ID)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return rec, ws, nil
}

// delete deletes one entity, or says ENOTFOUND, as a change to the
// workspace's model. What refers to it goes with it (ON DELETE CASCADE).
func (e entityTable[T]) delete(ctx context.Context, db *DB, slug string, id, expectedRevision int64) (*Workspace, error) {
	return writeModel(ctx, db, "delete "+e.noun, slug, expectedRevision, func(tx *Tx, ws *Workspace) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM "+e.table+" WHERE id = ? AND workspace_id = ?", id, ws.ID)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n == 0 {
			return topology.Errorf(topology.ENOTFOUND, "%s %d not found", e.noun, id)
		}
		return nil
	})
}

// insert appends a row to the workspace's table, after the last
// one in the user's order, and returns its id. columns names the entity's
// own columns, given values in that order; a taken name or pair (a UNIQUE
// constraint) is returned as dup.
func (e entityTable[T]) insert(ctx context.Context, tx *Tx, wsID int64, dup error, columns string, values ...any) (int64, error) {
	pos, err := nextPosition(ctx, tx, e.table, wsID)
	if err != nil {
		return 0, err
	}
	// RETURNING, not LastInsertId, which PostgreSQL's driver lacks.
	var id int64
	err = tx.QueryRowContext(ctx, "INSERT INTO "+e.table+" (workspace_id, position, "+columns+") VALUES (?, ?"+
		strings.Repeat(", ?", len(values))+") RETURNING id", append([]any{wsID, pos}, values...)...).Scan(&id)
	if isUnique(err) {
		return 0, dup
	}
	if err != nil {
		return 0, err
	}
	return id, nil
}

// update sets columns ("name = ?, kind = ?") of one row of the
// workspace's table to values; a taken name or pair is returned as
// dup. The caller has checked that the row exists.
func (e entityTable[T]) update(ctx context.Context, tx *Tx, wsID, id int64, dup error, set string, values ...any) error {
	_, err := tx.ExecContext(ctx, "UPDATE "+e.table+" SET "+set+" WHERE id = ? AND workspace_id = ?", append(values, id, wsID)...)
	if isUnique(err) {
		return dup
	}
	return err
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
