-- The audit log: one row per leaf of the Merkle tree, in log order.
-- `record` is the exact leaf data (canonical JSON); `leaf_hash` is
-- SHA-256(0x00 || record), kept so the tree is rebuilt without re-hashing.
CREATE TABLE audit_log (
    seq       BIGINT PRIMARY KEY,
    id        TEXT   NOT NULL UNIQUE,
    kind      TEXT   NOT NULL,
    at        TEXT   NOT NULL,
    record    TEXT   NOT NULL,
    leaf_hash TEXT   NOT NULL
);

-- The personal input of an evaluation, kept beside the log so that it can
-- be erased after its retention period: the leaf commits only to
-- SHA-256(salt || input).
CREATE TABLE audit_inputs (
    seq       BIGINT PRIMARY KEY,
    salt      TEXT,
    input     TEXT,
    erased_at TEXT
);

-- Signed checkpoints: tree size, root hash, time, Ed25519 signature.
CREATE TABLE audit_checkpoints (
    tree_size BIGINT PRIMARY KEY,
    root_hash TEXT NOT NULL,
    at        TEXT NOT NULL,
    signature TEXT NOT NULL
);
