-- Records that can forget (issue 24). From record format 3 on, a leaf holds
-- no personal data: it commits to its personal part — the subject, the
-- white box, the decision — as `"personal": SHA-256(salt || text)`, and the
-- salt and the clear text live here, beside the log, erasable. Erasing sets
-- `subject`, `salt` and `personal` to NULL: the leaf is unchanged, so the
-- tree, every checkpoint and every proof still verify, and without the salt
-- the commitment reveals nothing (a salt is 128 random bits).
--
-- `legacy` rows stand for records written before format 3, whose personal
-- part is in the leaf itself: they are found by subject and erased here
-- like the others, and erasing one replaces its leaf text by a tombstone
-- (`verify` then trusts its stored leaf hash, and checks that a logged
-- erasure names it).
--
-- `subject_kind` and `at` stay after erasure: alone they name nobody, and
-- the retention job reads them.
CREATE TABLE audit_personal (
    seq          INTEGER PRIMARY KEY,
    kind         TEXT    NOT NULL,
    subject      TEXT,
    subject_kind TEXT    NOT NULL,
    at           TEXT    NOT NULL,
    salt         TEXT,
    personal     TEXT,
    legacy       INTEGER NOT NULL DEFAULT 0,
    erased_at    TEXT,
    erased_by    TEXT
);
CREATE INDEX audit_personal_subject ON audit_personal (subject, seq);
CREATE INDEX audit_personal_due ON audit_personal (subject_kind, at) WHERE erased_at IS NULL;

INSERT INTO audit_personal (seq, kind, subject, subject_kind, at, legacy)
SELECT seq, kind, json_extract(record, '$.subject.id'),
       COALESCE(json_extract(record, '$.subject.kind'), 'unknown'), at, 1
  FROM audit_log
 WHERE kind IN ('evaluation', 'composite')
   AND json_extract(record, '$.subject.id') IS NOT NULL;

-- Registry records about a person written before format 3 — consents,
-- dispute steps, repairs — name them as `subject_id` in the leaf, beside
-- their reason or the values: indexed the same way. Consent is asked of
-- natural persons only; otherwise the kind is the store's, if it has one.
INSERT INTO audit_personal (seq, kind, subject, subject_kind, at, legacy)
SELECT seq, kind, json_extract(record, '$.subject_id'),
       CASE WHEN json_extract(record, '$.action') LIKE 'consent-%' THEN 'natural-person'
            ELSE COALESCE((SELECT b.kind FROM subject_bases b WHERE b.subject_id = json_extract(record, '$.subject_id')), 'unknown')
       END,
       at, 1
  FROM audit_log
 WHERE kind = 'registry'
   AND json_extract(record, '$.subject_id') IS NOT NULL;

-- How long each kind of subject's records are kept: erased `months` after
-- they were written (the retention job: `serve` in the background, and
-- `audit retention run`). No row: kept until erased by hand.
CREATE TABLE retention_policies (
    subject_kind TEXT    PRIMARY KEY,
    months       INTEGER NOT NULL,
    set_by       TEXT    NOT NULL,
    set_at       TEXT    NOT NULL
);
