-- API bearer tokens. Only the SHA-256 of a token is stored: the secret is
-- printed once, when it is created, and cannot be read back from here.
CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY,
    token_sha256 TEXT NOT NULL UNIQUE,
    role         TEXT NOT NULL,
    -- For an app: the models it may score, comma-separated namespace/name
    -- (empty: none).
    models       TEXT NOT NULL,
    label        TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    revoked_at   TEXT
);
