//! pora `verify` (ES256, ring) against `dgc::validate` (EU DCC, ES256, ring 0.16), side by side.
//!
//! The dgc input is its own test certificate (eu-digital-green-certificates/dgc-testdata
//! `FR/2DCode/raw/DCC_Test_0001.json`, the one in dgc's README and `examples/validate-signature.rs`),
//! with a trust list holding the key of its signing certificate. dgc checks prefix, Base45, zlib,
//! COSE, CBOR and the signature, no validity period; pora's `verify` does all its checks.

use std::hint::black_box;
use std::time::Duration;

use criterion::measurement::Measurement;
use criterion::Criterion;
use pora_core::crypto::{CryptoProvider as _, Signer as _};
use pora_core::{verify, Outcome};
use pora_crypto::RingProvider;
use pora_testkit::World;

#[path = "../common/cpu_clock.rs"]
mod cpu_clock;

/// dgc's test certificate (FR DCC_Test_0001).
const DGC_HC1: &str = "HC1:NCF:603A0T9WTWGSLKC 4K694WJN.0J$6C-7WAB0XK3JCSGA2F3R8PP4V2F35VPP.EY50.FK8ZKO/EZKEZ96LF6/A6..DV%DZJC0/D5UA QELPCG/DYUCHY83UAGVC*JCNF6F463W5KF6VF6IECSHG4KCD3DX47B46IL6646H*6MWEWJDA6A:961A6Q47EM6B$DFOC0R63KCZPCNF6OF63W5$Q6+96/SA5R6NF61G73564KC*KETF6A46.96646B565WEC.D1$CKWEDZC6VCS446$C4WEUPC3JCUIA+ED$.EF$DMWE8$CBJEMVCB445$CBWER.CGPC4WEOPCE8FHZA1+9LZAZM81G72A62+8OG7J09U47AB8V59T%6ZHBO57X48RUIY03XQOK*FZUNM UFY4D5C S3R9UW-2R*4KZJT5M MIM:03RMZNA LKTO34PA.H51966PS0KAP-KLPH.Q6$KSTJ0-G658RL5HR1";

/// The X.509 signing certificate of `DGC_HC1`, base64 DER.
const DGC_SIGNER_CERT: &str = "MIIDujCCAaKgAwIBAgIIKUgZWBL1pnMwDQYJKoZIhvcNAQELBQAwZjELMAkGA1UEBhMCRlIxHTAbBgNVBAoTFElNUFJJTUVSSUUgTkFUSU9OQUxFMR4wHAYDVQQLExVGT1IgVEVTVCBQVVJQT1NFIE9OTFkxGDAWBgNVBAMTD0lOR1JPVVBFIERTYyBDQTAeFw0yMTA2MDIxMjE0MDBaFw0yMTA5MDIxMjE0MDBaMEAxCzAJBgNVBAYTAkZSMREwDwYDVQQKDAhDRVJUSUdOQTEeMBwGA1UEAwwVQ0VSVElHTkEgLSBURVNUIERHQyAxMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAETdygPqv/l6tWFqHFEIEZxfdhtbrBpDgVjmUN4CKOu/EQFwkVVQ/4N0BamwtI0hSnSZP72byk6XqpMErYWRTCbKNdMFswCQYDVR0TBAIwADAdBgNVHQ4EFgQUUjXs7mCY2ZgROQSsw1CN0qM4Zj8wHwYDVR0jBBgwFoAUYLoYTllzE2jOy3VMAuU4OJjOingwDgYDVR0PAQH/BAQDAgeAMA0GCSqGSIb3DQEBCwUAA4ICAQAvxuSBWNOrk+FRIbU42tnwZBllUeNH7cWcrYHV0O+1k3RbpvYa0YE2J0du301/a+0+pqlatR8o8Coe/NFt4/KSu+To+i8uZXiHJn2XrAZgwPqqTvsMUVwFPWhwJpLMCejmU0A8JEhXH7s0BN6orqIH0JKLpl0/MdVviIUksnxPnP2wdCtz6dL5zKhi+Qt8BFr55PL1dvuWxnuFOsKr89MqaexQVe/WvKhG5GXBaJFDbp4USVX9Z8vwp4SfEs5nh0ti0M2fyGrpfPvWWFra/qoRGAUJEPHHPMqZT45c1rXo12+cpme2CYM4rsliQsaqdH462p7YNNI5reBC+WHhzGr9FGq9yZ1gu/yhz1cJxNwE5gsBTWnJmSnRE75lYj1a/GAb+9wfABd1Vx68Fnww3Ngp8lG2T1vEWhwQusj/OmloVbqjJiCi6PcZ1/OSTbx58Zv9ySwDd3QGxPygfMy87FuhT6iWlPv57qTMrgtEjq89J8v3WnReAhp12ru5ehN2Zv0ZkO1Of0H3yxNBsvfHUgpgwsRn4zjLVbkU+a3hr4famOThmB1X0tuikY0mbNtVejPGS0qCgeLgj8ILlUrRtsW4R6WzZdIsz7H9AYnpyZbdMPsa856xBR9s0+AzguJI9kkJxvVcpR//GiXMhs0EdgWj2rouOEPZiFNdWpVRrxv/kw==";

