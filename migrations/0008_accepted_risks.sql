-- Accepted risks (docs/model.md, accepted_risks): findings a workspace's team
-- accepts, with a reason. subjects is a JSON array of the finding's
-- subjects as written; they name services by name, not id, so an
-- acceptance of a removed or renamed service goes stale and is reported
-- instead of disappearing silently. expires is YYYY-MM-DD or ''.
-- IF NOT EXISTS: a test re-runs the migrations after an earlier one.
CREATE TABLE IF NOT EXISTS accepted_risks (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    rule         TEXT    NOT NULL CHECK (rule <> ''),
    subjects     TEXT    NOT NULL CHECK (json_valid(subjects)),
    reason       TEXT    NOT NULL CHECK (reason <> ''),
    owner        TEXT    NOT NULL DEFAULT '',
    expires      TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS accepted_risks_position ON accepted_risks (workspace_id, position);

-- History (0003_history.sql): acceptances are part of the model, so their
-- changes are recorded like those of the other model tables.
CREATE TRIGGER IF NOT EXISTS accepted_risks_history_insert AFTER INSERT ON accepted_risks
BEGIN
    INSERT INTO model_changes (workspace_id, tbl, row_id, old_row, new_row) VALUES (NEW.workspace_id, 'accepted_risks', NEW.id, NULL,
        json_object('position', NEW.position, 'rule', NEW.rule, 'subjects', NEW.subjects, 'reason', NEW.reason, 'owner', NEW.owner, 'expires', NEW.expires));
END;
CREATE TRIGGER IF NOT EXISTS accepted_risks_history_update AFTER UPDATE ON accepted_risks
WHEN OLD.position IS NOT NEW.position OR OLD.rule IS NOT NEW.rule OR OLD.subjects IS NOT NEW.subjects
  OR OLD.reason IS NOT NEW.reason OR OLD.owner IS NOT NEW.owner OR OLD.expires IS NOT NEW.expires
BEGIN
    INSERT INTO model_changes (workspace_id, tbl, row_id, old_row, new_row) VALUES (NEW.workspace_id, 'accepted_risks', NEW.id,
        json_object('position', OLD.position, 'rule', OLD.rule, 'subjects', OLD.subjects, 'reason', OLD.reason, 'owner', OLD.owner, 'expires', OLD.expires),
        json_object('position', NEW.position, 'rule', NEW.rule, 'subjects', NEW.subjects, 'reason', NEW.reason, 'owner', NEW.owner, 'expires', NEW.expires));
END;
CREATE TRIGGER IF NOT EXISTS accepted_risks_history_delete AFTER DELETE ON accepted_risks
WHEN EXISTS (SELECT 1 FROM workspaces WHERE id = OLD.workspace_id)
BEGIN
    INSERT INTO model_changes (workspace_id, tbl, row_id, old_row, new_row) VALUES (OLD.workspace_id, 'accepted_risks', OLD.id,
        json_object('position', OLD.position, 'rule', OLD.rule, 'subjects', OLD.subjects, 'reason', OLD.reason, 'owner', OLD.owner, 'expires', OLD.expires), NULL);
END;
