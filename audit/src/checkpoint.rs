//! Signed checkpoints: the log's size and root hash, signed with the host's
//! Ed25519 key, and proofs that carry one so they can be checked offline.
//!
//! The signed bytes are a short text, so that anyone can check a checkpoint
//! with any Ed25519 tool:
//!
//! ```text
//! scorehost audit log v1
//! <tree size>
//! <root hash, hex>
//! <timestamp, RFC 3339>
//! ```

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};

use crate::merkle::{self, Hash, ProofError};

/// The first line of every signed checkpoint: what is signed, and its version.
pub const CHECKPOINT_HEADER: &str = "scorehost audit log v1";

/// Why a checkpoint or a proof does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    /// A key, hash or signature is not well-formed.
    #[error("malformed {0}")]
    Malformed(&'static str),
    /// The signature does not verify with this public key.
    #[error("the checkpoint's signature does not verify with this key")]
    BadSignature,
    /// The Merkle proof does not verify against the checkpoint.
    #[error(transparent)]
    Proof(#[from] ProofError),
}

/// A signed statement: "the log had `tree_size` records, and this root".
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// Records in the log.
    pub tree_size: u64,
    /// The tree's root hash, hex.
    pub root_hash: String,
    /// When it was signed (RFC 3339, UTC).
    pub timestamp: String,
    /// The Ed25519 signature over [`Checkpoint::signed_text`], hex.
    pub signature: String,
}

impl Checkpoint {
    /// The exact bytes that are signed.
    pub fn signed_text(tree_size: u64, root_hash: &str, timestamp: &str) -> String {
        format!("{CHECKPOINT_HEADER}\n{tree_size}\n{root_hash}\n{timestamp}\n")
    }

    /// The root hash as bytes.
    pub fn root(&self) -> Result<Hash, CheckpointError> {
        decode_hash(&self.root_hash).ok_or(CheckpointError::Malformed("root hash"))
    }

    /// Check the signature with the log's public key (hex). Fails closed.
    pub fn verify(&self, public_key_hex: &str) -> Result<(), CheckpointError> {
        let key = hex::decode(public_key_hex)
            .ok()
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
            .and_then(|b| VerifyingKey::from_bytes(&b).ok())
            .ok_or(CheckpointError::Malformed("public key"))?;
        let sig = hex::decode(&self.signature)
            .ok()
            .and_then(|b| <[u8; 64]>::try_from(b).ok())
            .map(|b| Signature::from_bytes(&b))
            .ok_or(CheckpointError::Malformed("signature"))?;
        self.root()?;
        let text = Self::signed_text(self.tree_size, &self.root_hash, &self.timestamp);
        key.verify_strict(text.as_bytes(), &sig)
            .map_err(|_| CheckpointError::BadSignature)?;
        Ok(())
    }
}

fn decode_hash(s: &str) -> Option<Hash> {
    hex::decode(s).ok().and_then(|b| b.try_into().ok())
}

/// The log's signing key.
pub struct LogKey {
    key: SigningKey,
}

impl LogKey {
    /// A new random key.
    pub fn generate() -> Result<LogKey, CheckpointError> {
        let mut seed = [0u8; 32];
        getrandom::getrandom(&mut seed).map_err(|_| CheckpointError::Malformed("random seed"))?;
        Ok(LogKey {
            key: SigningKey::from_bytes(&seed),
        })
    }

    /// The key from its 32-byte secret seed.
    pub fn from_seed(seed: &[u8; 32]) -> LogKey {
        LogKey {
            key: SigningKey::from_bytes(seed),
        }
    }

    /// A second handle on the same key.
    pub fn clone_key(&self) -> LogKey {
        LogKey::from_seed(&self.seed())
    }

    /// The secret seed, to store (with owner-only permissions).
    pub fn seed(&self) -> [u8; 32] {
        self.key.to_bytes()
    }

    /// The public key, hex: what anyone needs to check checkpoints.
    pub fn public_key_hex(&self) -> String {
        hex::encode(self.key.verifying_key().to_bytes())
    }

    /// Sign a checkpoint of `tree_size` records with `root` at `timestamp`.
    pub fn sign(&self, tree_size: u64, root: &Hash, timestamp: &str) -> Checkpoint {
        let root_hash = hex::encode(root);
        let text = Checkpoint::signed_text(tree_size, &root_hash, timestamp);
        let signature = hex::encode(self.key.sign(text.as_bytes()).to_bytes());
        Checkpoint {
            tree_size,
            root_hash,
            timestamp: timestamp.to_string(),
            signature,
        }
    }
}

