-- Batch runs (`scorehost batch`, POST /v1/batches): one row per run, and
-- one row per item that has a record in the audit log, written in the same
-- transaction as that record. A run that is killed and started again reads
-- `batch_items` to know exactly which items were scored (and answered from
-- the log) and which were not: no subject is scored twice, none is missed.
CREATE TABLE batches (
    id           TEXT NOT NULL PRIMARY KEY,
    model        TEXT NOT NULL,
    version      TEXT NOT NULL,
    sha256       TEXT NOT NULL,
    caller       TEXT NOT NULL,
    source       TEXT NOT NULL,
    output       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    total        BIGINT,
    finished_at  TEXT,
    input_sha256 TEXT,
    summary      TEXT
);

CREATE TABLE batch_items (
    batch TEXT NOT NULL,
    item  BIGINT NOT NULL,
    seq   BIGINT NOT NULL,
    PRIMARY KEY (batch, item)
);
