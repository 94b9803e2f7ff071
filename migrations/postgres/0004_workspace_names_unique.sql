-- PostgreSQL twin of ../0004_workspace_names_unique.sql: workspace names are
-- unique whatever their case. lower() stands for SQLite's NOCASE; the store
-- checks full Unicode case folding itself (checkNameFree) and says which
-- workspace has the name. The index keeps SQLite's name, so errors read
-- alike.
UPDATE workspaces
SET name = name || ' (' || id || ')'
WHERE EXISTS (
    SELECT 1 FROM workspaces AS older
    WHERE lower(older.name) = lower(workspaces.name)
      AND older.id < workspaces.id
);

CREATE UNIQUE INDEX workspaces_name_nocase ON workspaces (lower(name));
