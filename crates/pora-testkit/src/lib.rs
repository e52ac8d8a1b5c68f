//! pora's test kit: fixed keys, a fixed trust world, permit builders and the named vector set.
//!
//! Everything here is deterministic: keys come from fixed seeds, ECDSA signatures are RFC 6979
//! deterministic, so `pora-vectors` regenerates the checked-in `vectors/` byte for byte (a test
//! checks this). The vector files are plain JSON and PNG so the CLI, wasm and browser tests read
//! the very same cases.
#![forbid(unsafe_code)]

use pora_core::crypto::Signer as _;
use pora_core::status_list::{StatusList, StatusListToken};
use pora_core::trust::{SignerRecord, TrustList};
use pora_core::{Algorithm, Date, Permit, PermitType, Sex};
use pora_crypto::SigningKey;

pub mod reports;
pub mod vectors;

/// Unix seconds of a date at a WIB wall-clock time.
pub fn wib(date: &str, hour: i64, minute: i64) -> i64 {
    // Fixture dates are literals; a typo is a bug in the test kit itself.
    let d = Date::parse(date).expect("fixture date");
    d.start_in(pora_core::date::WIB) + hour * 3600 + minute * 60
}

/// The moment most vectors are checked at: 2026-11-24 10:00 WIB.
pub fn now() -> i64 {
    wib("2026-11-24", 10, 0)
}

/// A named signer of the fixed world.
#[derive(Debug)]
pub struct NamedSigner {
    /// Stable name used by vectors.
    pub name: &'static str,
    /// Private key.
    pub key: SigningKey,
    /// Certified record (None for the unknown key).
    pub record: Option<SignerRecord>,
}

/// The fixed trust world: a root, office signers with various rights, trust and status lists.
#[derive(Debug)]
pub struct World {
    /// The national root.
    pub root: SigningKey,
    /// Signers, by name.
    pub signers: Vec<NamedSigner>,
    /// The trust list (version 7, issued 2026-11-01, next update 2026-12-01).
    pub trust: TrustList,
    /// Signed trust list bytes.
    pub trust_bytes: Vec<u8>,
    /// Status lists (BKS and JKT), signed bytes.
    pub status_bytes: Vec<Vec<u8>>,
    /// Status lists, decoded.
    pub status: Vec<StatusListToken>,
}

/// A fixture signer: name, algorithm, seed, office, permit types, usage period, validity period.
type SignerDef = (
    &'static str,
    Algorithm,
    u8,
    &'static str,
    Vec<PermitType>,
    (i64, i64),
    (i64, i64),
);

/// Status index revoked in the BKS list.
pub const REVOKED_INDEX: u64 = 3;
/// Status index suspended in the BKS list.
pub const SUSPENDED_INDEX: u64 = 4;

fn key(alg: Algorithm, seed: u8) -> SigningKey {
    // Seeds 1..=16 are valid P-256 scalars and Ed25519 seeds.
    SigningKey::from_seed(alg, &[seed; 32]).expect("fixture seed")
}

impl World {
    /// Builds the world (deterministic).
    pub fn new() -> Self {
        let root = key(Algorithm::ES256, 1);
        let both = vec![PermitType::Itas, PermitType::Itap];
        let span = |a: &str, b: &str| (wib(a, 0, 0), wib(b, 0, 0));
        let defs: Vec<SignerDef> = vec![
            (
                "bks-es256",
                Algorithm::ES256,
                2,
                "BKS",
                both.clone(),
                span("2025-01-01", "2028-12-31"),
                span("2025-01-01", "2038-12-31"),
            ),
            (
                "bks-eddsa",
                Algorithm::EdDSA,
                3,
                "BKS",
                both.clone(),
                span("2025-01-01", "2028-12-31"),
                span("2025-01-01", "2038-12-31"),
            ),
            (
                "jkt-es256",
                Algorithm::ES256,
                4,
                "JKT",
                both.clone(),
                span("2025-01-01", "2028-12-31"),
                span("2025-01-01", "2038-12-31"),
            ),
            (
                "bks-itap-only",
                Algorithm::ES256,
                6,
                "BKS",
                vec![PermitType::Itap],
                span("2025-01-01", "2028-12-31"),
                span("2025-01-01", "2038-12-31"),
            ),
            (
                "bks-retired",
                Algorithm::ES256,
                7,
                "BKS",
                both.clone(),
                span("2020-01-01", "2021-12-31"),
                span("2020-01-01", "2031-12-31"),
            ),
            (
                "bks-lapsed",
                Algorithm::ES256,
                8,
                "BKS",
                both.clone(),
                span("2019-01-01", "2024-06-30"),
                span("2019-01-01", "2024-12-31"),
            ),
        ];
        let mut signers: Vec<NamedSigner> = defs
            .into_iter()
            .map(|(name, alg, seed, office, types, usage, validity)| {
                let k = key(alg, seed);
                let record = SignerRecord::new(office, k.public_key(), types, usage, validity)
                    .expect("fixture signer");
                NamedSigner {
                    name,
                    key: k,
                    record: Some(record),
                }
            })
            .collect();
        signers.push(NamedSigner {
            name: "unknown",
            key: key(Algorithm::ES256, 9),
            record: None,
        });
        let trust = TrustList {
            version: 7,
            issued_at: wib("2026-11-01", 0, 0),
            next_update: wib("2026-12-01", 0, 0),
            signers: signers.iter().filter_map(|s| s.record.clone()).collect(),
        };
        let trust_bytes = trust.sign(&root).expect("fixture trust list");
        let mut bks = StatusList::new(pora_core::status_list::PORA_BITS, 64).expect("list");
        bks.set(REVOKED_INDEX, 1).expect("set");
        bks.set(SUSPENDED_INDEX, 2).expect("set");
        let lists = [
            ("BKS", "bks-es256", bks),
            ("JKT", "jkt-es256", StatusList::new(2, 64).expect("list")),
        ];
        let mut status = Vec::new();
        let mut status_bytes = Vec::new();
        let w = World {
            root,
            signers,
            trust,
            trust_bytes,
            status_bytes: Vec::new(),
            status: Vec::new(),
        };
        for (office, signer, list) in lists {
            let token = StatusListToken {
                office: office.into(),
                issued_at: wib("2026-11-24", 0, 0),
                expires_at: Some(wib("2026-12-02", 0, 0)),
                ttl: Some(43_200),
                list,
            };
            status_bytes.push(token.sign(&w.signer(signer).key).expect("sign status list"));
            status.push(token);
        }
        World {
            status,
            status_bytes,
            ..w
        }
    }

