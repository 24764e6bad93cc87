-- A record's id is derived from its position and leaf hash (`SEQ-HASH`),
-- so the log needs no index on a random key: with one, every appended
-- record lands on a random index page and a group commit writes hundreds
-- of extra pages. Lookups go by seq, the primary key.
ALTER TABLE audit_log DROP COLUMN id;
