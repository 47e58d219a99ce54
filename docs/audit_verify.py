#!/usr/bin/env python3
"""Independent check of Concerto's audit log, written from docs/audit.md alone: recomputes
every leaf of `concerto log export` and the root of every signed head, and checks the
heads' Ed25519 signatures (with the `cryptography` module when installed)."""
import hashlib, json, struct, sys
from datetime import datetime

def event_json(line):
    # The stored event JSON: "{" and the line's bytes after the comma that ends
    # "recorded_at" (docs/audit.md, section 1): sliced, never re-encoded.
    key = b'"recorded_at":"'
    value = line.index(key) + len(key)
    end = line.index(b'"', value)
    assert line[end + 1:end + 2] == b",", "ligne d'export inattendue"
    return b"{" + line[end + 2:]

def recorded_at(text):
    # RFC 3339 with up to 9 fractional digits, UTC ("Z").
    main, _, frac = text.rstrip("Z").partition(".")
    seconds = int(datetime.fromisoformat(main + "+00:00").timestamp())
    return seconds, int((frac or "0").ljust(9, "0"))

def leaf(line):
    rec = json.loads(line)
    stream = rec["stream"].encode()
    event = event_json(line)
    seconds, nanos = recorded_at(rec["recorded_at"])
    return (b"\x01" + struct.pack(">QIQH", rec["position"]["commit"], rec["position"]["index"], rec["revision"], len(stream))
            + stream + struct.pack(">qII", seconds, nanos, len(event)) + event)

def leaf_hash(data): return hashlib.sha256(b"\x00" + data).digest()
def node_hash(l, r): return hashlib.sha256(b"\x01" + l + r).digest()

def root(hashes):
    if not hashes: return hashlib.sha256(b"").digest()
    if len(hashes) == 1: return hashes[0]
    k = 1
    while k * 2 < len(hashes): k *= 2
    return node_hash(root(hashes[:k]), root(hashes[k:]))

def head_bytes(head):
    return (bytes([head["version"], 1]) + struct.pack(">QQ", head["timestamp"], head["tree_size"])
            + bytes.fromhex(head["root_hash"]) + bytes.fromhex(head["key_id"]))

def check_signature(public_key_hex, signed, signature_hex):
    try:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    except ImportError:
        return "signature non vérifiée (module cryptography absent)"
    key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key_hex))
    key.verify(bytes.fromhex(signature_hex), signed)  # raises InvalidSignature
    return "signature OK"

# Usage: audit_verify.py EXPORT.jsonl HEADS.jsonl PUBLIC_KEY_HEX
lines = [line.rstrip(b"\r\n") for line in open(sys.argv[1], "rb") if line.strip()]
hashes = [leaf_hash(leaf(line)) for line in lines]
failed = False
for line in open(sys.argv[2]):
    head = json.loads(line)
    assert hashlib.sha256(bytes.fromhex(sys.argv[3])).hexdigest() == head["key_id"], "autre clé"
    ok = head["tree_size"] <= len(hashes) and root(hashes[: head["tree_size"]]).hex() == head["root_hash"]
    failed |= not ok
    print(head["tree_size"], head["root_hash"], "racine OK" if ok else "RACINE DIFFÉRENTE",
          check_signature(sys.argv[3], head_bytes(head), head["signature"]))
sys.exit(1 if failed else 0)