fn compare<M: Measurement>(c: &mut Criterion<M>) {
    let world = World::new();
    let ctx = world.context(pora_testkit::now());
    let key = &world.signer("bks-es256").key;
    let prepared = pora_core::Prepared::new_unchecked(&pora_testkit::itas(), &key.public_key())
        .expect("fixture permit encodes");
    let qr = prepared.sign(key).expect("fixture signs");
    assert_eq!(
        verify(&qr, &ctx, &RingProvider).outcome,
        Outcome::Valid,
        "pora fixture must be valid"
    );

    let mut trust = dgc::TrustList::default();
    trust
        .add_key_from_certificate(DGC_SIGNER_CERT)
        .expect("dgc signer certificate");
    let (_, validity) = dgc::validate(DGC_HC1, &trust).expect("dgc fixture parses");
    assert!(
        validity.is_valid(),
        "dgc fixture signature must verify: {validity}"
    );

    // The bare signature checks, each with the ring its verifier uses.
    let msg = pora_core::cose::CoseSign1::from_tagged_slice(
        &pora_core::text::unwrap(&qr).expect("own text"),
    )
    .expect("own COSE");
    let (pora_tbs, pora_key) = (msg.tbs_data(&[]), key.public_key());
    let cwt = dgc::decode_cwt(DGC_HC1).expect("dgc fixture decodes");
    let dgc_tbs = cwt.make_sig_structure();
    let dgc_key = trust
        .get_key(cwt.header.kid.as_deref().expect("dgc kid"))
        .expect("dgc key in trust list");
    let dgc_verify = || {
        ring016::signature::UnparsedPublicKey::new(
            &ring016::signature::ECDSA_P256_SHA256_FIXED,
            dgc_key,
        )
        .verify(black_box(&dgc_tbs), black_box(&cwt.signature))
    };
    assert!(dgc_verify().is_ok(), "dgc bare signature must verify");

    let mut g = c.benchmark_group("dgc_compare");
    g.bench_function("pora_signature_es256_ring017", |b| {
        b.iter(|| {
            RingProvider.verify(
                black_box(&pora_key),
                black_box(&pora_tbs),
                black_box(&msg.signature),
            )
        })
    });
    g.bench_function("dgc_signature_es256_ring016", |b| b.iter(dgc_verify));
    g.bench_function("pora_verify_es256_ring", |b| {
        b.iter(|| verify(black_box(&qr), &ctx, &RingProvider))
    });
    g.bench_function("dgc_validate", |b| {
        b.iter(|| dgc::validate(black_box(DGC_HC1), &trust))
    });
    g.bench_function("dgc_decode_only", |b| {
        b.iter(|| dgc::decode(black_box(DGC_HC1)))
    });
    g.finish();
}

fn config<M: Measurement>(c: Criterion<M>) -> Criterion<M> {
    c.sample_size(50)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args()
}

fn main() {
    if cpu_clock::wall_clock_requested() {
        let mut c = config(Criterion::default());
        compare(&mut c);
        c.final_summary();
    } else {
        let mut c = config(Criterion::default().with_measurement(cpu_clock::ThreadCpu));
        compare(&mut c);
        c.final_summary();
    }
}
