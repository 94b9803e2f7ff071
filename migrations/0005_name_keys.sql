-- What a service's or server's name looks like: case folded, invisible
-- (default-ignorable) characters removed, composed — topology.NameKey, which
-- the server registers as the SQL function archmap_name_key on every
-- connection. An entity write refuses a name whose key another of its kind
-- in the workspace has ("looks the same as …") with one lookup in these
-- indexes. The indexes are not UNIQUE, so that a database holding such
-- names from before still opens; its next model write is refused until
-- they are renamed.
ALTER TABLE services ADD COLUMN name_key TEXT GENERATED ALWAYS AS (archmap_name_key(name)) VIRTUAL;
CREATE INDEX services_name_key ON services (workspace_id, name_key);
ALTER TABLE servers ADD COLUMN name_key TEXT GENERATED ALWAYS AS (archmap_name_key(name)) VIRTUAL;
CREATE INDEX servers_name_key ON servers (workspace_id, name_key);
