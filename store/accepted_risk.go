package store

import (
	"context"
	"encoding/json"
	"slices"

	"github.com/archmap/archmap/topology"
)

// acceptedRiskSelect reads a workspace's acceptances in the user's order.
const acceptedRiskSelect = `SELECT rule, subjects, reason, owner, expires FROM accepted_risks WHERE workspace_id = ? ORDER BY position, id`

func scanAcceptedRisk(row scanner) (topology.AcceptedRisk, error) {
	var a topology.AcceptedRisk
	var subjects string
	if err := row.Scan(&a.Rule, &subjects, &a.Reason, &a.Owner, &a.Expires); err != nil {
		return a, err
	}
	err := json.Unmarshal([]byte(subjects), &a.Subjects)
	return a, err
}

// replaceAcceptedRisks makes the workspace's acceptances list. Rows are
// matched by what they accept (rule and subjects), so an unchanged
// acceptance is not rewritten and the history records only real changes.
func replaceAcceptedRisks(ctx context.Context, tx *Tx, wsID int64, list []topology.AcceptedRisk) error {
	type stored struct {
		id int64
		topology.AcceptedRisk
		position int
	}
	rows, err := queryList(ctx, tx, `SELECT id, position, rule, subjects, reason, owner, expires FROM accepted_risks WHERE workspace_id = ?`,
		func(row scanner) (stored, error) {
			var r stored
			var subjects string
			if err := row.Scan(&r.id, &r.position, &r.Rule, &subjects, &r.Reason, &r.Owner, &r.Expires); err != nil {
				return r, err
			}
			return r, json.Unmarshal([]byte(subjects), &r.Subjects)
		}, wsID)
	if err != nil {
		return err
	}
	byKey := make(map[string]stored, len(rows))
	for _, r := range rows {
		byKey[r.Key()] = r
	}
	for i, a := range list {
		subjects, err := json.Marshal(a.Subjects)
		if err != nil {
			return err
		}
		r, ok := byKey[a.Key()]
		if !ok {
			if _, err := tx.ExecContext(ctx, `INSERT INTO accepted_risks (workspace_id, position, rule, subjects, reason, owner, expires) VALUES (?, ?, ?, ?, ?, ?, ?)`,
				wsID, i, a.Rule, string(subjects), a.Reason, a.Owner, a.Expires); err != nil {
				return err
			}
			continue
		}
		delete(byKey, a.Key())
		if r.position == i && r.Reason == a.Reason && r.Owner == a.Owner && r.Expires == a.Expires && slices.Equal(r.Subjects, a.Subjects) {
			continue
		}
		if _, err := tx.ExecContext(ctx, `UPDATE accepted_risks SET position = ?, subjects = ?, reason = ?, owner = ?, expires = ? WHERE id = ?`,
			i, string(subjects), a.Reason, a.Owner, a.Expires, r.id); err != nil {
			return err
		}
	}
	for _, r := range byKey {
		if _, err := tx.ExecContext(ctx, `DELETE FROM accepted_risks WHERE id = ?`, r.id); err != nil {
			return err
		}
	}
	return nil
}

// AcceptRisk adds an acceptance to the workspace's model, or replaces the
// one that matches the same finding (same rule and subjects), so a reason
// can be edited by accepting again. The acceptance must be valid.
func (db *DB) AcceptRisk(ctx context.Context, slug string, a topology.AcceptedRisk, expectedRevision int64) (*Workspace, error) {
	return db.editAcceptedRisks(ctx, "accept risk", slug, expectedRevision, func(list []topology.AcceptedRisk) ([]topology.AcceptedRisk, error) {
		if err := a.Validate(); err != nil {
			return nil, err
		}
		key := a.Key()
		if i := slices.IndexFunc(list, func(b topology.AcceptedRisk) bool { return b.Key() == key }); i >= 0 {
			list[i] = a
			return list, nil
		}
		return append(list, a), nil
	})
}

// WithdrawAcceptance removes the acceptance of the finding of rule about
// subjects (in any order); ENOTFOUND when there is none.
func (db *DB) WithdrawAcceptance(ctx context.Context, slug, rule string, subjects []string, expectedRevision int64) (*Workspace, error) {
	return db.editAcceptedRisks(ctx, "withdraw acceptance", slug, expectedRevision, func(list []topology.AcceptedRisk) ([]topology.AcceptedRisk, error) {
		key := topology.AcceptanceKey(rule, subjects)
		i := slices.IndexFunc(list, func(b topology.AcceptedRisk) bool { return b.Key() == key })
		if i < 0 {
			return nil, topology.Errorf(topology.ENOTFOUND, "no acceptance of that finding")
		}
		return slices.Delete(list, i, i+1), nil
	})
}

// editAcceptedRisks reads the workspace's acceptances, lets edit change
// them, validates the result as part of the model would be (no duplicate)
// and stores it as a new revision, in one transaction.
func (db *DB) editAcceptedRisks(ctx context.Context, op, slug string, expectedRevision int64, edit func([]topology.AcceptedRisk) ([]topology.AcceptedRisk, error)) (*Workspace, error) {
	return writeModel(ctx, db, op, slug, expectedRevision, func(tx *Tx, ws *Workspace) error {
		list, err := queryList(ctx, tx, acceptedRiskSelect, scanAcceptedRisk, ws.ID)
		if err != nil {
			return err
		}
		if list, err = edit(list); err != nil {
			return err
		}
		// The acceptances alone, in a model otherwise empty: its validation
		// checks each one and the duplicates, and names them by place.
		check := topology.Model{Version: topology.FormatVersion, Name: ws.Name, Settings: topology.DefaultSettings(), AcceptedRisks: list}
		if err := check.Validate(); err != nil {
			return err
		}
		return replaceAcceptedRisks(ctx, tx, ws.ID, list)
	})
}
