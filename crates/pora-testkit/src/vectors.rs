//! The named vector set: one or more cases per verification outcome, each written out layer by layer.
//!
//! `vectors/context.json` holds the trust world (root public key, signed trust list and status
//! lists, hex); `vectors/vectors.json` holds the cases; `vectors/png/NAME.png` the QR code of each
//! text. Regenerate with `cargo run -p pora-testkit --bin pora-vectors`.

use std::path::{Path, PathBuf};

use pora_core::cbor::Value;
use pora_core::cose::{AlgorithmLabel, CoseSign1};
use pora_core::crypto::Signer as _;
use pora_core::{base45, hex, text, Permit, Prepared};
use serde::{Deserialize, Serialize};

use crate::{itap, itas, now, wib, World, REVOKED_INDEX, SUSPENDED_INDEX};

/// The trust world as files.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContextFile {
    /// Root public key algorithm.
    pub root_alg: String,
    /// Root public key, hex.
    pub root_public_key: String,
    /// Signed trust list, hex.
    pub trust_list: String,
    /// Signed status lists, hex.
    pub status_lists: Vec<String>,
}

/// What each layer holds, hex (absent when the case fails before that layer).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Layers {
    /// The permit as JSON (the issuer's input), when there is one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub permit: Option<serde_json::Value>,
    /// Claims CBOR, hex.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub claims_cbor: Option<String>,
    /// Tagged COSE_Sign1, hex.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub cose: Option<String>,
    /// Base45 of the COSE bytes.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub base45: Option<String>,
    /// The QR text.
    pub qr_text: String,
    /// File name of the QR PNG under `png/`.
    pub qr_png: String,
}

/// The expected verification result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expect {
    /// Outcome code.
    pub code: String,
    /// Warning codes.
    pub warnings: Vec<String>,
    /// For `malformed`: the layer.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub layer: Option<String>,
    /// Outcome details (days, missing fields, reason), as shown by `pora verify --json`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub detail: Option<String>,
}

/// One named case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vector {
    /// Stable name.
    pub name: String,
    /// What it shows.
    pub description: String,
    /// When to verify it, Unix seconds.
    pub now: i64,
    /// The layers.
    pub layers: Layers,
    /// The expected outcome.
    pub expect: Expect,
}

/// Where the checked-in vectors live.
pub fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("vectors")
}

/// Loads the checked-in vectors.
pub fn load() -> (ContextFile, Vec<Vector>) {
    let read = |n: &str| {
        std::fs::read_to_string(dir().join(n)).unwrap_or_else(|e| panic!("read {n}: {e}"))
    };
    (
        serde_json::from_str(&read("context.json")).expect("context.json"),
        serde_json::from_str(&read("vectors.json")).expect("vectors.json"),
    )
}

/// Summarises an outcome the way vectors record it: (code, layer, detail).
pub fn summarize(o: &pora_core::Outcome) -> (String, Option<String>, Option<String>) {
    use pora_core::Outcome as O;
    let detail = match o {
        O::NotYetValid { days_until, .. } => Some(format!("days_until={days_until}")),
        O::Expired {
            days_ago,
            overstay_charge_idr,
            ..
        } => Some(format!("days_ago={days_ago} charge={overstay_charge_idr}")),
        O::SignerNotAllowed(r) => Some(r.name().to_string()),
        O::BadSignature(p) => Some(format!("{p:?}")),
        O::Incomplete { missing } => Some(
            missing
                .iter()
                .map(|f| f.name())
                .collect::<Vec<_>>()
                .join(","),
        ),
        _ => None,
    };
    let layer = match o {
        O::Malformed { layer, .. } => Some(layer.name().to_string()),
        _ => None,
    };
    (o.code().to_string(), layer, detail)
}

fn sign_unchecked(p: &Permit, key: &pora_crypto::SigningKey) -> String {
    let prepared = Prepared::new_unchecked(p, &key.public_key()).expect("fixture permit encodes");
    prepared.sign(key).expect("sign")
}

