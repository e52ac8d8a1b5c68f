#!/usr/bin/env bash
# Writes the seed corpora fuzz/corpus/<target>/ from the named vectors (crates/pora-testkit/vectors/).
#
# Usage: fuzz/seed.sh            (idempotent: seeds are named by content hash; corpus/ is gitignored)
# Needs python3 (standard library only).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
vectors="$here/../crates/pora-testkit/vectors"
python3 - "$vectors" "$here/corpus" <<'PY'
import hashlib, json, os, sys

vectors_dir, corpus = sys.argv[1], sys.argv[2]
vectors = json.load(open(os.path.join(vectors_dir, "vectors.json")))
context = json.load(open(os.path.join(vectors_dir, "context.json")))

def head(buf, i):
    """Major type, argument and position after the head of the CBOR item at i."""
    ib = buf[i]; major, info = ib >> 5, ib & 31; i += 1
    if info < 24:
        return major, info, i
    n = {24: 1, 25: 2, 26: 4, 27: 8}[info]
    return major, int.from_bytes(buf[i:i + n], "big"), i + n

def walk(buf, i, spans, strings):
    """Skips the item at i, recording every item's span and every byte string's contents."""
    start = i
    major, arg, i = head(buf, i)
    if major in (2, 3):
        if major == 2:
            strings.append(buf[i:i + arg])
        i += arg
    elif major == 4:
        for _ in range(arg):
            i = walk(buf, i, spans, strings)
    elif major == 5:
        for _ in range(2 * arg):
            i = walk(buf, i, spans, strings)
    elif major == 6:
        i = walk(buf, i, spans, strings)
    spans.append(buf[start:i])
    return i

def parts(blob):
    spans, strings = [], []
    try:
        walk(blob, 0, spans, strings)
    except (KeyError, IndexError):
        pass
    return spans, strings

seeds = {t: [] for t in ["text_base45", "verify", "cose", "cbor", "claims", "trust_list", "status_list", "c40"]}
for v in vectors:
    layers = v["layers"]
    seeds["text_base45"].append(layers["qr_text"].encode())
    seeds["verify"].append(layers["qr_text"].encode())
    if layers.get("base45"):
        seeds["text_base45"].append(layers["base45"].encode())
    if layers.get("cose"):
        cose = bytes.fromhex(layers["cose"])
        seeds["cose"] += [cose, cose[1:]]
        seeds["cbor"].append(cose)
    if layers.get("claims_cbor"):
        claims = bytes.fromhex(layers["claims_cbor"])
        seeds["claims"].append(claims)
        seeds["cbor"].append(claims)
        spans, strings = parts(claims)
        seeds["cbor"] += spans
        seeds["c40"] += strings

trust = bytes.fromhex(context["trust_list"])
spans, strings = parts(trust)
seeds["trust_list"] += [trust] + strings  # the signed list and its payload
for s in strings:
    seeds["trust_list"] += parts(s)[0]  # the payload's items (signer records, ...)
seeds["cose"].append(trust)
seeds["cbor"].append(trust)
for hx in context["status_lists"]:
    token = bytes.fromhex(hx)
    spans, strings = parts(token)
    seeds["status_list"].append(token)
    seeds["cose"].append(token)
    seeds["cbor"].append(token)
    for s in strings:  # the claims (payload), and inside it the StatusList map
        seeds["status_list"].append(s)
        seeds["status_list"] += parts(s)[0]

# The named check-report vectors seed the check report parser (and the CBOR and COSE parsers).
reports = json.load(open(os.path.join(vectors_dir, "reports.json")))
seeds["check_report"] = []
for c in reports["cases"]:
    cose = bytes.fromhex(c["cose"])
    seeds["check_report"].append(cose)
    seeds["cose"].append(cose)
    seeds["cbor"] += parts(cose)[1]

# The QR images of the vectors, and the reader's own fixed test images, seed the image reader.
for d in (os.path.join(vectors_dir, "png"), os.path.join(vectors_dir, "../../pora-reader/tests/images")):
    if os.path.isdir(d):
        for name in sorted(os.listdir(d))[:40]:
            if name.lower().endswith((".png", ".jpg", ".jpeg", ".webp")):
                with open(os.path.join(d, name), "rb") as f:
                    seeds.setdefault("reader_image", []).append(f.read())

total = 0
for target, blobs in seeds.items():
    d = os.path.join(corpus, target)
    os.makedirs(d, exist_ok=True)
    for b in blobs:
        with open(os.path.join(d, "seed-" + hashlib.sha1(b).hexdigest()[:16]), "wb") as f:
            f.write(b)
        total += 1
    print(f"{target:12} {len(set(blobs)):4} seeds")
PY
