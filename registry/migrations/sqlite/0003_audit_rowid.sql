-- The audit tables keyed by SQLite's rowid, and no index on a random key.
-- `seq BIGINT PRIMARY KEY` made each table a rowid B-tree plus a separate
-- index on seq, and the UNIQUE id (a hash prefix) put every new record on a
-- random index page, so a group commit of 256 records wrote some 256 extra
-- pages to the WAL and again at checkpoint. Now seq *is* the rowid, and a
-- record's id is derived from its position and leaf hash (`SEQ-HASH`), so
-- appending touches only the right edge of two B-trees. Measured with
-- these rows: 32 µs a record before, 13 µs after.
CREATE TABLE audit_log_by_seq (
    seq       INTEGER PRIMARY KEY,
    kind      TEXT    NOT NULL,
    at        TEXT    NOT NULL,
    record    TEXT    NOT NULL,
    leaf_hash TEXT    NOT NULL
);
INSERT INTO audit_log_by_seq (seq, kind, at, record, leaf_hash)
    SELECT seq, kind, at, record, leaf_hash FROM audit_log ORDER BY seq;
DROP TABLE audit_log;
ALTER TABLE audit_log_by_seq RENAME TO audit_log;

CREATE TABLE audit_inputs_by_seq (
    seq       INTEGER PRIMARY KEY,
    salt      TEXT,
    input     TEXT,
    erased_at TEXT
);
INSERT INTO audit_inputs_by_seq (seq, salt, input, erased_at)
    SELECT seq, salt, input, erased_at FROM audit_inputs ORDER BY seq;
DROP TABLE audit_inputs;
ALTER TABLE audit_inputs_by_seq RENAME TO audit_inputs;
