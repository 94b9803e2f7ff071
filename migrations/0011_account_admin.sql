-- Accounts managed in the app (issue 18): disabled accounts, one-time
-- password links, and the failed sign-ins that throttle password guessing.

-- disabled_at is set while an account is disabled: its sessions and API
-- tokens are refused and it cannot sign in. NULL: enabled.
ALTER TABLE users ADD COLUMN disabled_at TEXT;

-- A one-time link lets a user set a password: a new account's first one
-- (purpose 'invite') or a new one an admin asked for ('reset'). Only the
-- SHA-256 of the link's token is stored; a link works once, before
-- expires_at.
CREATE TABLE password_links (
    token_hash BLOB    PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    TEXT    NOT NULL CHECK (purpose IN ('invite', 'reset')),
    created_at TEXT    NOT NULL,
    expires_at TEXT    NOT NULL,
    used_at    TEXT
);
CREATE INDEX password_links_user ON password_links (user_id);

-- Failed sign-ins of the last minutes, by the account tried (its email key,
-- whether or not such an account exists) and the client address. They are
-- kept in the database, not in memory, so that the limits hold across
-- several nodes; rows older than the lockout window are deleted. A
-- successful sign-in sets cleared on the account's failures: they no
-- longer count against the account, but still against the address that
-- made them.
CREATE TABLE sign_in_failures (
    id          INTEGER PRIMARY KEY,
    account_key TEXT NOT NULL,
    address     TEXT NOT NULL,
    at          TEXT NOT NULL,
    cleared     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sign_in_failures_account ON sign_in_failures (account_key, at);
CREATE INDEX sign_in_failures_address ON sign_in_failures (address, at);
CREATE INDEX sign_in_failures_at ON sign_in_failures (at);

-- The addresses an account signed in from successfully: the account-wide
-- lockout (many addresses guessing one account's password) does not keep
-- the owner out from where they signed in before.
CREATE TABLE sign_in_known (
    account_key TEXT NOT NULL,
    address     TEXT NOT NULL,
    at          TEXT NOT NULL,
    PRIMARY KEY (account_key, address)
);
CREATE INDEX sign_in_known_at ON sign_in_known (at);
