-- Consent (domain.md "Authorization"): a natural person's score is computed
-- for an app only while the person's consent for that app and model
-- stands. One row per (subject, app, model): its current state. Every
-- grant and withdrawal is also a record in the audit log.
CREATE TABLE consents (
    subject_id   TEXT NOT NULL,
    app          TEXT NOT NULL,
    model        TEXT NOT NULL,
    granted_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    granted_by   TEXT NOT NULL,
    withdrawn_at TEXT,
    PRIMARY KEY (subject_id, app, model)
);
