//! `audit`: the audit log's offline verifiers — a JSON inclusion proof with
//! its signed checkpoint (what `scorehost audit proof --verify` reads), a
//! consistency proof, a checkpoint — and the Merkle proof verifiers.
//!
//! Every input must be refused without a panic, and (property) a proof the
//! real tree produces for a random set of leaves verifies, while any
//! single-byte change of it — a hash byte, the index, a size, a root, the
//! signature — fails.
//!
//! The first byte chooses the mode:
//! - `{` (a JSON text): decode it as an inclusion proof, a consistency proof
//!   or a checkpoint and verify it; the corpus holds real ones;
//! - anything else: structured, the rest of the input describes a tree
//!   and a mutation ([`Tree`]).
#![no_main]

use std::sync::OnceLock;

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use scorehost_audit::checkpoint::{Checkpoint, InclusionProof, LogKey};
use scorehost_audit::merkle::{
    Frontier, Hash, consistency_proof, inclusion_proof, leaf_hash, root, verify_consistency,
    verify_inclusion,
};

const TIMESTAMP: &str = "2026-11-29T12:00:00Z";

/// The log key the corpus's proofs are signed with (seed 7 × 32).
fn key() -> &'static (LogKey, String) {
    static KEY: OnceLock<(LogKey, String)> = OnceLock::new();
    KEY.get_or_init(|| {
        let k = LogKey::from_seed(&[7; 32]);
        let public = k.public_key_hex();
        (k, public)
    })
}

/// A consistency proof as the HTTP API and `scorehost audit consistency`
/// give it (host/engine/src/audit: `Consistency`).
#[derive(serde::Deserialize)]
struct Consistency {
    from: u64,
    to: u64,
    from_root: String,
    to_root: String,
    proof: Vec<String>,
}

fn decode_hash(s: &str) -> Option<Hash> {
    hex::decode(s).ok()?.try_into().ok()
}

fn json(data: &[u8]) {
    let public = &key().1;
    if let Ok(p) = serde_json::from_slice::<InclusionProof>(data) {
        let r = p.verify(public, None);
        let _ = p.verify(public, Some(b"record 0"));
        let _ = p.verify("00", None);
        // Deterministic, and what survives its own JSON verifies the same.
        let back: InclusionProof =
            serde_json::from_str(&serde_json::to_string(&p).unwrap()).unwrap();
        assert_eq!(back, p);
        assert_eq!(back.verify(public, None), r);
    }
    if let Ok(cp) = serde_json::from_slice::<Checkpoint>(data) {
        let _ = cp.verify(public);
        let _ = cp.root();
    }
    if let Ok(c) = serde_json::from_slice::<Consistency>(data) {
        let hashes: Option<Vec<Hash>> = c.proof.iter().map(|h| decode_hash(h)).collect();
        if let (Some(proof), Some(a), Some(b)) =
            (hashes, decode_hash(&c.from_root), decode_hash(&c.to_root))
        {
            let _ = verify_consistency(c.from, c.to, &proof, &a, &b);
        }
    }
}

/// A tree, a leaf in it, an earlier size, and one change to make.
#[derive(Debug, Arbitrary)]
struct Tree {
    /// Leaves: 1 to 300.
    size: u16,
    /// Salt for the leaves' contents.
    salt: u8,
    index: u16,
    old: u16,
    /// Which byte to change, and by what (never zero).
    at: u32,
    by: u8,
    /// Arbitrary proofs and sizes, fed to the verifiers as they are.
    raw_index: u64,
    raw_size: u64,
    raw_path: Vec<[u8; 32]>,
}

