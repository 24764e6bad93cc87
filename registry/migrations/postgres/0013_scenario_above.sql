-- A benefit scenario's rule may be strict (issue 20): the source says
-- 「达到573分」 (reaches 573: at least) for some benefits and 「高于580」
-- (above 580: strictly more) for others. `above` = 1 reads `min_score` as
-- a threshold the score must exceed; 0 (every earlier scenario) as a
-- minimum it must reach.
ALTER TABLE scenarios ADD COLUMN above BIGINT NOT NULL DEFAULT 0;
