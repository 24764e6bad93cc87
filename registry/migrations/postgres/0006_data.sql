-- The "1+N" data: each subject's provincial base evaluation (the "1"), and
-- the sectors' indicator records (the "N"), each with its source and the
-- date the fact was observed. A scoring request that names only its
-- subject is completed from here; its audit record holds exactly what the
-- model saw.
CREATE TABLE subject_bases (
    subject_id  TEXT NOT NULL PRIMARY KEY,
    kind        TEXT NOT NULL,
    score       DOUBLE PRECISION NOT NULL,
    grade       TEXT NOT NULL,
    dimensions  TEXT NOT NULL,
    lists       TEXT NOT NULL,
    source      TEXT NOT NULL,
    imported_at TEXT NOT NULL
);

-- One row per fact: a subject's indicator as observed on a date ('' when
-- the record has no date). Importing the same fact again replaces it.
CREATE TABLE indicator_records (
    subject_id  TEXT NOT NULL,
    name        TEXT NOT NULL,
    observed_on TEXT NOT NULL,
    value       TEXT NOT NULL,
    source      TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    PRIMARY KEY (subject_id, name, observed_on)
);
