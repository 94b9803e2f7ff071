-- PostgreSQL twin of ../0005_instance_settings.sql.
CREATE TABLE IF NOT EXISTS instance_settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
