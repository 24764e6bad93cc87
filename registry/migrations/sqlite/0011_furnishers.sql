-- Who furnishes each indicator (SECURITY.md "Who furnishes the N"). A row
-- is the province's registration: only publisher `namespace` (and the
-- province) may import records of `indicator`, and `cardinality` says
-- whether a subject has one current record of it ('single': a newer record
-- replaces the older) or one record per event ('events'). An indicator
-- with no row is furnished by the namespaces whose own published models
-- declare it. Each registration is also a record in the audit log.
CREATE TABLE furnishers (
    indicator     TEXT NOT NULL PRIMARY KEY,
    namespace     TEXT NOT NULL,
    cardinality   TEXT NOT NULL,
    registered_by TEXT NOT NULL,
    registered_at TEXT NOT NULL
);
