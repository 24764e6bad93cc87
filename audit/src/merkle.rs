//! RFC 6962 Merkle trees: hashes, proofs and their verification.
//!
//! A tree over `n` leaves, with the RFC's domain separation:
//! `leaf = SHA-256(0x00 || data)`, `node = SHA-256(0x01 || left || right)`,
//! and the empty tree's hash `SHA-256("")`. The tree over `n > 1` leaves
//! splits at `k`, the largest power of two smaller than `n`.
//!
//! Proof generation from a list of leaf hashes ([`inclusion_proof`],
//! [`consistency_proof`]) is O(n), fine for a one-shot CLI; a long-running
//! log keeps a [`Tree`] of every complete subtree's hash and answers each
//! proof in O(log² n) hashes at most. Verification takes only the proof,
//! O(log n).

use sha2::{Digest, Sha256};

/// A SHA-256 digest.
pub type Hash = [u8; 32];

/// Why a proof does not verify. Verification fails closed: any malformed
/// input is an error, never a pass.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    /// The leaf index is not inside the tree.
    #[error("leaf index {index} is outside a tree of size {size}")]
    IndexOutOfRange {
        /// The index given.
        index: u64,
        /// The tree size given.
        size: u64,
    },
    /// The sizes given for a consistency proof are not `0 < old <= new`.
    #[error("cannot prove consistency from size {old} to size {new}")]
    BadSizes {
        /// The earlier size.
        old: u64,
        /// The later size.
        new: u64,
    },
    /// The proof has the wrong number of hashes for these sizes.
    #[error("a proof of {got} hashes cannot be right for these tree sizes")]
    WrongLength {
        /// Hashes in the proof.
        got: usize,
    },
    /// The proof leads to another root: the record is not in this tree, or
    /// the later tree does not extend the earlier one.
    #[error("the proof does not lead to the expected root")]
    RootMismatch,
}

/// The hash of the empty tree, `SHA-256("")`.
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// The hash of a leaf: `SHA-256(0x00 || data)`.
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(data);
    h.finalize().into()
}

/// The hash of an interior node: `SHA-256(0x01 || left || right)`.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The largest power of two strictly smaller than `n` (`n >= 2`).
fn split(n: usize) -> usize {
    let mut k = 1;
    while k << 1 < n {
        k <<= 1;
    }
    k
}

/// The Merkle tree hash (MTH) of a list of leaf hashes. O(n).
pub fn root(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => empty_root(),
        1 => leaves[0],
        n => {
            let k = split(n);
            node_hash(&root(&leaves[..k]), &root(&leaves[k..]))
        }
    }
}

/// The inclusion proof (audit path) of leaf `index` in the tree over
/// `leaves`, as RFC 6962 §2.1.1 defines it. O(n).
pub fn inclusion_proof(index: usize, leaves: &[Hash]) -> Result<Vec<Hash>, ProofError> {
    if index >= leaves.len() {
        return Err(ProofError::IndexOutOfRange {
            index: index as u64,
            size: leaves.len() as u64,
        });
    }
    let mut proof = Vec::new();
    path(index, leaves, &mut proof);
    Ok(proof)
}

fn path(m: usize, leaves: &[Hash], out: &mut Vec<Hash>) {
    let n = leaves.len();
    if n <= 1 {
        return;
    }
    let k = split(n);
    if m < k {
        path(m, &leaves[..k], out);
        out.push(root(&leaves[k..]));
    } else {
        path(m - k, &leaves[k..], out);
        out.push(root(&leaves[..k]));
    }
}

/// The consistency proof from the tree of the first `old` leaves to the tree
/// over all of `leaves` (RFC 6962 §2.1.2). O(n).
pub fn consistency_proof(old: usize, leaves: &[Hash]) -> Result<Vec<Hash>, ProofError> {
    if old == 0 || old > leaves.len() {
        return Err(ProofError::BadSizes {
            old: old as u64,
            new: leaves.len() as u64,
        });
    }
    let mut proof = Vec::new();
    subproof(old, leaves, true, &mut proof);
    Ok(proof)
}

fn subproof(m: usize, leaves: &[Hash], complete: bool, out: &mut Vec<Hash>) {
    let n = leaves.len();
    if m == n {
        if !complete {
            out.push(root(leaves));
        }
        return;
    }
    let k = split(n);
    if m <= k {
        subproof(m, &leaves[..k], complete, out);
        out.push(root(&leaves[k..]));
    } else {
        subproof(m - k, &leaves[k..], false, out);
        out.push(root(&leaves[..k]));
    }
}

