-- Benefit scenarios ("信易+" applications, issue 8): the province names a
-- benefit, the model that decides it and its rule — a minimum score (in
-- hundredths of a point) or a set of grades, never both — and apps are
-- granted scenarios instead of raw scores. One row per scenario: its
-- current definition. Every definition, replacement and retirement is also
-- a record in the audit log, written in the same transaction.
CREATE TABLE scenarios (
    name       TEXT PRIMARY KEY,
    title      TEXT NOT NULL,
    model      TEXT NOT NULL,
    min_score  BIGINT,
    -- A JSON array of grade names, for a grades rule.
    grades     TEXT,
    defined_by TEXT NOT NULL,
    defined_at TEXT NOT NULL,
    retired_by TEXT,
    retired_at TEXT,
    CHECK ((min_score IS NULL) <> (grades IS NULL))
);

-- An app token may be granted scenarios (comma-separated names; empty:
-- none). Existing tokens keep working with no scenario.
ALTER TABLE api_tokens ADD COLUMN scenarios TEXT NOT NULL DEFAULT '';
