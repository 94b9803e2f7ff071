-- PostgreSQL twin of ../0010_workspace_members.sql (read its comments):
-- workspace members with their roles; existing admins become owners of
-- existing workspaces; read-only API tokens.
CREATE TABLE workspace_members (
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role         TEXT   NOT NULL CHECK (role IN ('owner', 'editor', 'viewer')),
    created_at   TEXT   NOT NULL,
    PRIMARY KEY (workspace_id, user_id)
);
CREATE INDEX workspace_members_user ON workspace_members (user_id);

INSERT INTO workspace_members (workspace_id, user_id, role, created_at)
SELECT w.id, u.id, 'owner', w.created_at FROM workspaces w CROSS JOIN users u WHERE u.admin = 1;

ALTER TABLE api_tokens ADD COLUMN read_only INTEGER NOT NULL DEFAULT 0 CHECK (read_only IN (0, 1));
