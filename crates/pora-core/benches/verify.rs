//! The "QR text → verdict" path, stage by stage, for ES256 and Ed25519 side by side in one run.
//!
//! Stages: prefix + Base45 decode, COSE_Sign1 parse (and the determinism re-encode `verify` does),
//! Sig_structure build, claims decode, the bare signature check (ring, and RustCrypto as on wasm32),
//! and `pora_core::verify` end to end with each backend. The permit is the testkit's ITAS signed by
//! `bks-es256` / `bks-eddsa`, checked in `World::new()` at `pora_testkit::now()`.
//!
//! Times are the benchmark thread's CPU time (see `common/cpu_clock.rs`; `PORA_BENCH_CLOCK=wall` for
//! wall time). Run: `cargo bench -p pora-core --bench verify`, then
//! `python3 crates/pora-core/benches/summarize.py` for medians and ratios (docs/CORE-BENCH.md).

use std::hint::black_box;
use std::time::Duration;

use criterion::measurement::Measurement;
use criterion::{BenchmarkId, Criterion};
use pora_core::cose::CoseSign1;
use pora_core::crypto::{CryptoProvider, PublicKey, Signer as _};
use pora_core::{text, verify, Outcome, Permit};
use pora_crypto::{RingProvider, RustCryptoProvider};
use pora_testkit::World;

#[path = "common/cpu_clock.rs"]
mod cpu_clock;

/// One algorithm's fixture: the QR text and every intermediate layer.
struct Case {
    alg: &'static str,
    qr: String,
    cose: Vec<u8>,
    payload: Vec<u8>,
    tbs: Vec<u8>,
    signature: Vec<u8>,
    key: PublicKey,
}

fn case(world: &World, alg: &'static str, signer: &str) -> Case {
    let key = &world.signer(signer).key;
    let prepared = pora_core::Prepared::new_unchecked(&pora_testkit::itas(), &key.public_key())
        .expect("fixture permit encodes");
    let qr = prepared.sign(key).expect("fixture signs");
    let cose = text::unwrap(&qr).expect("own text unwraps");
    let msg = CoseSign1::from_tagged_slice(&cose).expect("own COSE parses");
    let ctx = world.context(pora_testkit::now());
    assert_eq!(
        verify(&qr, &ctx, &RingProvider).outcome,
        Outcome::Valid,
        "{alg} fixture must verify as valid"
    );
    assert_eq!(
        verify(&qr, &ctx, &RustCryptoProvider).outcome,
        Outcome::Valid,
        "{alg} fixture (RustCrypto)"
    );
    Case {
        alg,
        tbs: msg.tbs_data(&[]),
        payload: msg.payload.clone().expect("attached payload"),
        signature: msg.signature,
        key: key.public_key(),
        qr,
        cose,
    }
}

fn config<M: Measurement>(c: Criterion<M>) -> Criterion<M> {
    c.sample_size(50)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args()
}

fn stages<M: Measurement>(c: &mut Criterion<M>) {
    let world = World::new();
    let ctx = world.context(pora_testkit::now());
    let cases = [
        case(&world, "es256", "bks-es256"),
        case(&world, "eddsa", "bks-eddsa"),
    ];

    let mut g = c.benchmark_group("1_unwrap_prefix_base45");
    for k in &cases {
        g.bench_with_input(BenchmarkId::from_parameter(k.alg), &k.qr, |b, qr| {
            b.iter(|| text::unwrap(black_box(qr)))
        });
    }
    g.finish();

    let mut g = c.benchmark_group("2_cose_parse");
    for k in &cases {
        g.bench_with_input(BenchmarkId::from_parameter(k.alg), &k.cose, |b, cose| {
            b.iter(|| CoseSign1::from_tagged_slice(black_box(cose)))
        });
    }
    g.finish();

    // `verify` re-encodes the parsed message to reject non-deterministic encodings.
    let mut g = c.benchmark_group("3_cose_reencode_check");
    for k in &cases {
        let msg = CoseSign1::from_tagged_slice(&k.cose).expect("own COSE parses");
        g.bench_with_input(BenchmarkId::from_parameter(k.alg), &k.cose, |b, cose| {
            b.iter(|| black_box(&msg).to_tagged_vec() == *cose)
        });
    }
    g.finish();

    let mut g = c.benchmark_group("4_sig_structure");
    for k in &cases {
        let msg = CoseSign1::from_tagged_slice(&k.cose).expect("own COSE parses");
        g.bench_function(BenchmarkId::from_parameter(k.alg), |b| {
            b.iter(|| black_box(&msg).tbs_data(&[]))
        });
    }
    g.finish();

    let mut g = c.benchmark_group("5_claims_decode");
    for k in &cases {
        g.bench_with_input(BenchmarkId::from_parameter(k.alg), &k.payload, |b, p| {
            b.iter(|| Permit::from_claims(black_box(p)))
        });
    }
    g.finish();

    let providers: [(&str, &dyn CryptoProvider); 2] =
        [("ring", &RingProvider), ("rustcrypto", &RustCryptoProvider)];
    let mut g = c.benchmark_group("6_signature");
    for (backend, provider) in providers {
        for k in &cases {
            g.bench_function(BenchmarkId::new(backend, k.alg), |b| {
                b.iter(|| {
                    provider.verify(
                        black_box(&k.key),
                        black_box(&k.tbs),
                        black_box(&k.signature),
                    )
                })
            });
        }
    }
    g.finish();

    let mut g = c.benchmark_group("7_verify_end_to_end");
    for (backend, provider) in providers {
        for k in &cases {
            g.bench_function(BenchmarkId::new(backend, k.alg), |b| {
                b.iter(|| verify(black_box(&k.qr), &ctx, provider))
            });
        }
    }
    g.finish();
}

fn main() {
    if cpu_clock::wall_clock_requested() {
        let mut c = config(Criterion::default());
        stages(&mut c);
        c.final_summary();
    } else {
        let mut c = config(Criterion::default().with_measurement(cpu_clock::ThreadCpu));
        stages(&mut c);
        c.final_summary();
    }
}
