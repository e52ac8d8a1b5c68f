#!/usr/bin/env python3
# Prints the medians of the `verify` bench (and of `dgc-compare`, when run) as markdown tables with
# the ratios docs/CORE-BENCH.md reports.
#
# Usage: python3 crates/pora-core/benches/summarize.py [CRITERION_DIR ...]
# Default dirs: $CARGO_TARGET_DIR/criterion (else target/criterion) and the dgc-compare package's
# target/criterion.
import json
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.abspath(os.path.join(here, "..", "..", ".."))
dirs = sys.argv[1:] or [
    os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(root, "target")), "criterion"),
    os.path.join(os.environ.get("DGC_TARGET_DIR", os.path.join(here, "dgc-compare", "target")), "criterion"),
]

median = {}
for d in dirs:
    for dirpath, _, files in os.walk(d):
        if os.path.basename(dirpath) == "new" and "estimates.json" in files:
            with open(os.path.join(dirpath, "benchmark.json")) as f:
                full_id = json.load(f)["full_id"]
            with open(os.path.join(dirpath, "estimates.json")) as f:
                median[full_id] = json.load(f)["median"]["point_estimate"]


def fmt(ns):
    return f"{ns / 1000:.2f} µs" if ns >= 1000 else f"{ns:.0f} ns"


def get(key):
    return median.get(key)


stages = [
    ("prefix + Base45 decode", "1_unwrap_prefix_base45/{alg}"),
    ("COSE_Sign1 parse", "2_cose_parse/{alg}"),
    ("COSE determinism re-encode", "3_cose_reencode_check/{alg}"),
    ("Sig_structure build", "4_sig_structure/{alg}"),
    ("claims decode", "5_claims_decode/{alg}"),
    ("signature, ring", "6_signature/ring/{alg}"),
    ("signature, RustCrypto", "6_signature/rustcrypto/{alg}"),
    ("`verify` end to end, ring", "7_verify_end_to_end/ring/{alg}"),
    ("`verify` end to end, RustCrypto", "7_verify_end_to_end/rustcrypto/{alg}"),
]
print("| stage (median) | ES256 | Ed25519 |")
print("| --- | ---: | ---: |")
for name, key in stages:
    cells = [get(key.format(alg=a)) for a in ("es256", "eddsa")]
    print(f"| {name} | " + " | ".join(fmt(c) if c else "–" for c in cells) + " |")
print()
print("| ratio | ES256 | Ed25519 | target |")
print("| --- | ---: | ---: | --- |")
for backend in ("ring", "rustcrypto"):
    cells = []
    for a in ("es256", "eddsa"):
        e2e, sig = get(f"7_verify_end_to_end/{backend}/{a}"), get(f"6_signature/{backend}/{a}")
        cells.append(f"{e2e / sig:.3f}" if e2e and sig else "–")
    print(f"| end to end / bare signature, {backend} | {cells[0]} | {cells[1]} | ≤ 1.10 |")

dgc, pora = get("dgc_compare/dgc_validate"), get("dgc_compare/pora_verify_es256_ring")
if dgc and pora:
    print()
    print("| dgc comparison (one run, ES256) | median |")
    print("| --- | ---: |")
    rows = [
        ("dgc_compare/pora_verify_es256_ring", "pora `verify` end to end (ring 0.17)"),
        ("dgc_compare/pora_signature_es256_ring017", "pora bare signature (ring 0.17)"),
        ("dgc_compare/dgc_validate", "dgc 0.0.7 `validate`, FR DCC_Test_0001 (ring 0.16)"),
        ("dgc_compare/dgc_signature_es256_ring016", "dgc bare signature (ring 0.16)"),
        ("dgc_compare/dgc_decode_only", "dgc 0.0.7 `decode` (no signature)"),
    ]
    for key, name in rows:
        if get(key):
            print(f"| {name} | {fmt(get(key))} |")
    print(f"| **dgc validate / pora verify** (target ≥ 1.3) | **{dgc / pora:.2f}x** |")
    psig = get("dgc_compare/pora_signature_es256_ring017")
    if psig:
        print(f"| dgc validate / pora bare signature (ceiling with zero pora overhead) | {dgc / psig:.2f}x |")
