-- Benefit scenarios and composites come into force like module versions
-- (issue 23): one named province person proposes a definition, and it is
-- in force once the approval quorum of distinct other persons approved its
-- exact text (`sha256` of `definition`). Approvals live in `approvals`
-- with kind 'scenario' or 'composite' and subject 'NAME#ID'.
--
-- status: 'pending' (waiting for approvals), 'in-force' (the quorum was
-- reached and the definition was applied), 'superseded' (a newer proposal
-- of the same name replaced it before it came into force), 'withdrawn'
-- (the name was retired while it waited). Definitions in force before
-- this migration keep working with no row here.
CREATE TABLE proposals (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    name        TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    definition  TEXT NOT NULL,
    proposed_by TEXT NOT NULL,
    person      TEXT NOT NULL,
    proposed_at TEXT NOT NULL,
    status      TEXT NOT NULL,
    closed_at   TEXT
);

CREATE INDEX proposals_by_name ON proposals (kind, name, status);