/// Verify that `leaf` is leaf `index` of the tree of `size` leaves whose hash
/// is `root` (RFC 9162 §2.1.3.2). O(log n).
pub fn verify_inclusion(
    index: u64,
    size: u64,
    leaf: &Hash,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), ProofError> {
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    let (mut f_n, mut s_n) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if s_n == 0 {
            return Err(ProofError::WrongLength { got: proof.len() });
        }
        if f_n & 1 == 1 || f_n == s_n {
            r = node_hash(p, &r);
            if f_n & 1 == 0 {
                while f_n & 1 == 0 && f_n != 0 {
                    f_n >>= 1;
                    s_n >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        f_n >>= 1;
        s_n >>= 1;
    }
    if s_n != 0 {
        return Err(ProofError::WrongLength { got: proof.len() });
    }
    if &r != root {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

/// Verify that the tree of `new` leaves with hash `new_root` extends the tree
/// of its first `old` leaves with hash `old_root` (RFC 9162 §2.1.4.2). O(log n).
pub fn verify_consistency(
    old: u64,
    new: u64,
    proof: &[Hash],
    old_root: &Hash,
    new_root: &Hash,
) -> Result<(), ProofError> {
    if old == 0 || old > new {
        return Err(ProofError::BadSizes { old, new });
    }
    if old == new {
        if !proof.is_empty() {
            return Err(ProofError::WrongLength { got: proof.len() });
        }
        return if old_root == new_root {
            Ok(())
        } else {
            Err(ProofError::RootMismatch)
        };
    }
    if proof.is_empty() {
        return Err(ProofError::WrongLength { got: 0 });
    }
    // If old is a power of two, the old root itself starts the path.
    let mut path: Vec<Hash> = Vec::with_capacity(proof.len() + 1);
    if old.is_power_of_two() {
        path.push(*old_root);
    }
    path.extend_from_slice(proof);
    let (mut f_n, mut s_n) = (old - 1, new - 1);
    while f_n & 1 == 1 {
        f_n >>= 1;
        s_n >>= 1;
    }
    let (mut fr, mut sr) = (path[0], path[0]);
    for c in &path[1..] {
        if s_n == 0 {
            return Err(ProofError::WrongLength { got: proof.len() });
        }
        if f_n & 1 == 1 || f_n == s_n {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            if f_n & 1 == 0 {
                while f_n & 1 == 0 && f_n != 0 {
                    f_n >>= 1;
                    s_n >>= 1;
                }
            }
        } else {
            sr = node_hash(&sr, c);
        }
        f_n >>= 1;
        s_n >>= 1;
    }
    if s_n != 0 {
        return Err(ProofError::WrongLength { got: proof.len() });
    }
    if &fr != old_root || &sr != new_root {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

/// The right edge of a growing tree: the roots of its perfect subtrees,
/// largest first. Appending a leaf and computing the root are O(log n), so
/// a long-running log signs checkpoints without re-reading its leaves.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Frontier {
    nodes: Vec<(Hash, u32)>,
    size: u64,
}

impl Frontier {
    /// The frontier of a tree over `leaves`.
    pub fn from_leaves(leaves: &[Hash]) -> Frontier {
        let mut f = Frontier::default();
        for l in leaves {
            f.push(*l);
        }
        f
    }

    /// Append a leaf hash.
    pub fn push(&mut self, leaf: Hash) {
        let mut node = (leaf, 0u32);
        while let Some(&(top, height)) = self.nodes.last() {
            if height != node.1 {
                break;
            }
            self.nodes.pop();
            node = (node_hash(&top, &node.0), height + 1);
        }
        self.nodes.push(node);
        self.size += 1;
    }

    /// Leaves so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The tree hash, equal to [`root`] over the same leaves.
    pub fn root(&self) -> Hash {
        let mut it = self.nodes.iter().rev();
        match it.next() {
            None => empty_root(),
            Some(&(last, _)) => it.fold(last, |acc, (left, _)| node_hash(left, &acc)),
        }
    }
}

/// Every complete subtree's hash of a growing tree: the leaves, the hashes
/// of aligned pairs, of aligned fours, and so on. Appending is O(1)
/// amortised; the root at any earlier size, and an inclusion or a
/// consistency proof at any size it holds, take O(log² n) hashes at most
/// (each of the O(log n) nodes of a proof is the root of a range made of
/// at most log n stored subtrees), so that a proof costs the same at a
/// million records as at a thousand.
///
/// Memory: two hashes (64 bytes) per leaf. A tree only grows: what it says
/// of a size it has passed never changes, so readers may ask for proofs at
/// an earlier (signed) size while the tree grows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tree {
    /// `levels[h][i]`: the hash of leaves `i·2^h .. (i+1)·2^h`.
    levels: Vec<Vec<Hash>>,
}

impl Tree {
    /// The tree over `leaves`. O(n).
    pub fn from_leaves(leaves: &[Hash]) -> Tree {
        let mut t = Tree::default();
        for l in leaves {
            t.push(*l);
        }
        t
    }

    /// Append a leaf hash. O(1) amortised (one node hash per completed
    /// pair).
    pub fn push(&mut self, leaf: Hash) {
        let mut node = leaf;
        let mut h = 0;
        loop {
            if self.levels.len() == h {
                self.levels.push(Vec::new());
            }
            let level = &mut self.levels[h];
            level.push(node);
            if level.len() % 2 == 1 {
                return;
            }
            node = node_hash(&level[level.len() - 2], &level[level.len() - 1]);
            h += 1;
        }
    }

    /// Leaves so far.
    pub fn size(&self) -> u64 {
        self.levels.first().map_or(0, |l| l.len() as u64)
    }

    /// Leaf `index`'s hash, if the tree has it.
    pub fn leaf(&self, index: u64) -> Option<Hash> {
        self.levels.first()?.get(index as usize).copied()
    }

    /// The tree hash of the first `size` leaves (`size <= self.size()`).
    pub fn root_at(&self, size: u64) -> Result<Hash, ProofError> {
        self.check_size(size)?;
        Ok(self.range(0, size as usize))
    }

    /// The inclusion proof of leaf `index` in the tree of the first `size`
    /// leaves: what [`inclusion_proof`] gives over those leaves.
    pub fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Hash>, ProofError> {
        self.check_size(size)?;
        if index >= size {
            return Err(ProofError::IndexOutOfRange { index, size });
        }
        let mut out = Vec::new();
        self.path(index as usize, 0, size as usize, &mut out);
        Ok(out)
    }

    /// The consistency proof from the first `old` leaves to the first
    /// `new`: what [`consistency_proof`] gives over those leaves.
    pub fn consistency_proof(&self, old: u64, new: u64) -> Result<Vec<Hash>, ProofError> {
        if old == 0 || old > new || new > self.size() {
            return Err(ProofError::BadSizes { old, new });
        }
        let mut out = Vec::new();
        self.subproof(old as usize, 0, new as usize, true, &mut out);
        Ok(out)
    }

    fn check_size(&self, size: u64) -> Result<(), ProofError> {
        if size > self.size() {
            return Err(ProofError::BadSizes {
                old: size,
                new: self.size(),
            });
        }
        Ok(())
    }

    /// MTH of the leaves `start .. start + len`, where `start` is a multiple
    /// of the largest power of two not above `len` (as every range of the
    /// RFC's recursion is).
    fn range(&self, start: usize, len: usize) -> Hash {
        match len {
            0 => empty_root(),
            _ if len.is_power_of_two() => {
                let h = len.trailing_zeros() as usize;
                self.levels[h][start >> h]
            }
            _ => {
                let k = split(len);
                node_hash(&self.range(start, k), &self.range(start + k, len - k))
            }
        }
    }

    fn path(&self, m: usize, start: usize, n: usize, out: &mut Vec<Hash>) {
        if n <= 1 {
            return;
        }
        let k = split(n);
        if m < k {
            self.path(m, start, k, out);
            out.push(self.range(start + k, n - k));
        } else {
            self.path(m - k, start + k, n - k, out);
            out.push(self.range(start, k));
        }
    }

    fn subproof(&self, m: usize, start: usize, n: usize, complete: bool, out: &mut Vec<Hash>) {
        if m == n {
            if !complete {
                out.push(self.range(start, n));
            }
            return;
        }
        let k = split(n);
        if m <= k {
            self.subproof(m, start, k, complete, out);
            out.push(self.range(start + k, n - k));
        } else {
            self.subproof(m - k, start + k, n - k, false, out);
            out.push(self.range(start, k));
        }
    }
}

#[cfg(test)]
mod tests;
