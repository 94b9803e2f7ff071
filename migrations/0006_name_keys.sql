-- What a service's or server's name looks like: case folded, invisible
-- (default-ignorable) characters removed, composed — topology.NameKey,
-- written by the store with every name (and filled in for older rows when
-- the database is opened). An entity write refuses a name whose key
-- another of its kind in the workspace has ("looks the same as …") with one
-- lookup in these indexes. They are not UNIQUE, so that a database holding
-- such names from before still opens; its next model write is refused until
-- they are renamed.
ALTER TABLE services ADD COLUMN name_key TEXT;
CREATE INDEX services_name_key ON services (workspace_id, name_key);
ALTER TABLE servers ADD COLUMN name_key TEXT;
CREATE INDEX servers_name_key ON servers (workspace_id, name_key);
