-- History: every revision of every workspace can be rebuilt, and says who
-- made it and what it changed.
--
-- Triggers record each change to a model's rows in model_changes, as JSON
-- images of the row before and after, whichever path made it (editor, API,
-- import, restore). A revision row marks where its transaction's changes
-- end (last_seq): the model at revision R is the current rows with every
-- change after R's last_seq undone, newest first. A one-entity edit adds
-- one change row of a few hundred bytes, whatever the model's size.
--
-- Rows deleted by a workspace's own deletion are not recorded (the guard on
-- the delete triggers), and its history goes with it.

CREATE TABLE model_changes (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id INTEGER NOT NULL,
    tbl          TEXT    NOT NULL,
    row_id       INTEGER NOT NULL,
    old_row      TEXT,
    new_row      TEXT
);
CREATE INDEX model_changes_workspace ON model_changes (workspace_id, seq);

CREATE TABLE revisions (
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    revision     INTEGER NOT NULL,
    created_at   TEXT    NOT NULL,
    author       TEXT    NOT NULL DEFAULT '',
    summary      TEXT    NOT NULL DEFAULT '',
    last_seq     INTEGER NOT NULL,
    -- The counts of open findings by severity at this revision, as JSON,
    -- filled in the first time the history is shown (the store knows no
    -- rules; a revision's findings never change).
    findings     TEXT,
    PRIMARY KEY (workspace_id, revision)
) WITHOUT ROWID;

-- Workspaces that existed before history was kept start with their current
-- revision; older ones cannot be rebuilt.
INSERT INTO revisions (workspace_id, revision, created_at, author, summary, last_seq)
    SELECT id, revision, updated_at, '', 'the model as it was when history began', 0 FROM workspaces;

CREATE TRIGGER workspaces_history_update AFTER UPDATE ON workspaces
WHEN OLD.name IS NOT NEW.name OR OLD.description IS NOT NEW.description
  OR OLD.chatty_calls_per_request IS NOT NEW.chatty_calls_per_request
  OR OLD.max_sync_chain IS NOT NEW.max_sync_chain OR OLD.blast_radius IS NOT NEW.blast_radius
BEGIN
    INSERT INTO model_changes (workspace_id, tbl, row_id, old_row, new_row) VALUES (NEW.id, 'workspaces', NEW.id,
        json_object('name', OLD.name, 'description', OLD.description, 'chatty_calls_per_request', OLD.chatty_calls_per_request,
                    'max_sync_chain', OLD.max_sync_chain, 'blast_radius', OLD.blast_radius),
        json_object('name', NEW.name, 'description', NEW.description, 'chatty_calls_per_request', NEW.chatty_calls_per_request,
                    'max_sync_chain', NEW.max_sync_chain, 'blast_radius', NEW.blast_radius));
END;

CREATE TRIGGER workspaces_history_delete AFTER DELETE ON workspaces
BEGIN
    DELETE FROM model_changes WHERE workspace_id = OLD.id;
END;

CREATE TRIGGER services_history_insert AFTER INSERT ON services
BEGIN
    INSERT INTO model_changes (workspace_id, tbl, row_id, old_row, new_row) VALUES (NEW.workspace_id, 'services', NEW.id, NULL,
        json_object('position', NEW.position, 'name', NEW.name, 'kind', NEW.kind, 'team', NEW.team, 'tech', NEW.tech, 'description', NEW.description));
END;
CREATE TRIGGER services_history_update AFTER UPDATE ON services
WHEN OLD.position IS NOT NEW.position OR OLD.name IS NOT NEW.name OR OLD.kind IS NOT NEW.kind
  OR OLD.team IS NOT NEW.team OR OLD.tech IS NOT NEW.tech OR OLD.description IS NOT NEW.description
BEGIN
    INSERT INTO model_changes (workspace_id, tbl, row_id, old_row, new_row) VALUES (NEW.workspace_id, 'services', NEW.id,
        json_object('position', OLD.position, 'name', OLD.name, 'kind', OLD.kind, 'team', OLD.team, 'tech', OLD.tech, 'description', OLD.description),
        json_object('position', NEW.position, 'name', NEW.name, 'kind', NEW.kind, 'team', NEW.team, 'tech', NEW.tech, 'description', NEW.description));
END;
CREATE TRIGGER services_history_delete AFTER DELETE ON services
WHEN EXISTS (SELECT 1 FROM workspaces WHERE id = OLD.workspace_id)
BEGIN
    INSERT INTO model_changes (workspace_id, tbl, row_id, old_row, new_row) VALUES (OLD.workspace_id, 'services', OLD.id,
        json_object('position', OLD.position, 'name', OLD.name, 'kind', OLD.kind, 'team', OLD.team, 'tech', OLD.tech, 'description', OLD.description), NULL);
END;

CREATE TRIGGER servers_history_insert AFTER INSERT ON servers
BEGIN
    INSERT INTO model_changes (workspace_id, tbl, row_id, old_row, new_row) VALUES (NEW.workspace_id, 'servers', NEW.id, NULL,
        json_object('position', NEW.position, 'name', NEW.name, 'kind', NEW.kind, 'zone', NEW.zone, 'region', NEW.region));
END;
CREATE TRIGGER servers_history_update AFTER UPDATE ON servers
WHEN OLD.position IS NOT NEW.position OR OLD.name IS NOT NEW.name OR OLD.kind IS NOT NEW.kind
  OR OLD.zone IS NOT NEW.zone OR OLD.region IS NOT NEW.region
BEGIN
    INSERT INTO model_changes (workspace_id, tbl, row_id, old_row, new_row) VALUES (NEW.workspace_id, 'servers', NEW.id,
        json_object('position', OLD.position, 'name', OLD.name, 'kind', OLD.kind, 'zone', OLD.zone, 'region', OLD.region),
        json_object('position', NEW.position, 'name', NEW.name, 'kind', NEW.kind, 'zone', NEW.zone, 'region', NEW.region));
END;
CREATE TRIGGER servers_history_delete AFTER DELETE ON servers
WHEN EXISTS (SELECT 1 FROM workspaces WHERE id = OLD.workspace_id)
BEGIN
    INSERT INTO model_changes (workspace_id, tbl, row_id, old_row, new_row) VALUES (OLD.workspace_id, 'servers', OLD.id,
        json_object('position', OLD.position, 'name', OLD.name, 'kind', OLD.kind, 'zone', OLD.zone, 'region', OLD.region), NULL);
END;

CREATE TRIGGER placements_history_insert AFTER INSERT ON placements
BEGIN
    INSERT INTO model_changes (workspace_id, tbl, row_id, old_row, new_row) VALUES (NEW.workspace_id, 'placements', NEW.id, NULL,
        json_object('position', NEW.position, 'service_id', NEW.service_id, 'server_id', NEW.server_id, 'instances', NEW.instances));
END;
CREATE TRIGGER placements_history_update AFTER UPDATE ON placements
WHEN OLD.position IS NOT NEW.position OR OLD.service_id IS NOT NEW.service_id OR OLD.server_id IS NOT NEW.server_id
  OR OLD.instances IS NOT NEW.instances
BEGIN
    INSERT INTO model_changes (workspace_id, tbl, row_id, old_row, new_row) VALUES (NEW.workspace_id, 'placements', NEW.id,
        json_object('position', OLD.position, 'service_id', OLD.service_id, 'server_id', OLD.server_id, 'instances', OLD.instances),
        json_object('position', NEW.position, 'service_id', NEW.service_id, 'server_id', NEW.server_id, 'instances', NEW.instances));
END;
CREATE TRIGGER placements_history_delete AFTER DELETE ON placements
WHEN EXISTS (SELECT 1 FROM workspaces WHERE id = OLD.workspace_id)
BEGIN
    INSERT INTO model_changes (workspace_id, tbl, row_id, old_row, new_row) VALUES (OLD.workspace_id, 'placements', OLD.id,
        json_object('position', OLD.position, 'service_id', OLD.service_id, 'server_id', OLD.server_id, 'instances', OLD.instances), NULL);
END;

CREATE TRIGGER dependencies_history_insert AFTER INSERT ON dependencies
BEGIN
    INSERT INTO model_changes (workspace_id, tbl, row_id, old_row, new_row) VALUES (NEW.workspace_id, 'dependencies', NEW.id, NULL,
        json_object('position', NEW.position, 'from_service_id', NEW.from_service_id, 'to_service_id', NEW.to_service_id,
                    'protocol', NEW.protocol, 'mode', NEW.mode, 'calls_per_request', NEW.calls_per_request, 'description', NEW.description));
END;
CREATE TRIGGER dependencies_history_update AFTER UPDATE ON dependencies
WHEN OLD.position IS NOT NEW.position OR OLD.from_service_id IS NOT NEW.from_service_id OR OLD.to_service_id IS NOT NEW.to_service_id
  OR OLD.protocol IS NOT NEW.protocol OR OLD.mode IS NOT NEW.mode OR OLD.calls_per_request IS NOT NEW.calls_per_request
  OR OLD.description IS NOT NEW.description
BEGIN
    INSERT INTO model_changes (workspace_id, tbl, row_id, old_row, new_row) VALUES (NEW.workspace_id, 'dependencies', NEW.id,
        json_object('position', OLD.position, 'from_service_id', OLD.from_service_id, 'to_service_id', OLD.to_service_id,
                    'protocol', OLD.protocol, 'mode', OLD.mode, 'calls_per_request', OLD.calls_per_request, 'description', OLD.description),
        json_object('position', NEW.position, 'from_service_id', NEW.from_service_id, 'to_service_id', NEW.to_service_id,
                    'protocol', NEW.protocol, 'mode', NEW.mode, 'calls_per_request', NEW.calls_per_request, 'description', NEW.description));
END;
CREATE TRIGGER dependencies_history_delete AFTER DELETE ON dependencies
WHEN EXISTS (SELECT 1 FROM workspaces WHERE id = OLD.workspace_id)
BEGIN
    INSERT INTO model_changes (workspace_id, tbl, row_id, old_row, new_row) VALUES (OLD.workspace_id, 'dependencies', OLD.id,
        json_object('position', OLD.position, 'from_service_id', OLD.from_service_id, 'to_service_id', OLD.to_service_id,
                    'protocol', OLD.protocol, 'mode', OLD.mode, 'calls_per_request', OLD.calls_per_request, 'description', OLD.description), NULL);
END;
