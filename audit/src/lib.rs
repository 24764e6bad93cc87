//! # scorehost-audit: a log anyone can check
//!
//! The audit log is a verifiable log in the manner of Certificate
//! Transparency (RFC 6962 / RFC 9162). This crate holds the part that needs
//! no database and no key, so that a subject, an app or an auditor can
//! check a proof offline with nothing else:
//!
//! - [`merkle`]: tree hashes with the RFC's leaf/node domain separation,
//!   inclusion proofs (one record is in the log, O(log n) hashes) and
//!   consistency proofs (a later tree extends an earlier one), and their
//!   verifiers, which fail closed on anything malformed;
//! - [`checkpoint`]: checkpoints (tree size + root) signed with the host's
//!   Ed25519 key, and inclusion proofs that carry one, so that a proof is
//!   checked offline with only the log's public key.
//!
//! The host stores the records and checkpoints (`scorehost-registry`), and
//! its log writer keeps a [`merkle::Tree`] to answer proofs.
#![deny(missing_docs)]

pub mod checkpoint;
pub mod merkle;
