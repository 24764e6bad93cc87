-- Composite scores (issue 21): the province defines a named graph of
-- pinned models whose edges feed one model's output (score, grade, a
-- contribution) into a declared input of the next. Each definition is a
-- new version of its name; the highest version not retired is in force.
-- `definition` is the graph as JSON (registry/src/composites.rs);
-- `checked_against` the pinned versions it was checked against, JSON.
-- Every definition and retirement is also a record in the audit log,
-- written in the same transaction.
CREATE TABLE composites (
    name            TEXT NOT NULL,
    version         BIGINT NOT NULL,
    title           TEXT NOT NULL,
    definition      TEXT NOT NULL,
    checked_against TEXT NOT NULL,
    defined_by      TEXT NOT NULL,
    defined_at      TEXT NOT NULL,
    retired_by      TEXT,
    retired_at      TEXT,
    PRIMARY KEY (name, version)
);

-- An app token may be granted composites (comma-separated names) and the
-- credit report, the built-in composite named `report`. Existing tokens
-- keep working with none.
ALTER TABLE api_tokens ADD COLUMN composites TEXT NOT NULL DEFAULT '';
