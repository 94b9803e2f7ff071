-- Accounts, sessions, API tokens and share links. Secrets are never stored:
-- only the SHA-256 of a session id or token, computed by the server.
-- Times are UTC text of fixed width, so they compare as strings.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         TEXT    NOT NULL,
    -- email_key is the lowercased email: addresses are unique regardless of case.
    email_key     TEXT    NOT NULL UNIQUE,
    password_hash BLOB    NOT NULL,
    admin         INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT    NOT NULL
);

CREATE TABLE sessions (
    token_hash BLOB    PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TEXT    NOT NULL,
    expires_at TEXT    NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    token_hash   BLOB    NOT NULL UNIQUE,
    created_at   TEXT    NOT NULL,
    last_used_at TEXT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE shares (
    id              INTEGER PRIMARY KEY,
    workspace_id    INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    token_hash      BLOB    NOT NULL UNIQUE,
    created_at      TEXT    NOT NULL,
    expires_at      TEXT,
    -- A pinned share shows the model frozen at pinned_revision, kept as
    -- canonical JSON in pinned_model; an unpinned one shows the live model.
    pinned_revision INTEGER,
    pinned_model    BLOB,
    last_used_at    TEXT,
    revoked_at      TEXT,
    CHECK ((pinned_revision IS NULL) = (pinned_model IS NULL))
);
CREATE INDEX shares_workspace ON shares (workspace_id);