fn cose_of(qr: &str) -> Vec<u8> {
    text::unwrap(qr).expect("own text")
}

/// Re-signs a COSE message after `edit` changed it.
fn resign(qr: &str, key: &pora_crypto::SigningKey, edit: impl FnOnce(&mut CoseSign1)) -> String {
    let mut msg = CoseSign1::from_tagged_slice(&cose_of(qr)).expect("own COSE");
    edit(&mut msg);
    msg.signature = key.sign(&msg.tbs_data(&[])).expect("sign");
    text::wrap(&msg.to_tagged_vec())
}

/// Changes a COSE message without re-signing.
fn tamper(qr: &str, edit: impl FnOnce(&mut CoseSign1)) -> String {
    let mut msg = CoseSign1::from_tagged_slice(&cose_of(qr)).expect("own COSE");
    edit(&mut msg);
    text::wrap(&msg.to_tagged_vec())
}

/// Builds every case from the world (deterministic).
pub fn generate(w: &World) -> (ContextFile, Vec<(Vector, Option<Permit>)>) {
    let es = &w.signer("bks-es256").key;
    let ed = &w.signer("bks-eddsa").key;
    let t0 = now();
    let mut cases: Vec<(&str, &str, i64, Option<Permit>, String)> = Vec::new();
    let mut add =
        |name: &'static str, desc: &'static str, at: i64, p: Option<Permit>, qr: String| {
            cases.push((name, desc, at, p, qr))
        };

    let v = itas();
    add(
        "valid-itas-es256",
        "complete ITAS, 40-character name, ES256, in force",
        t0,
        Some(v.clone()),
        sign_unchecked(&v, es),
    );
    let v = itap();
    add(
        "valid-itap-eddsa",
        "complete ITAP signed with Ed25519",
        t0,
        Some(v.clone()),
        sign_unchecked(&v, ed),
    );
    let mut v = itas();
    v.valid_until = pora_core::Date::parse("2026-12-04").expect("date");
    v.status_index = Some(20);
    add(
        "valid-expiring-in-10-days",
        "valid, with the expires_soon warning (10 days)",
        t0,
        Some(v.clone()),
        sign_unchecked(&v, es),
    );
    let mut v = itas();
    v.valid_until = pora_core::Date::parse("2026-11-24").expect("date");
    v.status_index = Some(21);
    add(
        "valid-last-second",
        "valid at 23:59:59 WIB on its valid-until date (expires today)",
        wib("2026-11-24", 23, 59) + 59,
        Some(v.clone()),
        sign_unchecked(&v, es),
    );
    add(
        "expired-first-second",
        "expired at 00:00:00 WIB the day after valid-until: 1 day ago",
        wib("2026-11-25", 0, 0),
        Some(v.clone()),
        sign_unchecked(&v, es),
    );
    let mut v = itas();
    v.valid_from = pora_core::Date::parse("2025-01-15").expect("date");
    v.valid_until = pora_core::Date::parse("2026-10-25").expect("date");
    v.issued_at = wib("2025-01-15", 9, 0);
    add(
        "expired-30-days",
        "expired 30 days ago: overstay charge Rp30,000,000",
        t0,
        Some(v.clone()),
        sign_unchecked(&v, es),
    );
    let mut v = itas();
    v.valid_from = pora_core::Date::parse("2026-12-01").expect("date");
    v.valid_until = pora_core::Date::parse("2027-11-30").expect("date");
    add(
        "not-yet-valid",
        "validity starts in 7 days",
        t0,
        Some(v.clone()),
        sign_unchecked(&v, es),
    );
    let mut v = itas();
    v.status_index = Some(REVOKED_INDEX);
    add(
        "revoked",
        "revoked in the BKS status list",
        t0,
        Some(v.clone()),
        sign_unchecked(&v, es),
    );
    let mut v = itas();
    v.status_index = Some(SUSPENDED_INDEX);
    add(
        "suspended",
        "suspended in the BKS status list",
        t0,
        Some(v.clone()),
        sign_unchecked(&v, es),
    );
    let mut v = itas();
    v.sponsor_id = None;
    v.passport_number = None;
    add(
        "incomplete-itas",
        "ITAS without sponsor and passport number",
        t0,
        Some(v.clone()),
        sign_unchecked(&v, es),
    );
    let v = itas();
    add(
        "unknown-signer",
        "signed by a key that is not in the trust list",
        t0,
        Some(v.clone()),
        sign_unchecked(&v, &w.signer("unknown").key),
    );
    let good = sign_unchecked(&itas(), es);
    let flipped = tamper(&good, |m| m.signature[20] ^= 0x01);
    add(
        "bad-signature-flipped-bit",
        "one bit of the signature flipped",
        t0,
        None,
        flipped,
    );
    let edited = tamper(&good, |m| {
        let mut p = Permit::from_claims(m.payload.as_deref().expect("payload"))
            .expect("claims")
            .permit;
        p.valid_until = pora_core::Date::parse("2030-01-14").expect("date");
        m.payload = Some(p.to_claims().expect("claims"));
    });
    add(
        "bad-signature-edited-claims",
        "valid-until edited after signing",
        t0,
        None,
        edited,
    );
    let swapped = tamper(&good, |m| {
        m.protected.header.alg = Some(AlgorithmLabel::Known(pora_core::Algorithm::EdDSA));
        m.protected = pora_core::cose::ProtectedHeader::new(m.protected.header.clone());
    });
    add(
        "bad-signature-alg-swapped",
        "alg header changed from ES256 to EdDSA",
        t0,
        None,
        swapped,
    );
    let v = itas();
    let mut other = v.clone();
    other.office = "BKS".into();
    add(
        "signer-other-office",
        "a BKS permit signed by the JKT signer",
        t0,
        Some(other.clone()),
        sign_unchecked(&other, &w.signer("jkt-es256").key),
    );
    add(
        "signer-permit-type",
        "an ITAS signed by a signer certified for ITAP only",
        t0,
        Some(v.clone()),
        sign_unchecked(&v, &w.signer("bks-itap-only").key),
    );
    add(
        "signer-outside-usage",
        "signed in 2026 by a key whose usage ended in 2021",
        t0,
        Some(v.clone()),
        sign_unchecked(&v, &w.signer("bks-retired").key),
    );
    let mut old = itas();
    old.issued_at = wib("2024-05-02", 10, 0);
    add(
        "signer-lapsed",
        "signer validity ended 2024-12-31",
        t0,
        Some(old.clone()),
        sign_unchecked(&old, &w.signer("bks-lapsed").key),
    );
    let v = itas();
    add(
        "trust-list-stale",
        "checked 8 days past the trust list's next-update (grace 7 days)",
        wib("2026-12-09", 0, 0),
        Some(v.clone()),
        sign_unchecked(&v, es),
    );
    add(
        "trust-list-warning",
        "checked half a day past next-update: valid, with a warning",
        wib("2026-12-01", 12, 0),
        Some(v.clone()),
        sign_unchecked(&v, es),
    );
    add(
        "status-list-stale",
        "status list expired 2026-12-02, grace 2 days, checked 2026-12-05",
        wib("2026-12-05", 0, 0),
        Some(v.clone()),
        sign_unchecked(&v, es),
    );
    let crit = resign(&good, es, |m| {
        let mut c = Value::from_slice(m.payload.as_deref().expect("payload")).expect("cbor");
        if let Value::Map(entries) = &mut c {
            for (k, v) in entries.iter_mut() {
                if *k == Value::Integer(pora_core::permit::CLAIM_PERMIT) {
                    if let Value::Map(r) = v {
                        r.push((Value::Integer(-1), Value::Integer(0)));
                    }
                }
            }
        }
        m.payload = Some(c.to_vec());
    });
    add(
        "malformed-claims-critical-key",
        "signed record carrying an unknown critical (negative) key",
        t0,
        None,
        crit,
    );
    let extra = resign(&good, es, |m| {
        let mut c = Value::from_slice(m.payload.as_deref().expect("payload")).expect("cbor");
        if let Value::Map(entries) = &mut c {
            for (k, v) in entries.iter_mut() {
                if *k == Value::Integer(pora_core::permit::CLAIM_PERMIT) {
                    if let Value::Map(r) = v {
                        r.push((Value::Integer(99), Value::Text("future".into())));
                    }
                }
            }
        }
        m.payload = Some(c.to_vec());
    });
    add(
        "valid-unknown-field-ignored",
        "unknown non-negative record key 99: ignored, with a warning",
        t0,
        None,
        extra,
    );
    let body = &good[text::PREFIX.len()..];
    add(
        "malformed-prefix-version",
        "a future version prefix PR9:",
        t0,
        None,
        format!("PR9:{body}"),
    );
    add(
        "malformed-base45",
        "a character outside the Base45 alphabet",
        t0,
        None,
        format!("PR1:{}a{}", &body[..30], &body[31..]),
    );
    add(
        "malformed-cose-untagged",
        "COSE_Sign1 without tag 18",
        t0,
        None,
        text::wrap(&cose_of(&good)[1..]),
    );
    add(
        "not-our-format-url",
        "a web address",
        t0,
        None,
        "HTTPS://EXAMPLE.INVALID/PERMIT/123".into(),
    );
    add(
        "not-our-format-hc1",
        "an EU digital COVID certificate prefix",
        t0,
        None,
        "HC1:NCFOXN%TS3DH3ZSUZK+.V0ETD%65NL-AH".into(),
    );

    let ctx = w.context(0);
    let vectors = cases
        .into_iter()
        .map(|(name, desc, at, permit, qr)| {
            let mut c = ctx;
            c.now = at;
            let verdict = pora_core::verify(&qr, &c, pora_crypto::default_provider());
            let (code, layer, detail) = summarize(&verdict.outcome);
            let cose = text::unwrap(&qr).ok();
            let claims = cose
                .as_ref()
                .and_then(|b| CoseSign1::from_slice(b).ok())
                .and_then(|m| m.payload);
            let layers = Layers {
                permit: permit
                    .as_ref()
                    .map(|p| serde_json::to_value(p).expect("permit json")),
                claims_cbor: claims.map(|c| hex::encode(&c)),
                base45: cose.as_ref().map(|b| base45::encode(b)),
                cose: cose.map(|b| hex::encode(&b)),
                qr_text: qr,
                qr_png: format!("{name}.png"),
            };
            let expect = Expect {
                code,
                warnings: verdict
                    .warnings
                    .iter()
                    .map(|w| w.code().to_string())
                    .collect(),
                layer,
                detail,
            };
            (
                Vector {
                    name: name.into(),
                    description: desc.into(),
                    now: at,
                    layers,
                    expect,
                },
                permit,
            )
        })
        .collect();
    let root = w.root.public_key();
    let context = ContextFile {
        root_alg: root.algorithm().name().into(),
        root_public_key: hex::encode(root.as_bytes()),
        trust_list: hex::encode(&w.trust_bytes),
        status_lists: w.status_bytes.iter().map(|b| hex::encode(b)).collect(),
    };
    (context, vectors)
}

/// Renders a QR text as a PNG (level M, smallest version, 4 px a module, 4-module quiet zone).
pub fn qr_png(text: &str) -> Vec<u8> {
    let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)
        .expect("fits a QR code");
    let img = code
        .render::<image::Luma<u8>>()
        .module_dimensions(4, 4)
        .quiet_zone(true)
        .build();
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .expect("png");
    out.into_inner()
}
