-- PostgreSQL twin of ../0012_oidc_identities.sql: same table and columns.
CREATE TABLE oidc_identities (
    issuer       TEXT   NOT NULL,
    subject      TEXT   NOT NULL,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    email        TEXT   NOT NULL,
    created_at   TEXT   NOT NULL,
    last_used_at TEXT   NOT NULL,
    PRIMARY KEY (issuer, subject)
);
CREATE INDEX oidc_identities_user ON oidc_identities (user_id);
