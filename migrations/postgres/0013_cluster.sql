-- Several archmap nodes on one database: the PostgreSQL twin of
-- migrations/0013_cluster.sql, which says what each part is for.
CREATE TABLE auth_generation (
    id         BIGINT PRIMARY KEY CHECK (id = 1),
    generation BIGINT NOT NULL
);
INSERT INTO auth_generation (id, generation) VALUES (1, 0);

CREATE FUNCTION archmap_bump_auth_generation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE auth_generation SET generation = generation + 1 WHERE id = 1;
    RETURN NULL;
END
$$;

CREATE TRIGGER api_tokens_auth_delete AFTER DELETE ON api_tokens
    FOR EACH STATEMENT EXECUTE FUNCTION archmap_bump_auth_generation();
CREATE TRIGGER api_tokens_auth_update AFTER UPDATE ON api_tokens
    FOR EACH ROW WHEN (OLD.last_used_at IS NOT DISTINCT FROM NEW.last_used_at)
    EXECUTE FUNCTION archmap_bump_auth_generation();
CREATE TRIGGER users_auth_update AFTER UPDATE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION archmap_bump_auth_generation();
CREATE TRIGGER users_auth_delete AFTER DELETE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION archmap_bump_auth_generation();

CREATE TABLE leases (
    name       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
