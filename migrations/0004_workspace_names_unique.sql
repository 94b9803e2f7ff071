-- Workspace names are unique whatever their case (issue 15): two cards named
-- "Shop" and "shop" on the home page cannot be told apart. The store checks
-- names with full Unicode case folding and says which workspace has the
-- name; this index is the database's own guarantee for the ASCII folding
-- SQLite knows (NOCASE), so no write path can get around it.
--
-- Existing duplicates are renamed first, every one but the oldest getting
-- " (N)" with its id, which is unique, so the index can be created.
UPDATE workspaces
SET name = name || ' (' || id || ')'
WHERE EXISTS (
    SELECT 1 FROM workspaces AS older
    WHERE older.name = workspaces.name COLLATE NOCASE
      AND older.id < workspaces.id
);

CREATE UNIQUE INDEX workspaces_name_nocase ON workspaces (name COLLATE NOCASE);
