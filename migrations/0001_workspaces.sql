-- Workspaces and their models (docs/model.md). Entities refer to each other by
-- id, so renaming a service keeps its placements and dependencies; the
-- composite foreign keys keep every reference inside its own workspace.
-- position keeps the user's order.

CREATE TABLE workspaces (
    id                       INTEGER PRIMARY KEY,
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

CREATE TABLE services (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    name         TEXT    NOT NULL CHECK (name <> ''),
    kind         TEXT    NOT NULL,
    team         TEXT    NOT NULL DEFAULT '',
    tech         TEXT    NOT NULL DEFAULT '',
    description  TEXT    NOT NULL DEFAULT '',
    UNIQUE (workspace_id, name),
    UNIQUE (workspace_id, id)
);
CREATE INDEX services_position ON services (workspace_id, position);

CREATE TABLE servers (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    name         TEXT    NOT NULL CHECK (name <> ''),
    kind         TEXT    NOT NULL,
    zone         TEXT    NOT NULL DEFAULT '',
    region       TEXT    NOT NULL DEFAULT '',
    UNIQUE (workspace_id, name),
    UNIQUE (workspace_id, id)
);
CREATE INDEX servers_position ON servers (workspace_id, position);

CREATE TABLE placements (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    service_id   INTEGER NOT NULL,
    server_id    INTEGER NOT NULL,
    instances    INTEGER NOT NULL CHECK (instances >= 1),
    FOREIGN KEY (workspace_id, service_id) REFERENCES services (workspace_id, id) ON DELETE CASCADE,
    FOREIGN KEY (workspace_id, server_id) REFERENCES servers (workspace_id, id) ON DELETE CASCADE,
    UNIQUE (workspace_id, service_id, server_id)
);
CREATE INDEX placements_server ON placements (workspace_id, server_id);
CREATE INDEX placements_position ON placements (workspace_id, position);

CREATE TABLE dependencies (
    id                INTEGER PRIMARY KEY,
    workspace_id      INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    position          INTEGER NOT NULL,
    from_service_id   INTEGER NOT NULL,
    to_service_id     INTEGER NOT NULL,
    protocol          TEXT    NOT NULL,
    mode              TEXT    NOT NULL,
    calls_per_request REAL    NOT NULL CHECK (calls_per_request > 0),
    description       TEXT    NOT NULL DEFAULT '',
    FOREIGN KEY (workspace_id, from_service_id) REFERENCES services (workspace_id, id) ON DELETE CASCADE,
    FOREIGN KEY (workspace_id, to_service_id) REFERENCES services (workspace_id, id) ON DELETE CASCADE,
    UNIQUE (workspace_id, from_service_id, to_service_id)
);
CREATE INDEX dependencies_to ON dependencies (workspace_id, to_service_id);
CREATE INDEX dependencies_position ON dependencies (workspace_id, position);
