-- A search index over the evaluation records of the audit log: derived
-- data, rebuilt from the log (never part of what the log proves), filled
-- behind the log by `Registry::index_evaluations` so that appending a
-- record costs nothing more. `id` is the record's id (`SEQ-HASH`), so that
-- a search reads the index alone. `audit_search_state.next_seq` is the first
-- leaf not yet read by the indexer.
CREATE TABLE audit_search (
    seq     INTEGER PRIMARY KEY,
    id      TEXT    NOT NULL,
    at      TEXT    NOT NULL,
    caller  TEXT    NOT NULL,
    model   TEXT    NOT NULL,
    version TEXT    NOT NULL,
    subject TEXT    NOT NULL,
    outcome TEXT    NOT NULL,
    score   DOUBLE PRECISION,
    grade   TEXT,
    duration_us BIGINT
);
CREATE INDEX audit_search_subject ON audit_search (subject, seq);
CREATE INDEX audit_search_model ON audit_search (model, seq);
CREATE INDEX audit_search_caller ON audit_search (caller, seq);
CREATE INDEX audit_search_at ON audit_search (at);
-- One error code, and every failure: the failures are few, so their
-- partial index is small and a search for them reads only them.
CREATE INDEX audit_search_outcome ON audit_search (outcome, seq);
CREATE INDEX audit_search_failed ON audit_search (seq) WHERE outcome <> 'ok';
CREATE TABLE audit_search_state (
    id       INTEGER PRIMARY KEY,
    next_seq BIGINT  NOT NULL
);
INSERT INTO audit_search_state (id, next_seq) VALUES (1, 0);
