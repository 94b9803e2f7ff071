-- PostgreSQL twin of ../0006_name_keys.sql: what a service's or server's
-- name looks like (topology.NameKey), written by the store with every name.
ALTER TABLE services ADD COLUMN name_key TEXT;
CREATE INDEX services_name_key ON services (workspace_id, name_key);
ALTER TABLE servers ADD COLUMN name_key TEXT;
CREATE INDEX servers_name_key ON servers (workspace_id, name_key);
