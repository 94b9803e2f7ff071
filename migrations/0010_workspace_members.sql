-- Workspace members and their roles (issue 18): a user sees and changes a
-- workspace only as one of its members, with the role the member has
-- (access.Role: owner, editor or viewer). Instance admins act as owners of
-- every workspace without a row here.
CREATE TABLE workspace_members (
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role         TEXT    NOT NULL CHECK (role IN ('owner', 'editor', 'viewer')),
    created_at   TEXT    NOT NULL,
    PRIMARY KEY (workspace_id, user_id)
);
-- The workspaces of one user (the home page, the API's list).
CREATE INDEX workspace_members_user ON workspace_members (user_id);

-- Until now every account could use every workspace, and no workspace
-- recorded who created it. So that no workspace is left without an owner,
-- every existing admin becomes an owner of every existing workspace; other
-- accounts lose access until an owner adds them (admins see every
-- workspace anyway and can do so at once).
INSERT INTO workspace_members (workspace_id, user_id, role, created_at)
SELECT w.id, u.id, 'owner', w.created_at FROM workspaces w CROSS JOIN users u WHERE u.admin = 1;

-- A read-only token may only read (GET, HEAD, and a simulation, which
-- stores nothing), whatever its owner's roles.
ALTER TABLE api_tokens ADD COLUMN read_only INTEGER NOT NULL DEFAULT 0 CHECK (read_only IN (0, 1));
