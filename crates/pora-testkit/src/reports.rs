//! Named check-report vectors: a device's chain and what the centre must make of each report.
//!
//! `vectors/reports.json` holds the device keys (public, hex), the doc-hash key, and per case the
//! report (JSON form of `pora_core::report::CheckReport`, when it decodes), its COSE bytes (hex),
//! the chain head the centre holds before it arrives, and the expected answer: `ok` or the
//! `ReportError::code`, and the `Link`. The private device keys are fixture seeds
//! ([`device_key`]); regenerate with `cargo run -p pora-testkit --bin pora-vectors`.

use pora_core::cbor::Value;
use pora_core::cose::{AlgorithmLabel, CoseSign1, Header, ProtectedHeader};
use pora_core::crypto::Signer as _;
use pora_core::report::{self, doc_hash, Basis, ChainHead, CheckReport, Link, Position, Unsigned};
use pora_core::{hex, Algorithm};
use pora_crypto::SigningKey;
use serde::{Deserialize, Serialize};

use crate::now;

/// The office's doc-hash key of the fixture world.
pub const DOC_HASH_KEY: &[u8; 32] = b"pora fixture doc-hash key BKS 01";

/// A fixture device key: `"dev-es256"` (seed 31, ES256), `"dev-eddsa"` (seed 32, EdDSA) or
/// `"dev-other"` (seed 33, ES256, never enrolled).
pub fn device_key(name: &str) -> SigningKey {
    let (alg, seed) = match name {
        "dev-es256" => (Algorithm::ES256, 31),
        "dev-eddsa" => (Algorithm::EdDSA, 32),
        "dev-other" => (Algorithm::ES256, 33),
        other => panic!("no fixture device {other}"),
    };
    SigningKey::from_seed(alg, &[seed; 32]).expect("fixture seed")
}

/// An enrolled device as the centre knows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Device {
    /// Device id (as in reports).
    pub id: String,
    /// `ES256` or `EdDSA`.
    pub alg: String,
    /// Public key, hex (SEC1 uncompressed for P-256, raw for Ed25519).
    pub public_key: String,
}

/// The chain head the centre holds before a report arrives.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Head {
    /// Highest sequence number held.
    pub seq: u64,
    /// Its chain hash, hex.
    pub hash: String,
}

/// The expected answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportExpect {
    /// `ok`, or the `ReportError::code` of the refusal.
    pub verify: String,
    /// The chain placement (`genesis`, `next`, `gap 3..=4`, `broken`, `behind`, `missing_start ..=2`),
    /// when the report verifies.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub link: Option<String>,
}

/// One named case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportVector {
    /// Stable name.
    pub name: String,
    /// What it shows.
    pub description: String,
    /// The device whose key the report is checked against.
    pub device: String,
    /// The report, when the payload is a valid one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub report: Option<CheckReport>,
    /// The tagged COSE_Sign1, hex.
    pub cose: String,
    /// [`report::hash`] of the bytes, hex.
    pub hash: String,
    /// The head held before, if any.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub head: Option<Head>,
    /// Expected.
    pub expect: ReportExpect,
}

/// The whole file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportVectors {
    /// The office's doc-hash key, hex.
    pub doc_hash_key: String,
    /// Enrolled devices.
    pub devices: Vec<Device>,
    /// Cases.
    pub cases: Vec<ReportVector>,
}

/// How a [`Link`] is written in the vectors.
pub fn link_name(l: Link) -> String {
    match l {
        Link::Genesis => "genesis".into(),
        Link::Next => "next".into(),
        Link::Gap { from, to } => format!("gap {from}..={to}"),
        Link::Broken => "broken".into(),
        Link::Behind => "behind".into(),
        Link::MissingStart { to } => format!("missing_start ..={to}"),
    }
}

/// Parses a head from the vectors.
pub fn chain_head(h: &Head) -> ChainHead {
    ChainHead {
        seq: h.seq,
        hash: hex::decode(&h.hash)
            .and_then(|v| <[u8; 32]>::try_from(v.as_slice()).ok())
            .expect("head hash"),
    }
}

