-- The audit log (docs/production.md, "Audit log"): who did what to accounts,
-- access and workspaces, when and from which address. Rows are only added;
-- actor_id has no foreign key on purpose: the log outlives deleted users,
-- and actor keeps the name they had then (an email, or an email with the
-- API token's name; empty for a failed anonymous attempt).
CREATE TABLE audit_events (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    at       TEXT    NOT NULL,
    actor_id INTEGER,
    actor    TEXT    NOT NULL DEFAULT '',
    action   TEXT    NOT NULL CHECK (action <> ''),
    target   TEXT    NOT NULL DEFAULT '',
    detail   TEXT    NOT NULL DEFAULT '',
    address  TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX audit_events_action ON audit_events (action, id);
CREATE INDEX audit_events_actor ON audit_events (actor_id, id);
