//! # scorehost-registry: only reviewed bytes score anyone
//!
//! The province's promise to citizens is that a model scores people only
//! after review, and only the exact bytes reviewed. This crate keeps that
//! promise in storage:
//!
//! - [`Registry`]: plugin versions (`namespace/name@semver` + SHA-256),
//!   their life cycle — submitted → approved (naming the reviewed hash) →
//!   pinned (the one active version, named by version *and* hash) → revoked —
//!   and the history of every action (who, what, when), in SQL through sqlx:
//!   SQLite in the data dir by default, PostgreSQL for several hosts;
//! - [`ModuleStore`]: the module bytes, content-addressed (file name = hash),
//!   written atomically, re-hashed on every read: a changed byte is refused,
//!   never run;
//! - [`ModuleCheck`]: what a caller must vouch for before anything is stored
//!   (the host implements it with its sandbox's load-time checks);
//! - [`governance`]: four-eyes approval (a quorum of distinct named persons,
//!   the publisher never counting) and signed modules (SSH signatures
//!   checked against the keys the province registered per namespace).
//!
//! - the audit log's storage ([`Registry::append_records`] and friends):
//!   every registry action is also a leaf of the log, written in the same
//!   transaction as the action.
//!
//! - consent ([`Registry::grant_consent`], [`Registry::require_consent`]):
//!   a natural person is scored for an app only while their consent stands;
//! - benefit scenarios ([`Registry::define_scenario`], [`Rule`]): the
//!   province names a benefit, its model and its rule (a minimum score or
//!   a set of grades); apps are granted scenarios instead of raw scores;
//! - [`composites`]: named, versioned graphs of pinned models that the
//!   province defines, checked against the pinned declarations;
//! - [`disputes`]: disputes of indicator records (withheld while open,
//!   deadlines tracked, answered by the source) and credit repair;
//! - [`furnishers`]: who furnishes each indicator (only they import its
//!   records) and whether a subject has one record of it or one per event;
//! - [`data`]: the "1+N" data (provincial base evaluations, sector indicator
//!   records), imported in bulk and read back to complete a request;
//! - batch runs ([`Registry::create_batch`], [`BatchRun`]): which items of
//!   a run have their record in the log, so that a killed run resumes
//!   exactly;
//! - API bearer tokens ([`Registry::create_token`], [`Registry::authenticate`]):
//!   only their SHA-256 is stored.
//!
//! Every operation takes an [`Actor`], which names a person when it can;
//! publishers may only publish into their own namespace, and only the
//! province approves (by quorum), pins and revokes.
#![deny(missing_docs)]

// The facets, one folder or file each (README.md): versions and pins, the
// log's storage, the 1+N subject data, access, scenarios, batches, shadows;
// and what they share: names (`refs`), the database (`db`), the error.
mod access;
mod batches;
pub mod composites;
mod db;
mod error;
pub mod governance;
mod log;
mod refs;
mod scenarios;
mod shadows;
mod subjects;
mod versions;

pub use access::actor::{Actor, MAX_PERSON_NAME, Role, person_key, person_name};
pub use access::tokens::{NewToken, Token, hashes_match, secret_hash};
pub use batches::BatchRun;
pub use composites::{Composite, Definition, REPORT};
pub use error::Error;
pub use governance::proposals::{Approved, Proposal};
pub use governance::signing::{KeyRevoked, SigningKey};
pub use governance::{Approval, Review};
pub use log::evaluations::{EvaluationPage, RecordedEvaluation};
pub use log::personal::{
    MAX_ERASED_PER_RECORD, Personal, StoredPersonal, SubjectRecord, check_personal, commitment,
    open_record, tombstone,
};
pub use log::search::{
    DayCount, EvaluationFound, EvaluationSearch, EvaluationStats, EvaluationSummary, FailureCount,
    INDEX_CHUNK, MAX_RESULTS, ModelTime, StatsScope, lower_thread_priority,
};
pub use log::{LogAppender, LogEntry, NewRecord, StoredCheckpoint, StoredInput, record_id};
pub use refs::{ModelName, VersionRef};
pub use scenarios::{COMPOSITE_NAMESPACE, Declared, Defined, Rule, Scenario, decided_by_composite};
pub use shadows::Shadow;
pub use subjects::consents::{Consent, no_consent};
pub use subjects::disputes::{Dispute, DisputeFilter, DisputeState, Repair, Withheld};
pub use subjects::retention::{MAX_RETENTION_MONTHS, RetentionPolicy, UNKNOWN_KIND};
pub use subjects::{data, disputes, furnishers};
pub use versions::module_store::{ModuleStore, sha256_hex};
pub use versions::{
    CheckedModule, Event, ModuleCheck, Pin, Published, Registry, Resolved, Status, VersionRecord,
};

/// The current time as RFC 3339 (UTC), as every record is stamped.
pub fn now() -> String {
    versions::now()
}

/// The result of registry operations.
pub type Result<T, E = Error> = std::result::Result<T, E>;
