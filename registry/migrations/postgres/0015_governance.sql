-- Trust without trusting one person (issue 23).
--
-- A token is issued to a named person; the province's tokens must name one.
-- Tokens made before this migration name nobody: they keep working, but
-- their holders cannot approve (an approval counts a person).
ALTER TABLE api_tokens ADD COLUMN person TEXT;

-- Who acted, as a person, beside the role in `actor`.
ALTER TABLE registry_events ADD COLUMN person TEXT;

-- The person who published a version (never counted toward its quorum),
-- the module's SSH signature (armored, as `ssh-keygen -Y sign` writes it)
-- and the SHA-256 fingerprint of the key that made it.
ALTER TABLE plugin_versions ADD COLUMN published_person TEXT;
ALTER TABLE plugin_versions ADD COLUMN signature TEXT;
ALTER TABLE plugin_versions ADD COLUMN signed_by_key TEXT;

-- One approval by one person of the exact bytes (`sha256`) of a version:
-- `person_key` is the person's name folded to compare (one person's two
-- tokens count once). A version is approved once `approval_quorum`
-- distinct persons, none of them its publisher, approved it. Versions
-- approved before this migration keep their status with no rows here.
CREATE TABLE approvals (
    kind       TEXT NOT NULL,
    subject    TEXT NOT NULL,
    sha256     TEXT NOT NULL,
    person_key TEXT NOT NULL,
    person     TEXT NOT NULL,
    token      TEXT,
    at         TEXT NOT NULL,
    PRIMARY KEY (kind, subject, person_key)
);

-- Settings of the review itself (`approval_quorum`), each change a record
-- in the audit log.
CREATE TABLE governance (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- The public keys the province registered for each publisher namespace
-- (OpenSSH `ssh-ed25519 …` lines). A namespace with any key registered
-- (live or revoked) requires every new module to be signed by a live one.
CREATE TABLE signing_keys (
    namespace      TEXT NOT NULL,
    fingerprint    TEXT NOT NULL,
    public_key     TEXT NOT NULL,
    label          TEXT NOT NULL,
    added_by       TEXT NOT NULL,
    added_at       TEXT NOT NULL,
    revoked_by     TEXT,
    revoked_at     TEXT,
    revoked_reason TEXT,
    PRIMARY KEY (namespace, fingerprint)
);
