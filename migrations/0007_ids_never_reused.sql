-- archmap:foreign-keys-off
-- Ids that are never handed out twice. The server keys its caches by a
-- workspace's id; without AUTOINCREMENT SQLite gives the id of the newest
-- row, once deleted, to the next one, and a cached answer of a deleted
-- workspace could be served for a new one. Rebuilding a parent table needs
-- foreign keys off (SQLite's "making other kinds of table schema changes"),
-- which the store does for a migration marked as above and checks the keys
-- before it commits.
--
-- Pinned share links keep one copy of the model per pinned revision
-- (pinned_models) instead of one per link, and a copy goes when no live
-- link uses it.

CREATE TABLE workspaces_new (
    id                       INTEGER PRIMARY KEY AUTOINCREMENT,
    slug                     TEXT    NOT NULL UNIQUE,
    name                     TEXT    NOT NULL CHECK (name <> ''),
    description              TEXT    NOT NULL DEFAULT '',
    chatty_calls_per_request REAL    NOT NULL CHECK (chatty_calls_per_request > 0),
    max_sync_chain           INTEGER NOT NULL CHECK (max_sync_chain >= 1),
    blast_radius             INTEGER NOT NULL CHECK (blast_radius >= 1),
    revision                 INTEGER NOT NULL CHECK (revision >= 1),
    created_at               TEXT    NOT NULL,
    updated_at               TEXT    NOT NULL
);
INSERT INTO workspaces_new SELECT id, slug, name, description, chatty_calls_per_request, max_sync_chain,
    blast_radius, revision, created_at, updated_at FROM workspaces;
DROP TABLE workspaces;
-- The history triggers of 0003 refer to workspaces by name; a rename that
-- re-checks every trigger would fail while the name is free, so this one
-- runs the legacy way (references are not rewritten, which is what we want).
PRAGMA legacy_alter_table = ON;
ALTER TABLE workspaces_new RENAME TO workspaces;
PRAGMA legacy_alter_table = OFF;

-- The index and triggers of the old table went with it (as in
-- 0004_workspace_names_unique.sql and 0003_history.sql).
CREATE UNIQUE INDEX workspaces_name_nocase ON workspaces (name COLLATE NOCASE);

-- (0003_history.sql)
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

CREATE TABLE pinned_models (
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    revision     INTEGER NOT NULL,
    -- the model at that revision as canonical JSON
    model        BLOB    NOT NULL,
    PRIMARY KEY (workspace_id, revision)
) WITHOUT ROWID;

INSERT INTO pinned_models (workspace_id, revision, model)
    SELECT workspace_id, pinned_revision, MIN(pinned_model) FROM shares
    WHERE pinned_revision IS NOT NULL AND revoked_at IS NULL
    GROUP BY workspace_id, pinned_revision;

CREATE TABLE shares_new (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id    INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    token_hash      BLOB    NOT NULL UNIQUE,
    created_at      TEXT    NOT NULL,
    expires_at      TEXT,
    -- A pinned share shows the model frozen at pinned_revision, kept in
    -- pinned_models while a live link uses it; an unpinned one shows the
    -- live model.
    pinned_revision INTEGER,
    last_used_at    TEXT,
    revoked_at      TEXT
);
INSERT INTO shares_new SELECT id, workspace_id, token_hash, created_at, expires_at, pinned_revision,
    last_used_at, revoked_at FROM shares;
DROP TABLE shares;
PRAGMA legacy_alter_table = ON;
ALTER TABLE shares_new RENAME TO shares;
PRAGMA legacy_alter_table = OFF;
CREATE INDEX shares_workspace ON shares (workspace_id, pinned_revision);
