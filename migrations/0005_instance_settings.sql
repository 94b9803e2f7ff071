-- Settings of the whole installation, made at /setup: the public address
-- (base_url) that share links are built from, never the request's Host.
CREATE TABLE IF NOT EXISTS instance_settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
