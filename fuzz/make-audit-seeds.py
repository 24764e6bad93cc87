#!/usr/bin/env python3
"""Write the `audit` target's JSON seeds into fuzz/corpus/audit/: signed
inclusion proofs, a checkpoint and consistency proofs, made exactly as
scorehost-audit makes them (RFC 6962 tree, Ed25519 over the checkpoint text)
with the fuzz target's key (seed 7 x 32). Needs python3-cryptography."""
import hashlib, json, os, sys
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "audit")
KEY = Ed25519PrivateKey.from_private_bytes(bytes([7] * 32))
TS = "2026-11-29T12:00:00Z"

def leaf(d): return hashlib.sha256(b"\x00" + d).digest()
def node(l, r): return hashlib.sha256(b"\x01" + l + r).digest()
def split(n):
    k = 1
    while k << 1 < n: k <<= 1
    return k
def root(ls):
    if not ls: return hashlib.sha256(b"").digest()
    if len(ls) == 1: return ls[0]
    k = split(len(ls)); return node(root(ls[:k]), root(ls[k:]))
def path(m, ls):
    if len(ls) <= 1: return []
    k = split(len(ls))
    if m < k: return path(m, ls[:k]) + [root(ls[k:])]
    return path(m - k, ls[k:]) + [root(ls[:k])]
def subproof(m, ls, complete):
    n = len(ls)
    if m == n: return [] if complete else [root(ls)]
    k = split(n)
    if m <= k: return subproof(m, ls[:k], complete) + [root(ls[k:])]
    return subproof(m - k, ls[k:], False) + [root(ls[:k])]
def checkpoint(n, r):
    text = f"scorehost audit log v1\n{n}\n{r.hex()}\n{TS}\n"
    return {"tree_size": n, "root_hash": r.hex(), "timestamp": TS,
            "signature": KEY.sign(text.encode()).hex()}

os.makedirs(OUT, exist_ok=True)
def write(name, obj):
    with open(os.path.join(OUT, name), "w") as f:
        json.dump(obj, f, separators=(",", ":"))
for n, m in [(1, 0), (7, 3), (11, 7), (16, 15), (33, 32)]:
    ls = [leaf(f"record {i}".encode()) for i in range(n)]
    write(f"inclusion-{m}-of-{n}.json", {
        "leaf_index": m, "leaf_hash": ls[m].hex(),
        "path": [h.hex() for h in path(m, ls)],
        "checkpoint": checkpoint(n, root(ls))})
ls = [leaf(f"record {i}".encode()) for i in range(11)]
write("checkpoint-11.json", checkpoint(11, root(ls)))
for old, new in [(3, 7), (4, 11), (11, 11)]:
    write(f"consistency-{old}-to-{new}.json", {
        "from": old, "to": new, "from_root": root(ls[:old]).hex(),
        "to_root": root(ls[:new]).hex(),
        "proof": [h.hex() for h in subproof(old, ls[:new], True)]})
