//! The verifier against the published RFC 6962 test vectors of the
//! Certificate Transparency reference implementation, and exhaustively on
//! trees of every shape up to a few dozen leaves.

use super::*;

/// The reference leaves: "", 00, 10, 2021, 3031, 40414243, 50…57, 60…6f.
const DATA: [&str; 8] = [
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
];

/// Tree hashes for sizes 0 to 8 over those leaves.
const ROOTS: [&str; 9] = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];

/// (leaf index, tree size, audit path).
const INCLUSION: [(usize, usize, &[&str]); 4] = [
    (
        0,
        8,
        &[
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        &[
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        3,
        &["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"],
    ),
    (
        1,
        5,
        &[
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
];

/// (old size, new size, consistency proof).
const CONSISTENCY: [(usize, usize, &[&str]); 4] = [
    (1, 1, &[]),
    (
        1,
        8,
        &[
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        &[
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        &[
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
];

fn h(s: &str) -> Hash {
    hex::decode(s).unwrap().try_into().unwrap()
}

fn leaves() -> Vec<Hash> {
    DATA.iter()
        .map(|d| leaf_hash(&hex::decode(d).unwrap()))
        .collect()
}

fn hexes(v: &[Hash]) -> Vec<String> {
    v.iter().map(hex::encode).collect()
}

#[test]
fn roots_match_the_published_vectors() {
    let l = leaves();
    for (n, want) in ROOTS.iter().enumerate() {
        assert_eq!(hex::encode(root(&l[..n])), *want, "size {n}");
    }
}

#[test]
fn inclusion_proofs_match_and_verify() {
    let l = leaves();
    for (index, size, want) in INCLUSION {
        let proof = inclusion_proof(index, &l[..size]).unwrap();
        assert_eq!(hexes(&proof), want, "leaf {index} of {size}");
        verify_inclusion(
            index as u64,
            size as u64,
            &l[index],
            &proof,
            &h(ROOTS[size]),
        )
        .unwrap();
        assert_eq!(
            verify_inclusion(index as u64, size as u64, &l[index], &proof, &h(ROOTS[0])),
            Err(ProofError::RootMismatch)
        );
    }
}

#[test]
fn consistency_proofs_match_and_verify() {
    let l = leaves();
    for (old, new, want) in CONSISTENCY {
        let proof = consistency_proof(old, &l[..new]).unwrap();
        assert_eq!(hexes(&proof), want, "{old} -> {new}");
        verify_consistency(
            old as u64,
            new as u64,
            &proof,
            &h(ROOTS[old]),
            &h(ROOTS[new]),
        )
        .unwrap();
    }
}

fn many(n: usize) -> Vec<Hash> {
    (0..n)
        .map(|i| leaf_hash(&(i as u64).to_be_bytes()))
        .collect()
}

fn flip(mut h: Hash, bit: usize) -> Hash {
    h[bit / 8 % 32] ^= 1 << (bit % 8);
    h
}

#[test]
fn every_inclusion_proof_verifies_and_every_tampering_fails() {
    for n in 1..=70 {
        let l = many(n);
        let r = root(&l);
        for i in 0..n {
            let p = inclusion_proof(i, &l).unwrap();
            verify_inclusion(i as u64, n as u64, &l[i], &p, &r).unwrap();
            // Another leaf, another index, a changed hash, a short or long proof: all fail.
            assert!(verify_inclusion(i as u64, n as u64, &flip(l[i], i), &p, &r).is_err());
            if n > 1 {
                let other = (i + 1) % n;
                assert!(
                    verify_inclusion(other as u64, n as u64, &l[i], &p, &r).is_err(),
                    "n={n} i={i}"
                );
            }
            for k in 0..p.len() {
                let mut bad = p.clone();
                bad[k] = flip(bad[k], k * 7);
                assert_eq!(
                    verify_inclusion(i as u64, n as u64, &l[i], &bad, &r),
                    Err(ProofError::RootMismatch)
                );
            }
            if !p.is_empty() {
                assert!(
                    verify_inclusion(i as u64, n as u64, &l[i], &p[..p.len() - 1], &r).is_err()
                );
            }
            let mut long = p.clone();
            long.push(r);
            assert!(verify_inclusion(i as u64, n as u64, &l[i], &long, &r).is_err());
        }
        assert!(matches!(
            inclusion_proof(n, &l),
            Err(ProofError::IndexOutOfRange { .. })
        ));
        assert!(verify_inclusion(n as u64, n as u64, &l[0], &[], &r).is_err());
    }
}

#[test]
fn every_consistency_proof_verifies_and_every_tampering_fails() {
    let l = many(40);
    let roots: Vec<Hash> = (0..=40).map(|n| root(&l[..n])).collect();
    for new in 1..=40 {
        for old in 1..=new {
            let p = consistency_proof(old, &l[..new]).unwrap();
            verify_consistency(old as u64, new as u64, &p, &roots[old], &roots[new]).unwrap();
            if old < new {
                // A rewritten history (another old root) or another new root fails.
                assert!(
                    verify_consistency(
                        old as u64,
                        new as u64,
                        &p,
                        &flip(roots[old], 3),
                        &roots[new]
                    )
                    .is_err()
                );
                assert!(
                    verify_consistency(
                        old as u64,
                        new as u64,
                        &p,
                        &roots[old],
                        &flip(roots[new], 5)
                    )
                    .is_err()
                );
                for k in 0..p.len() {
                    let mut bad = p.clone();
                    bad[k] = flip(bad[k], k);
                    assert!(
                        verify_consistency(old as u64, new as u64, &bad, &roots[old], &roots[new])
                            .is_err(),
                        "{old}->{new} k={k}"
                    );
                }
                assert!(
                    verify_consistency(
                        old as u64,
                        new as u64,
                        &p[..p.len() - 1],
                        &roots[old],
                        &roots[new]
                    )
                    .is_err()
                );
                let mut long = p.clone();
                long.push(roots[new]);
                assert!(
                    verify_consistency(old as u64, new as u64, &long, &roots[old], &roots[new])
                        .is_err()
                );
            }
        }
    }
    assert!(matches!(
        verify_consistency(0, 3, &[], &roots[0], &roots[3]),
        Err(ProofError::BadSizes { .. })
    ));
    assert!(matches!(
        verify_consistency(4, 3, &[], &roots[4], &roots[3]),
        Err(ProofError::BadSizes { .. })
    ));
    assert!(consistency_proof(0, &l).is_err());
}

#[test]
fn the_frontier_gives_the_same_root_at_every_size() {
    let l = many(300);
    let mut f = Frontier::default();
    assert_eq!(f.root(), empty_root());
    for (n, leaf) in l.iter().enumerate() {
        f.push(*leaf);
        assert_eq!(f.root(), root(&l[..=n]), "size {}", n + 1);
        assert_eq!(f.size(), n as u64 + 1);
    }
    assert_eq!(Frontier::from_leaves(&l[..77]).root(), root(&l[..77]));
    let published = leaves();
    assert_eq!(
        hex::encode(Frontier::from_leaves(&published).root()),
        ROOTS[8]
    );
}

#[test]
fn the_tree_gives_the_same_roots_and_proofs_as_the_leaf_lists_at_every_size() {
    let l = many(70);
    let tree = Tree::from_leaves(&l);
    assert_eq!(tree.size(), 70);
    assert_eq!(tree.root_at(0).unwrap(), empty_root());
    for size in 1..=70usize {
        let at = &l[..size];
        assert_eq!(tree.root_at(size as u64).unwrap(), root(at), "size {size}");
        for index in 0..size {
            assert_eq!(
                tree.inclusion_proof(index as u64, size as u64).unwrap(),
                inclusion_proof(index, at).unwrap(),
                "leaf {index} of {size}"
            );
        }
        for old in 1..=size {
            assert_eq!(
                tree.consistency_proof(old as u64, size as u64).unwrap(),
                consistency_proof(old, at).unwrap(),
                "{old} to {size}"
            );
        }
    }
    // The published vectors, and refusals beyond the tree.
    assert_eq!(
        hex::encode(Tree::from_leaves(&leaves()).root_at(8).unwrap()),
        ROOTS[8]
    );
    assert!(tree.root_at(71).is_err());
    assert!(tree.inclusion_proof(70, 70).is_err());
    assert!(tree.inclusion_proof(3, 71).is_err());
    assert!(tree.consistency_proof(0, 5).is_err());
    assert!(tree.consistency_proof(6, 5).is_err());
    assert!(tree.consistency_proof(5, 71).is_err());
    assert_eq!(tree.leaf(69), Some(l[69]));
    assert_eq!(tree.leaf(70), None);
}
