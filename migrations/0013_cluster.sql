-- Several archmap nodes on one database (docs/production.md).
--
-- auth_generation: a number that changes whenever anything that grants API
-- access is taken away or changed — a token deleted or altered, a user
-- changed (disabled, demoted, password reset) or deleted. Each node keeps
-- the owners of recently used tokens in memory, tagged with the generation
-- it read them at, and reads this one row on every request: an entry of
-- another generation is read again from the tables. So a token deleted on
-- node A is refused by node B at B's next request, for the price of a
-- one-row read instead of the token-and-owner join (store/token.go). The
-- triggers bump it whichever code path makes the change, including those
-- added later. Recording a token's use (last_used_at, once a minute) is
-- not a change of access and bumps nothing.
CREATE TABLE auth_generation (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    generation INTEGER NOT NULL
);
INSERT INTO auth_generation (id, generation) VALUES (1, 0);

CREATE TRIGGER api_tokens_auth_delete AFTER DELETE ON api_tokens
BEGIN
    UPDATE auth_generation SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER api_tokens_auth_update AFTER UPDATE ON api_tokens
WHEN OLD.last_used_at IS NEW.last_used_at
BEGIN
    UPDATE auth_generation SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER users_auth_update AFTER UPDATE ON users
BEGIN
    UPDATE auth_generation SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER users_auth_delete AFTER DELETE ON users
BEGIN
    UPDATE auth_generation SET generation = generation + 1 WHERE id = 1;
END;

-- leases: chores that must run once across the nodes (the purge of expired
-- sessions). A node runs one only when it takes the chore's row — inserts
-- it, or takes it over once expired — in the chore's own transaction.
CREATE TABLE leases (
    name       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