fn structured(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let Ok(t) = Tree::arbitrary(&mut u) else {
        return;
    };
    let by = t.by.max(1);

    // Arbitrary proofs fail closed without panicking, on any sizes.
    let some = [t.salt; 32];
    let _ = verify_inclusion(t.raw_index, t.raw_size, &some, &t.raw_path, &some);
    let _ = verify_consistency(t.raw_index, t.raw_size, &t.raw_path, &some, &some);
    let _ = verify_inclusion(t.raw_index, u64::MAX, &some, &t.raw_path, &some);
    let _ = verify_consistency(t.raw_size, u64::MAX, &t.raw_path, &some, &some);

    let n = usize::from(t.size % 300) + 1;
    let leaves: Vec<Hash> = (0..n)
        .map(|i| leaf_hash(format!("record {i} {}", t.salt).as_bytes()))
        .collect();
    let r = root(&leaves);
    assert_eq!(Frontier::from_leaves(&leaves).root(), r);

    // Inclusion: the real proof verifies; every single-byte change fails.
    let m = usize::from(t.index) % n;
    let proof = inclusion_proof(m, &leaves).unwrap();
    verify_inclusion(m as u64, n as u64, &leaves[m], &proof, &r).unwrap();
    let flat: Vec<u8> = proof.iter().flatten().copied().collect();
    if !flat.is_empty() {
        let mut bad = proof.clone();
        let at = t.at as usize % flat.len();
        bad[at / 32][at % 32] ^= by;
        assert!(
            verify_inclusion(m as u64, n as u64, &leaves[m], &bad, &r).is_err(),
            "a changed inclusion proof verifies: leaf {m} of {n}, byte {at}"
        );
    }
    let mut bad_root = r;
    bad_root[t.at as usize % 32] ^= by;
    assert!(verify_inclusion(m as u64, n as u64, &leaves[m], &proof, &bad_root).is_err());
    let mut bad_leaf = leaves[m];
    bad_leaf[t.at as usize % 32] ^= by;
    assert!(verify_inclusion(m as u64, n as u64, &bad_leaf, &proof, &r).is_err());
    // Another index or size, or a proof one hash short or long, fails.
    let other = (m as u64) ^ u64::from(by);
    if other != m as u64 {
        assert!(verify_inclusion(other, n as u64, &leaves[m], &proof, &r).is_err());
    }
    // (Another tree size is not refused by the path alone: sizes with the
    // same shape share paths. The signed checkpoint binds the size; see below.)
    if let Some((_, short)) = proof.split_last() {
        assert!(verify_inclusion(m as u64, n as u64, &leaves[m], short, &r).is_err());
    }
    let mut long = proof.clone();
    long.push(r);
    assert!(verify_inclusion(m as u64, n as u64, &leaves[m], &long, &r).is_err());

    // The signed form: the proof with its checkpoint, through JSON.
    let (k, public) = key();
    let cp = k.sign(n as u64, &r, TIMESTAMP);
    let signed = InclusionProof {
        leaf_index: m as u64,
        leaf_hash: hex::encode(leaves[m]),
        path: proof.iter().map(hex::encode).collect(),
        checkpoint: cp,
    };
    let text = serde_json::to_vec(&signed).unwrap();
    let back: InclusionProof = serde_json::from_slice(&text).unwrap();
    back.verify(public, Some(format!("record {m} {}", t.salt).as_bytes()))
        .unwrap();
    // A change of one byte of the JSON either no longer decodes, decodes
    // to the same proof (whitespace cannot occur here, but an escape could),
    // or fails to verify.
    let mut changed = text.clone();
    let at = t.at as usize % changed.len();
    changed[at] ^= by;
    if let Ok(p) = serde_json::from_slice::<InclusionProof>(&changed) {
        let same = normalised(&p) == normalised(&signed);
        if !same {
            assert!(
                p.verify(public, None).is_err(),
                "a changed signed proof verifies: byte {at} of {}",
                String::from_utf8_lossy(&changed)
            );
        }
    }

    // Consistency: from the first `old` leaves to all `n`.
    let old = usize::from(t.old) % n + 1;
    let old_root = root(&leaves[..old]);
    let c = consistency_proof(old, &leaves).unwrap();
    verify_consistency(old as u64, n as u64, &c, &old_root, &r).unwrap();
    let flat: Vec<u8> = c.iter().flatten().copied().collect();
    if !flat.is_empty() {
        let mut bad = c.clone();
        let at = t.at as usize % flat.len();
        bad[at / 32][at % 32] ^= by;
        assert!(
            verify_consistency(old as u64, n as u64, &bad, &old_root, &r).is_err(),
            "a changed consistency proof verifies: {old} to {n}, byte {at}"
        );
    }
    let mut bad_old = old_root;
    bad_old[t.at as usize % 32] ^= by;
    assert!(verify_consistency(old as u64, n as u64, &c, &bad_old, &r).is_err());
    let mut bad_new = r;
    bad_new[t.at as usize % 32] ^= by;
    assert!(verify_consistency(old as u64, n as u64, &c, &old_root, &bad_new).is_err());
    let mut long = c.clone();
    long.push(r);
    assert!(verify_consistency(old as u64, n as u64, &long, &old_root, &r).is_err());
    if let Some((_, short)) = c.split_last() {
        assert!(verify_consistency(old as u64, n as u64, short, &old_root, &r).is_err());
    }
}

/// A proof with its hex in lowercase (hex decoding accepts either case, and
/// the signature is over the root hash's text).
fn normalised(p: &InclusionProof) -> InclusionProof {
    let mut p = p.clone();
    p.leaf_hash.make_ascii_lowercase();
    p.path.iter_mut().for_each(|h| h.make_ascii_lowercase());
    p.checkpoint.signature.make_ascii_lowercase();
    p
}

fuzz_target!(|data: &[u8]| {
    match data.first() {
        Some(b'{') => json(data),
        Some(_) => structured(&data[1..]),
        None => {}
    }
});
