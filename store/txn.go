package store

import (
	"context"

	"github.com/archmap/archmap/topology"
)

// The transaction skeletons. Every change to a workspace's model is
//
//	begin (the writer connection, BEGIN IMMEDIATE) → find the workspace and
//	check the expected revision → the change itself → bump the revision →
//	commit,
//
// with every error passed through fail(op). Writers differ only in the
// middle step, so they give only that; the steps around it live here once.
// Each revision is recorded in the history (who, what: recordRevision) by
// bumpRevision, which changeModel calls; the author comes with ctx
// (WithChange), so no entity file knows of it.
//
// Nothing here speaks SQLite: the dialect lives in beginWrite, fail and
// isUnique (db.go), dialect.go and in the SQL text of each entity, so
// PostgreSQL (postgres.go) keeps this file as it is.

// inWrite runs fn in one write transaction, commits it and returns what fn
// returned. Any error — from fn, the begin or the commit — comes back
// through fail(op) with the zero T, so domain errors reach the caller
// unchanged and the rest name op.
func inWrite[T any](ctx context.Context, db *DB, op string, fn func(tx *Tx) (T, error)) (T, error) {
	return inWriteAs(ctx, db, op, false, fn)
}

// inWriteAs is inWrite; model says fn changes one workspace's model and
// locks its row first (beginModelWrite).
func inWriteAs[T any](ctx context.Context, db *DB, op string, model bool, fn func(tx *Tx) (T, error)) (T, error) {
	var zero T
	tx, err := db.beginWriteAs(ctx, model)
	if err != nil {
		return zero, fail(op, err)
	}
	defer tx.Rollback()
	v, err := fn(tx)
	if err != nil {
		return zero, fail(op, err)
	}
	if err := tx.Commit(); err != nil {
		return zero, fail(op, err)
	}
	return v, nil
}

// writeModel runs fn as one change to the model of the workspace named
// slug: it refuses with EPRECONDITION when the workspace is no longer at
// expectedRevision (0: no check), and after fn it makes the next revision.
// It returns the workspace after the change, whose Revision is the new one.
func writeModel(ctx context.Context, db *DB, op, slug string, expectedRevision int64, fn func(tx *Tx, ws *Workspace) error) (*Workspace, error) {
	return inWriteAs(ctx, db, op, true, func(tx *Tx) (*Workspace, error) {
		ws, err := findWorkspaceForWrite(ctx, tx, slug, expectedRevision)
		if err != nil {
			return nil, err
		}
		return changeModel(ctx, tx, ws, fn)
	})
}

// changeModel runs fn inside tx and makes the workspace's next revision,
// recorded in the history: the one place a revision after a workspace's
// first is made (the first is createWorkspace's, recorded by its callers).
func changeModel(ctx context.Context, tx *Tx, ws *Workspace, fn func(tx *Tx, ws *Workspace) error) (*Workspace, error) {
	if err := fn(tx, ws); err != nil {
		return nil, err
	}
	return bumpRevision(ctx, tx, ws.ID)
}

// readModel runs fn on one snapshot of the workspace named slug (ENOTFOUND
// when there is none), with the workspace and its settings as read in it,
// and returns what fn returned. Errors go through fail(op), as writes' do.
func readModel[T any](ctx context.Context, db *DB, op, slug string, fn func(tx *Tx, ws *Workspace, set topology.Settings) (T, error)) (T, error) {
	var zero T
	tx, err := db.beginRead(ctx)
	if err != nil {
		return zero, fail(op, err)
	}
	defer tx.Rollback()
	ws, set, err := findWorkspace(ctx, tx, slug)
	if err != nil {
		return zero, fail(op, err)
	}
	v, err := fn(tx, ws, set)
	if err != nil {
		return zero, fail(op, err)
	}
	return v, nil
}