/// An inclusion proof with its checkpoint: everything needed to show, offline
/// and with only the log's public key, that one record is in the log.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InclusionProof {
    /// The record's position in the log (0-based).
    pub leaf_index: u64,
    /// The record's leaf hash, hex (`SHA-256(0x00 || record)`).
    pub leaf_hash: String,
    /// The audit path, hex hashes.
    pub path: Vec<String>,
    /// The signed checkpoint the path leads to.
    pub checkpoint: Checkpoint,
}

impl InclusionProof {
    /// Verify: the checkpoint's signature with `public_key_hex`, then the
    /// path from the leaf to the checkpoint's root. If `record` is given, its
    /// leaf hash must be the proof's. Fails closed.
    pub fn verify(
        &self,
        public_key_hex: &str,
        record: Option<&[u8]>,
    ) -> Result<(), CheckpointError> {
        self.checkpoint.verify(public_key_hex)?;
        let leaf = decode_hash(&self.leaf_hash).ok_or(CheckpointError::Malformed("leaf hash"))?;
        if let Some(r) = record
            && merkle::leaf_hash(r) != leaf
        {
            return Err(CheckpointError::Proof(ProofError::RootMismatch));
        }
        let path: Vec<Hash> = self
            .path
            .iter()
            .map(|h| decode_hash(h))
            .collect::<Option<_>>()
            .ok_or(CheckpointError::Malformed("path hash"))?;
        merkle::verify_inclusion(
            self.leaf_index,
            self.checkpoint.tree_size,
            &leaf,
            &path,
            &self.checkpoint.root()?,
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merkle::{inclusion_proof, leaf_hash, root};

    fn log(n: usize) -> Vec<Hash> {
        (0..n)
            .map(|i| leaf_hash(format!("record {i}").as_bytes()))
            .collect()
    }

    #[test]
    fn a_signed_checkpoint_verifies_and_any_change_fails() {
        let key = LogKey::from_seed(&[7; 32]);
        let cp = key.sign(5, &root(&log(5)), "2026-11-29T12:00:00Z");
        cp.verify(&key.public_key_hex()).unwrap();
        let other = LogKey::from_seed(&[8; 32]);
        assert_eq!(
            cp.verify(&other.public_key_hex()),
            Err(CheckpointError::BadSignature)
        );
        for changed in [
            Checkpoint {
                tree_size: 6,
                ..cp.clone()
            },
            Checkpoint {
                root_hash: hex::encode(root(&log(4))),
                ..cp.clone()
            },
            Checkpoint {
                timestamp: "2026-11-29T12:00:01Z".into(),
                ..cp.clone()
            },
        ] {
            assert_eq!(
                changed.verify(&key.public_key_hex()),
                Err(CheckpointError::BadSignature)
            );
        }
        assert!(matches!(
            Checkpoint {
                signature: "zz".into(),
                ..cp.clone()
            }
            .verify(&key.public_key_hex()),
            Err(CheckpointError::Malformed(_))
        ));
        assert!(matches!(
            cp.verify("00"),
            Err(CheckpointError::Malformed(_))
        ));
        // Deterministic signatures: the same key and text sign the same way.
        assert_eq!(key.sign(5, &root(&log(5)), "2026-11-29T12:00:00Z"), cp);
        assert_eq!(
            LogKey::from_seed(&key.seed()).public_key_hex(),
            key.public_key_hex()
        );
    }

    #[test]
    fn an_inclusion_proof_survives_json_and_checks_offline() {
        let key = LogKey::generate().unwrap();
        let leaves = log(11);
        let cp = key.sign(11, &root(&leaves), "2026-11-29T12:00:00Z");
        let proof = InclusionProof {
            leaf_index: 7,
            leaf_hash: hex::encode(leaves[7]),
            path: inclusion_proof(7, &leaves)
                .unwrap()
                .iter()
                .map(hex::encode)
                .collect(),
            checkpoint: cp,
        };
        let json = serde_json::to_string(&proof).unwrap();
        let back: InclusionProof = serde_json::from_str(&json).unwrap();
        back.verify(&key.public_key_hex(), Some(b"record 7"))
            .unwrap();
        assert!(
            back.verify(&key.public_key_hex(), Some(b"record 8"))
                .is_err()
        );
        let mut moved = back.clone();
        moved.leaf_index = 6;
        assert!(moved.verify(&key.public_key_hex(), None).is_err());
        let mut cut = back.clone();
        cut.path.pop();
        assert!(cut.verify(&key.public_key_hex(), None).is_err());
    }
}