fn base(device: &str, seq: u64, prev: Option<[u8; 32]>) -> CheckReport {
    CheckReport {
        report_id: {
            let mut id = [0u8; 16];
            id[..device.len().min(8)].copy_from_slice(&device.as_bytes()[..device.len().min(8)]);
            id[8..].copy_from_slice(&seq.to_be_bytes());
            id
        },
        device: device.into(),
        officer: "petugas.dewi".into(),
        seq,
        prev,
        basis: Basis::Order("SP-BKS-2026-0117".into()),
        device_time: now() + 60 * seq as i64,
        gnss_time: Some(now() + 60 * seq as i64 - 1),
        position: Position::from_degrees(-6.2601, 107.1530, 6.0),
        outcome: "valid".into(),
        warnings: vec![],
        trust_list_version: 7,
        status_list_at: Some(now() - 3_600),
        doc_hash: doc_hash(DOC_HASH_KEY, "2C21BKS0001"),
        permit_number: None,
        note: None,
    }
}

fn sign(r: &CheckReport, key: &SigningKey) -> Vec<u8> {
    Unsigned::new(r, &key.public_key())
        .expect("valid fixture report")
        .sign(key)
        .expect("sign")
}

/// Signs an arbitrary payload as a device report (for the malformed cases and tests of them).
pub fn sign_payload(payload: Vec<u8>, key: &SigningKey) -> Vec<u8> {
    let mut msg = CoseSign1 {
        protected: ProtectedHeader::new(Header {
            alg: Some(AlgorithmLabel::Known(key.algorithm())),
            kid: Some(pora_core::trust::kid_of(&key.public_key())),
            ..Default::default()
        }),
        unprotected: Header::default(),
        payload: Some(payload),
        signature: vec![],
    };
    msg.signature = key.sign(&msg.tbs_data(&[])).expect("sign");
    msg.to_tagged_vec()
}