    /// The signer with this name.
    pub fn signer(&self, name: &str) -> &NamedSigner {
        self.signers
            .iter()
            .find(|s| s.name == name)
            .unwrap_or_else(|| panic!("no fixture signer {name}"))
    }

    /// A verification context at `now` with the default policy.
    pub fn context(&self, now: i64) -> pora_core::Context<'_> {
        pora_core::Context {
            trust: &self.trust,
            status_lists: &self.status,
            now,
            policy: Default::default(),
        }
    }
}

impl Default for World {
    fn default() -> Self {
        Self::new()
    }
}

/// The `pora` CLI's public key file for a key (JSON: role, alg, public_key, kid).
pub fn public_key_json(key: &SigningKey, role: &str) -> String {
    let pk = key.public_key();
    serde_json::to_string_pretty(&serde_json::json!({
        "role": role,
        "alg": pk.algorithm().name(),
        "public_key": pora_core::hex::encode(pk.as_bytes()),
        "kid": pora_core::hex::encode(&pora_core::trust::kid_of(&pk)),
    }))
    .expect("json")
}

/// A complete ITAS of office BKS, valid 2026-01-15 to 2027-01-14, with a 40-character name.
pub fn itas() -> Permit {
    Permit {
        office: "BKS".into(),
        document_serial: vec![0x00, 0x01, 0x2c, 0x41],
        issued_at: wib("2026-01-15", 9, 30),
        valid_from: Date::parse("2026-01-15").expect("date"),
        valid_until: Date::parse("2027-01-14").expect("date"),
        permit_type: PermitType::Itas,
        visa_index: Some("E28A".into()),
        permit_number: Some("2C21AB7310-K".into()),
        niora: Some("3201467788".into()),
        name: Some("WIRYAWAN<SANTOSO<<MARIA<KATHARINA<ANNELI".into()),
        date_of_birth: Some(Date::parse("1984-07-09").expect("date")),
        sex: Some(Sex::F),
        nationality: Some("DEU".into()),
        passport_number: Some("C01X00T47".into()),
        sponsor_id: Some("9120001234567".into()),
        status_index: Some(17),
    }
}

/// A complete ITAP of office BKS, valid 2024-03-01 to 2029-02-28.
pub fn itap() -> Permit {
    Permit {
        document_serial: vec![0x00, 0x00, 0x91, 0x07],
        issued_at: wib("2025-02-20", 14, 0),
        valid_from: Date::parse("2025-03-01").expect("date"),
        valid_until: Date::parse("2030-02-28").expect("date"),
        permit_type: PermitType::Itap,
        visa_index: Some("E31A".into()),
        permit_number: Some("2D11KX0042".into()),
        niora: Some("3201009911".into()),
        name: Some("TANAKA<<HIROSHI".into()),
        date_of_birth: Some(Date::parse("1971-11-30").expect("date")),
        sex: Some(Sex::M),
        nationality: Some("JPN".into()),
        passport_number: Some("TZ1234567".into()),
        sponsor_id: None,
        status_index: Some(18),
        ..itas()
    }
}
