-- Shadow mode: the one version of a model (submitted or approved, never the
-- pinned one) that also evaluates every live scoring of that model, its
-- results logged but never returned. One row per model. Setting, clearing
-- (and the clearing that pinning or revoking the shadow version implies)
-- are records in the audit log, written in the same transaction.
CREATE TABLE shadows (
    namespace  TEXT NOT NULL,
    name       TEXT NOT NULL,
    version    TEXT NOT NULL,
    sha256     TEXT NOT NULL,
    set_by     TEXT NOT NULL,
    set_at     TEXT NOT NULL,
    PRIMARY KEY (namespace, name)
);