/// Builds the vector set (deterministic: RFC 6979 ECDSA and Ed25519).
pub fn generate() -> ReportVectors {
    let es = device_key("dev-es256");
    let ed = device_key("dev-eddsa");
    let other = device_key("dev-other");
    let mut cases = Vec::new();
    let mut push = |name: &str,
                    description: &str,
                    device: &str,
                    report: Option<CheckReport>,
                    bytes: &[u8],
                    head: Option<ChainHead>| {
        let key = device_key(device);
        let verified = report::verify(bytes, &key.public_key(), pora_crypto::default_provider());
        let expect = match &verified {
            Ok(r) => ReportExpect {
                verify: "ok".into(),
                link: Some(link_name(report::link(head, r))),
            },
            Err(e) => ReportExpect {
                verify: e.code().into(),
                link: None,
            },
        };
        cases.push(ReportVector {
            name: name.into(),
            description: description.into(),
            device: device.into(),
            report: report.filter(|_| verified.is_ok()),
            cose: hex::encode(bytes),
            hash: hex::encode(&report::hash(bytes)),
            head: head.map(|h| Head {
                seq: h.seq,
                hash: hex::encode(&h.hash),
            }),
            expect,
        });
    };
    let head = |seq: u64, bytes: &[u8]| ChainHead {
        seq,
        hash: report::hash(bytes),
    };

    let r0 = base("dev-es256", 0, None);
    let b0 = sign(&r0, &es);
    push(
        "chain-0-genesis",
        "The device's first report, under a written order, with a GNSS fix.",
        "dev-es256",
        Some(r0),
        &b0,
        None,
    );
    let mut r1 = base("dev-es256", 1, Some(report::hash(&b0)));
    r1.outcome = "expired".into();
    r1.note = Some("Pemegang izin tinggal sudah lewat masa berlaku; dibawa ke kantor.".into());
    let b1 = sign(&r1, &es);
    push("chain-1-next", "The second report follows the first (prev = hash of report 0); an expired permit with a note.", "dev-es256", Some(r1), &b1, Some(head(0, &b0)));
    let mut r2 = base("dev-es256", 2, Some(report::hash(&b1)));
    r2.basis = Basis::CaughtInAct;
    r2.position = None;
    r2.gnss_time = None;
    r2.outcome = "unknown_signer".into();
    r2.permit_number = Some("2C21BKS0002".into());
    r2.doc_hash = doc_hash(DOC_HASH_KEY, "2C21BKS0002");
    let b2 = sign(&r2, &es);
    push(
        "chain-2-caught-no-fix",
        "Caught in the act, no GNSS fix, the permit number in clear (a role that may see it).",
        "dev-es256",
        Some(r2),
        &b2,
        Some(head(1, &b1)),
    );
    let r5 = base("dev-es256", 5, Some([0x55; 32]));
    let b5 = sign(&r5, &es);
    push(
        "chain-gap",
        "Report 5 arrives while the centre holds report 2: reports 3 and 4 are missing.",
        "dev-es256",
        Some(r5),
        &b5,
        Some(head(2, &b2)),
    );
    let r3 = base("dev-es256", 3, Some(report::hash(&b1)));
    let b3 = sign(&r3, &es);
    push(
        "chain-fork",
        "Report 3 names report 1 as its previous one, not report 2: a fork or a replaced report.",
        "dev-es256",
        Some(r3),
        &b3,
        Some(head(2, &b2)),
    );
    push("chain-replay", "Report 1 sent again after report 2: behind the head (a duplicate when the bytes match the stored report 1).", "dev-es256", Some(base_clone(&b1)), &b1, Some(head(2, &b2)));
    let r9 = base("dev-es256", 9, Some([9; 32]));
    let b9 = sign(&r9, &es);
    push(
        "chain-missing-start",
        "The first report the centre sees from this device is number 9.",
        "dev-es256",
        Some(r9),
        &b9,
        None,
    );
    let e0 = base("dev-eddsa", 0, None);
    let eb0 = sign(&e0, &ed);
    push(
        "eddsa-genesis",
        "A device with an Ed25519 key.",
        "dev-eddsa",
        Some(e0),
        &eb0,
        None,
    );

    let mut flipped = b1.clone();
    let last = flipped.len() - 1;
    flipped[last] ^= 0x01;
    push(
        "bad-signature",
        "Report 1 with one bit of its signature flipped.",
        "dev-es256",
        None,
        &flipped,
        Some(head(0, &b0)),
    );
    let mut altered = base_clone(&b1);
    altered.outcome = "valid".into();
    let mut forged = CoseSign1::from_tagged_slice(&b1).expect("b1");
    forged.payload = Some(altered.to_cbor().expect("cbor"));
    push(
        "altered-outcome",
        "Report 1 with its outcome changed to valid after signing.",
        "dev-es256",
        None,
        &forged.to_tagged_vec(),
        Some(head(0, &b0)),
    );
    let ob = sign(&base("dev-es256", 0, None), &other);
    push(
        "other-device-key",
        "A report naming dev-es256 but signed by a key that was never enrolled.",
        "dev-es256",
        None,
        &ob,
        None,
    );
    let mut m = match Value::from_slice(&base("dev-es256", 0, None).to_cbor().expect("cbor")) {
        Ok(Value::Map(m)) => m,
        _ => unreachable!("a report is a map"),
    };
    m.push((Value::Integer(40), Value::Text("extra".into())));
    push(
        "unknown-key",
        "A payload with key 40, which version 1 does not define.",
        "dev-es256",
        None,
        &sign_payload(Value::Map(m).to_vec(), &es),
        None,
    );
    let mut nd = base("dev-es256", 0, None).to_cbor().expect("cbor");
    nd.splice(2..3, [0x18, 0x01]);
    push(
        "not-deterministic",
        "The version written as a two-byte integer: not the deterministic encoding.",
        "dev-es256",
        None,
        &sign_payload(nd, &es),
        None,
    );

    ReportVectors {
        doc_hash_key: hex::encode(DOC_HASH_KEY),
        devices: ["dev-es256", "dev-eddsa"]
            .into_iter()
            .map(|d| {
                let k = device_key(d).public_key();
                Device {
                    id: d.into(),
                    alg: k.algorithm().name().into(),
                    public_key: hex::encode(k.as_bytes()),
                }
            })
            .collect(),
        cases,
    }
}

fn base_clone(bytes: &[u8]) -> CheckReport {
    report::parse(bytes).expect("fixture").report
}

/// Loads `vectors/reports.json`.
pub fn load() -> ReportVectors {
    let p = crate::vectors::dir().join("reports.json");
    serde_json::from_str(
        &std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("read {}: {e}", p.display())),
    )
    .expect("reports.json")
}
