-- Disputes and credit repair (domain.md "Objection / dispute", "Credit
-- repair"). A dispute names one indicator record (subject, indicator,
-- observed_on); while it is open or forwarded to the source the record is
-- withheld from every evaluation. One row per dispute, holding the record
-- as it was disputed and each step's who and when; every step is also a
-- record in the audit log.
CREATE TABLE disputes (
    id             TEXT NOT NULL PRIMARY KEY,
    subject_id     TEXT NOT NULL,
    indicator      TEXT NOT NULL,
    observed_on    TEXT NOT NULL,
    disputed_value TEXT NOT NULL,
    source         TEXT NOT NULL,
    reason         TEXT NOT NULL,
    filed_by       TEXT NOT NULL,
    filed_at       TEXT NOT NULL,
    state          TEXT NOT NULL,
    check_due      TEXT NOT NULL,
    answer_due     TEXT,
    close_due      TEXT NOT NULL,
    checked_by     TEXT,
    checked_at     TEXT,
    outcome        TEXT,
    new_value      TEXT,
    closed_by      TEXT,
    closed_at      TEXT,
    notes          TEXT NOT NULL
);
CREATE INDEX disputes_by_subject ON disputes (subject_id, indicator, observed_on);
-- At most one dispute of a record is not closed, even when two are filed at
-- the same moment.
CREATE UNIQUE INDEX disputes_one_open ON disputes (subject_id, indicator, observed_on)
    WHERE state <> 'closed';
CREATE INDEX disputes_by_state ON disputes (state);

-- Credit repair: a negative record whose obligation was fulfilled is no
-- longer used (it stays stored, marked, for the record's history).
CREATE TABLE repairs (
    id           TEXT NOT NULL PRIMARY KEY,
    subject_id   TEXT NOT NULL,
    indicator    TEXT NOT NULL,
    observed_on  TEXT NOT NULL,
    value        TEXT NOT NULL,
    source       TEXT NOT NULL,
    reason       TEXT NOT NULL,
    repaired_by  TEXT NOT NULL,
    repaired_at  TEXT NOT NULL,
    UNIQUE (subject_id, indicator, observed_on)
);

-- Who imported each indicator record: the furnishing source that answers a
-- dispute about it ('' for records imported before this column existed).
ALTER TABLE indicator_records ADD COLUMN imported_by TEXT NOT NULL DEFAULT '';
