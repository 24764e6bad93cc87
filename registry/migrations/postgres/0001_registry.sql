-- Plugin versions, approvals, pins and the history of every registry action.
CREATE TABLE plugin_versions (
    namespace     TEXT    NOT NULL,
    name          TEXT    NOT NULL,
    version       TEXT    NOT NULL,
    sha256        TEXT    NOT NULL,
    size_bytes    BIGINT  NOT NULL,
    describe_json TEXT    NOT NULL,
    status        TEXT    NOT NULL CHECK (status IN ('submitted', 'approved', 'revoked')),
    published_by  TEXT    NOT NULL,
    published_at  TEXT    NOT NULL,
    approved_by   TEXT,
    approved_at   TEXT,
    revoked_by    TEXT,
    revoked_at    TEXT,
    PRIMARY KEY (namespace, name, version)
);

CREATE TABLE pins (
    namespace  TEXT NOT NULL,
    name       TEXT NOT NULL,
    version    TEXT NOT NULL,
    sha256     TEXT NOT NULL,
    pinned_by  TEXT NOT NULL,
    pinned_at  TEXT NOT NULL,
    PRIMARY KEY (namespace, name)
);

CREATE TABLE registry_events (
    id        BIGSERIAL PRIMARY KEY,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    namespace TEXT NOT NULL,
    name      TEXT NOT NULL,
    version   TEXT NOT NULL,
    sha256    TEXT NOT NULL,
    detail    TEXT NOT NULL
);
CREATE INDEX registry_events_by_model ON registry_events (namespace, name, id);
