-- PostgreSQL twin of ../0007_ids_never_reused.sql. Identity columns never
-- hand out an id twice, so no table is rebuilt here (SQLite needed
-- AUTOINCREMENT); what remains is the change to pinned share links: one
-- copy of the model per pinned revision (pinned_models) instead of one per
-- link.

CREATE TABLE pinned_models (
    workspace_id BIGINT  NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    revision     BIGINT  NOT NULL,
    model        BYTEA   NOT NULL,
    PRIMARY KEY (workspace_id, revision)
);

INSERT INTO pinned_models (workspace_id, revision, model)
    SELECT workspace_id, pinned_revision, (array_agg(pinned_model ORDER BY id))[1] FROM shares
    WHERE pinned_revision IS NOT NULL AND revoked_at IS NULL
    GROUP BY workspace_id, pinned_revision;

ALTER TABLE shares DROP CONSTRAINT shares_pinned;
ALTER TABLE shares DROP COLUMN pinned_model;
DROP INDEX shares_workspace;
CREATE INDEX shares_workspace ON shares (workspace_id, pinned_revision);
