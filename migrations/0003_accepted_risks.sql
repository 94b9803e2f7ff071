-- Accepted risks (DESIGN §2, accepted_risks): findings a workspace's team
-- accepts, with a reason. subjects is a JSON array of the finding's
-- subjects as written; they name services by name, not id, so an
-- acceptance of a removed or renamed service goes stale and is reported
-- instead of disappearing silently. expires is YYYY-MM-DD or ''.
CREATE TABLE accepted_risks (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    rule         TEXT    NOT NULL CHECK (rule <> ''),
    subjects     TEXT    NOT NULL CHECK (json_valid(subjects)),
    reason       TEXT    NOT NULL CHECK (reason <> ''),
    owner        TEXT    NOT NULL DEFAULT '',
    expires      TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX accepted_risks_position ON accepted_risks (workspace_id, position);
