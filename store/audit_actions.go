package store

import "context"

// AuditActions returns the actions the log holds, sorted: what its filter
// offers, without a list to keep in step with the Audit* constants.
func (db *DB) AuditActions(ctx context.Context) ([]string, error) {
	rows, err := db.read.QueryContext(ctx, "SELECT DISTINCT action FROM audit_events ORDER BY action")
	if err != nil {
		return nil, fail("list audit actions", err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			return nil, fail("list audit actions", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fail("list audit actions", err)
	}
	return out, nil
}
