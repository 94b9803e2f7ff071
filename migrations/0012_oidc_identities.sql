-- Sign-in through OpenID Connect (docs/production.md, "Single sign-on").
-- An identity is the provider's (issuer, subject) pair, which the provider
-- never reuses for another person; it maps to one account, so a user whose
-- email changes at the provider still reaches the same account. email is
-- the address the provider gave at the last sign-in, for the admin's eyes.
-- Accounts created at a first sign-in have no usable password
-- (auth.NoPassword).
CREATE TABLE oidc_identities (
    issuer       TEXT    NOT NULL,
    subject      TEXT    NOT NULL,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    email        TEXT    NOT NULL,
    created_at   TEXT    NOT NULL,
    last_used_at TEXT    NOT NULL,
    PRIMARY KEY (issuer, subject)
);
CREATE INDEX oidc_identities_user ON oidc_identities (user_id);
