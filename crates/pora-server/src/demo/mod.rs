//! The `pora demo`: a deterministic Bekasi data set (seeded RNG; the same seed on the same day gives
//! the same data) and a server over it.
//!
//! About 7,000 ITAS and 450 ITAP holders (scaled by [`DemoConfig::scale`]), nationalities weighted
//! JPN, KOR, CHN, IND, TWN first; invented sponsor companies in the Cikarang industrial estates;
//! addresses with real desa/kelurahan codes and positions inside their polygons; a few hundred
//! expiring, overstaying, revoked and exited cases; a year of field checks under monthly written
//! orders, stay reports, officers with devices, and one login per role. All names of people and
//! companies are invented.

pub mod geo;
mod rng;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Instant;

use pora_core::Signer as _;
use pora_store::audit::{Actor, NewEntry};
use pora_store::model::{
    now_unix, Date, Nationality, Nib, Nik, Niora, Npwp, PassportNumber, PermitNumber, PermitStatus,
    PermitType, Purpose, PurposeKind, RegionCode, Role, Sex,
};
use pora_store::repo::{
    self, NewAddress, NewForeigner, NewPermit, NewSponsor, NewStayReport, VisaIndex,
};
use pora_store::Store;
use serde_json::json;

use self::rng::Rng;
use crate::signing::Kek;
use crate::state::AppState;
use crate::ServerConfig;

/// Demo settings.
#[derive(Clone, Debug)]
pub struct DemoConfig {
    /// Database URL; default a fresh SQLite file `pora-demo.db` in `dir` (an existing one is replaced).
    /// A PostgreSQL database must be empty.
    pub db_url: Option<String>,
    /// Directory for the database and the key files.
    pub dir: PathBuf,
    /// Listen address.
    pub listen: SocketAddr,
    /// RNG seed.
    pub seed: u64,
    /// 1.0 = about 7,000 ITAS and 450 ITAP holders.
    pub scale: f64,
    /// Build the data and return without serving.
    pub no_serve: bool,
}

impl DemoConfig {
    /// Defaults: `./pora-demo`, `127.0.0.1:8080`, seed 2018, full scale, serve.
    pub fn new() -> Self {
        DemoConfig {
            db_url: None,
            dir: PathBuf::from("pora-demo"),
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            seed: 2018,
            scale: 1.0,
            no_serve: false,
        }
    }
}

impl Default for DemoConfig {
    fn default() -> Self {
        Self::new()
    }
}

/// A demo login.
#[derive(Clone, Debug)]
pub struct DemoLogin {
    /// Role.
    pub role: Role,
    /// User name.
    pub username: String,
    /// Password.
    pub password: String,
}

/// What [`generate`] made.
#[derive(Clone, Debug, Default)]
pub struct DemoSummary {
    /// Row counts per table.
    pub counts: Vec<(&'static str, i64)>,
    /// One login per role.
    pub logins: Vec<DemoLogin>,
    /// Seconds spent generating.
    pub seconds: f64,
    /// Permit numbers of a few interesting cases: (label, number).
    pub samples: Vec<(String, String)>,
}

/// Builds a fresh demo database and serves it, printing the URL and the demo logins.
pub async fn demo(config: DemoConfig) -> anyhow::Result<()> {
    crate::init_tracing();
    std::fs::create_dir_all(&config.dir)?;
    let db_url = match &config.db_url {
        Some(u) => u.clone(),
        None => {
            let path = config.dir.join("pora-demo.db");
            for suffix in ["", "-wal", "-shm"] {
                let p = PathBuf::from(format!("{}{suffix}", path.display()));
                if p.exists() {
                    std::fs::remove_file(&p)?;
                }
            }
            format!("sqlite:{}", path.display())
        }
    };
    let mut server = ServerConfig::new(&db_url, config.listen);
    server.data_dir = config.dir.clone();
    server.tile_url = ServerConfig::tile_url_from_env()?;
    let store = Store::open(&db_url).await?;
    let kek = Kek::load(None, &config.dir)?;
    let audit_key = crate::audit::load_or_create_key(&config.dir)?;
    let state = AppState::with_store(store, server, kek, audit_key).await?;
    let summary = generate(&state, config.seed, config.scale).await?;
    println!(
        "pora demo: generated in {:.1} s (seed {}, scale {})",
        summary.seconds, config.seed, config.scale
    );
    for (t, n) in &summary.counts {
        println!("  {t:<14} {n:>7}");
    }
    println!("database: {}", state.config.redacted_db_url());
    println!("logins (user / password):");
    for l in &summary.logins {
        println!(
            "  {:<16} {:<22} {}",
            l.role.as_str(),
            l.username,
            l.password
        );
    }
    for (label, number) in &summary.samples {
        println!("  sample {label:<12} permit {number}");
    }
    if config.no_serve {
        state.store.close().await;
        return Ok(());
    }
    println!(
        "serving on http://{}/  (API under /api/v1, OpenAPI at /api/v1/openapi.json)",
        config.listen
    );
    crate::serve_state(state).await
}

const NATIONALITIES: &[(&str, u32)] = &[
    ("JPN", 300),
    ("KOR", 220),
    ("CHN", 180),
    ("IND", 70),
    ("TWN", 60),
    ("MYS", 25),
    ("THA", 20),
    ("PHL", 20),
    ("VNM", 20),
    ("DEU", 15),
    ("USA", 15),
    ("GBR", 10),
    ("AUS", 10),
    ("FRA", 8),
    ("SGP", 8),
    ("NLD", 6),
];

fn names(nat: &str) -> (&'static [&'static str], &'static [&'static str], bool) {
    match nat {
        "JPN" => (
            &[
                "Sato",
                "Suzuki",
                "Takahashi",
                "Tanaka",
                "Watanabe",
                "Ito",
                "Yamamoto",
                "Nakamura",
                "Kobayashi",
                "Kato",
                "Yoshida",
                "Yamada",
                "Sasaki",
                "Matsumoto",
                "Inoue",
                "Kimura",
            ],
            &[
                "Hiroshi", "Takeshi", "Kenji", "Yuki", "Haruto", "Sota", "Daiki", "Akira", "Naoki",
                "Yui", "Aoi", "Sakura", "Emi", "Mai", "Rina", "Kaori",
            ],
            true,
        ),
        "KOR" => (
            &[
                "Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon", "Jang", "Lim", "Han",
                "Shin",
            ],
            &[
                "Min-jun",
                "Seo-jun",
                "Ji-ho",
                "Hyun-woo",
                "Dong-hyun",
                "Ji-woo",
                "Seo-yeon",
                "Min-seo",
                "Ha-eun",
                "Su-bin",
                "Jae-won",
                "Eun-ji",
            ],
            true,
        ),
        "CHN" | "TWN" => (
            &[
                "Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Lin",
                "Tsai",
            ],
            &[
                "Wei", "Fang", "Lei", "Jun", "Yan", "Jie", "Ming", "Hui", "Xin", "Hao", "Chia-hao",
                "Yu-ting",
            ],
            true,
        ),
        "IND" => (
            &[
                "Sharma", "Patel", "Singh", "Kumar", "Gupta", "Reddy", "Nair", "Iyer", "Rao",
                "Mehta",
            ],
            &[
                "Rahul", "Amit", "Priya", "Anil", "Sunil", "Deepak", "Kavya", "Arjun", "Neha",
                "Vikram",
            ],
            false,
        ),
        "MYS" | "SGP" => (
            &["Tan", "Lim", "Ong", "Wong", "Abdullah", "Rahman"],
            &["Wei Ming", "Siti", "Ahmad", "Mei Ling", "Farid", "Hui Min"],
            false,
        ),
        "THA" => (
            &["Srisuk", "Wongsa", "Chaiyasit", "Boonmee"],
            &["Somchai", "Nattapong", "Siriporn", "Kanya"],
            false,
        ),
        "PHL" => (
            &["Santos", "Reyes", "Cruz", "Bautista", "Garcia"],
            &["Jose", "Maria", "Mark", "Angelica", "Paolo"],
            false,
        ),
        "VNM" => (
            &["Nguyen", "Tran", "Le", "Pham", "Hoang"],
            &["Minh", "Lan", "Tuan", "Thao", "Duc"],
            false,
        ),
        _ => (
            &[
                "Schmidt", "Mueller", "Smith", "Johnson", "Brown", "Martin", "Bernard", "de Vries",
                "Jansen", "Wilson",
            ],
            &[
                "Thomas", "Michael", "Anna", "Julia", "David", "Sarah", "Pierre", "Lucas", "Emma",
                "Daniel",
            ],
            false,
        ),
    }
}

/// Given names of the lists in [`names`] that are women's names.
const FEMALE_GIVEN: &[&str] = &[
    "Yui", "Aoi", "Sakura", "Emi", "Mai", "Rina", "Kaori", "Seo-yeon", "Min-seo", "Ha-eun",
    "Eun-ji", "Fang", "Yan", "Hui", "Xin", "Yu-ting", "Priya", "Kavya", "Neha", "Siti", "Mei Ling",
    "Hui Min", "Siriporn", "Kanya", "Maria", "Angelica", "Lan", "Thao", "Anna", "Julia", "Sarah",
    "Emma",
];
/// Given names used for either sex.
const EITHER_GIVEN: &[&str] = &["Yuki", "Ji-woo", "Su-bin"];

/// The given name for `draw` among `givens` that suits `sex`: the drawn one when it does, else the
/// draw taken over the names that do.
fn given_name(givens: &[&'static str], draw: u64, sex: Sex) -> &'static str {
    let suits =
        |g: &&str| EITHER_GIVEN.contains(g) || (FEMALE_GIVEN.contains(g) == matches!(sex, Sex::F));
    let drawn = givens[(draw % givens.len() as u64) as usize];
    if suits(&drawn) {
        return drawn;
    }
    let fitting: Vec<&'static str> = givens.iter().copied().filter(|g| suits(g)).collect();
    if fitting.is_empty() {
        drawn
    } else {
        fitting[(draw % fitting.len() as u64) as usize]
    }
}

/// Industrial estates: name, the kecamatan their companies sit in, and where their staff tend to live.
const ESTATES: &[(&str, &str, &[&str])] = &[
    (
        "Jababeka",
        "32.16.09",
        &["32.16.09", "32.16.20", "32.16.19"],
    ),
    ("MM2100", "32.16.08", &["32.16.08", "32.16.07", "32.75.04"]),
    ("EJIP", "32.16.19", &["32.16.19", "32.16.09"]),
    ("Delta Silicon", "32.16.19", &["32.16.19", "32.16.20"]),
    ("GIIC", "32.16.20", &["32.16.20", "32.16.19", "32.16.18"]),
];

const CO_FIRST: &[&str] = &[
    "Sinar", "Cahaya", "Mitra", "Prima", "Karya", "Tunas", "Bintang", "Surya", "Mega", "Citra",
    "Dharma", "Harapan",
];
const CO_SECOND: &[&str] = &[
    "Presisi",
    "Komponen",
    "Otomotif",
    "Elektronika",
    "Kimia",
    "Logam",
    "Plastik",
    "Tekstil",
    "Mesin",
    "Baja",
    "Kemasan",
    "Optik",
];
const CO_THIRD: &[&str] = &[
    "Nusantara",
    "Cikarang",
    "Jaya Abadi",
    "Mandiri",
    "Sejahtera",
    "Utama",
    "Industri",
    "Manufaktur",
];
const JOBS: &[&str] = &[
    "Production engineer",
    "Plant manager",
    "Quality manager",
    "Technical advisor",
    "Maintenance engineer",
    "Finance director",
    "Sales manager",
    "R&D engineer",
    "Process engineer",
    "President director",
];
const STREETS: &[&str] = &[
    "Jl. Raya",
    "Jl. Kenari",
    "Jl. Cempaka",
    "Jl. Anggrek",
    "Jl. Melati",
    "Jl. Kemang",
    "Jl. Niaga",
    "Jl. Industri",
    "Jl. Mawar",
    "Jl. Flamboyan",
];

struct Holder {
    foreigner_id: i64,
    niora: String,
    number: String,
    office_id: i64,
    desa: usize,
    position: (f64, f64),
    permit_id: i64,
    status: PermitStatus,
    valid_until: Date,
}

/// A demo field device: its row, its officer, and its signing key (the demo plays the device).
struct DemoDevice {
    id: i64,
    officer: i64,
    username: String,
    key: pora_crypto::SigningKey,
}

/// A field check of the demo year, before the device signs it.
struct Planned {
    at: i64,
    device: usize,
    order: String,
    /// The permit number read in the field (a number in no registry for a forged code).
    document: String,
    outcome: &'static str,
    position: (f64, f64),
}

/// The year's field checks as the devices make them: each device signs its checks as chained
/// reports in time order and syncs them once a week, through [`crate::ingest::ingest_at`] (the same
/// verification, chain, alert and store path as `POST /api/v1/field/reports`), received an hour
/// after the week's last check.
async fn upload_checks(
    state: &AppState,
    office: i64,
    devices: &[DemoDevice],
    mut planned: Vec<Planned>,
    rng: &mut Rng,
    now: i64,
) -> anyhow::Result<()> {
    use pora_core::report::{self, Basis, CheckReport, Position, Unsigned};
    let doc_key = {
        let mut t = state.store.tx().await?;
        let key = crate::ingest::doc_hash_key(state, &mut t, office)
            .await
            .map_err(|e| anyhow::anyhow!("doc-hash key: {}", e.message))?;
        t.commit().await?;
        key
    };
    planned.sort_by_key(|p| p.at);
    let mut heads: Vec<(u64, Option<[u8; 32]>)> = vec![(0, None); devices.len()];
    // (week, device) -> (last check time, signed reports in seq order)
    type Sync = (i64, Vec<Vec<u8>>);
    let mut syncs: std::collections::BTreeMap<(i64, usize), Sync> = Default::default();
    for p in planned {
        let d = &devices[p.device];
        let (seq, prev) = heads[p.device];
        let mut report_id = [0u8; 16];
        report_id[..8].copy_from_slice(&rng.next_u64().to_le_bytes());
        report_id[8..].copy_from_slice(&rng.next_u64().to_le_bytes());
        let r = CheckReport {
            report_id,
            device: d.id.to_string(),
            officer: d.username.clone(),
            seq,
            prev,
            basis: Basis::Order(p.order),
            device_time: p.at,
            gnss_time: Some(p.at),
            position: Position::from_degrees(p.position.0, p.position.1, 8.0),
            outcome: p.outcome.into(),
            warnings: vec![],
            trust_list_version: 1,
            status_list_at: None,
            doc_hash: report::doc_hash(&doc_key, &p.document),
            permit_number: None,
            note: None,
        };
        let bytes = Unsigned::new(&r, &d.key.public_key())?.sign(&d.key)?;
        heads[p.device] = (seq + 1, Some(report::hash(&bytes)));
        let e = syncs
            .entry((p.at.div_euclid(7 * 86_400), p.device))
            .or_default();
        e.0 = e.0.max(p.at);
        e.1.push(bytes);
    }
    for ((_, ix), (last, reports)) in syncs {
        let d = &devices[ix];
        let uploader = crate::ingest::Uploader {
            user_id: Some(d.officer),
            actor: Actor {
                user_id: Some(d.officer),
                role: Role::FieldOfficer.as_str().into(),
                office: "BKS".into(),
            },
        };
        let want = reports.len();
        let res = crate::ingest::ingest_at(state, &uploader, reports, (last + 3600).min(now))
            .await
            .map_err(|e| anyhow::anyhow!("demo upload: {}", e.message))?;
        anyhow::ensure!(
            res.accepted.len() == want,
            "demo upload refused reports: {:?}",
            res.rejected.first()
        );
    }
    Ok(())
}

/// Generates the demo data into `state`'s (empty) database.
pub async fn generate(state: &AppState, seed: u64, scale: f64) -> anyhow::Result<DemoSummary> {
    let started = Instant::now();
    let mut rng = Rng::new(seed);
    let desa = geo::load()?;
    let now = now_unix();
    let today = Date::from_unix(now);
    state.bootstrap().await?;

    // Reference data, office, keys.
    let mut tx = state.store.tx().await?;
    for (code, name, level) in geo::regions() {
        repo::upsert_region(&mut tx, &code, &name, &level).await?;
    }
    let office = repo::create_office(
        &mut tx,
        "BKS",
        "Kantor Imigrasi Bekasi",
        "32.16",
        now - 400 * 86_400,
    )
    .await?;
    tx.commit().await?;
    state.ensure_office_signer(office, "BKS").await?;

    tracing::info!(
        phase = "setup",
        ms = started.elapsed().as_millis() as u64,
        "demo"
    );
    // People and devices.
    let mut logins = Vec::new();
    let user = |role: Role, name: &str| DemoLogin {
        role,
        username: name.to_owned(),
        password: format!("pora-demo-{name}"),
    };
    let staff = vec![
        (user(Role::Admin, "admin"), None),
        (user(Role::IssuingOfficer, "issuer1"), Some(office)),
        (user(Role::IssuingOfficer, "issuer2"), Some(office)),
        (user(Role::Supervisor, "supervisor"), Some(office)),
        (user(Role::Auditor, "auditor"), None),
    ];
    let mut staff_ids = HashMap::new();
    for (l, o) in &staff {
        let id = state
            .create_user(
                &l.username,
                &format!("Demo {}", l.username),
                l.role,
                *o,
                None,
                &l.password,
            )
            .await?;
        staff_ids.insert(l.username.clone(), id);
        logins.push(l.clone());
    }
    let mut field_officers = Vec::new();
    for i in 1..=12 {
        let l = user(Role::FieldOfficer, &format!("field{i}"));
        let id = state
            .create_user(
                &l.username,
                &format!("Tim PORA {i}"),
                l.role,
                Some(office),
                None,
                &l.password,
            )
            .await?;
        if i == 1 {
            logins.push(l);
        }
        field_officers.push(id);
    }
    let supervisor = staff_ids["supervisor"];
    let issuer = staff_ids["issuer1"];
    let mut tx = state.store.tx().await?;
    let mut devices = Vec::new();
    for (i, officer) in field_officers.iter().enumerate() {
        let mut seed = [0u8; 32];
        for chunk in seed.chunks_mut(8) {
            chunk.copy_from_slice(&rng.next_u64().to_le_bytes());
        }
        let key = pora_crypto::SigningKey::from_seed(pora_core::Algorithm::EdDSA, &seed)?;
        let public = key.public_key();
        let d = repo::register_device(
            &mut tx,
            &format!("Reader {} Tim PORA", i + 1),
            &hex::encode(public.as_bytes()),
            *officer,
            office,
            now - 300 * 86_400,
        )
        .await?;
        repo::decide_device(&mut tx, d, "approved", supervisor, now - 299 * 86_400).await?;
        pora_store::field::set_device_key(
            &mut tx,
            d,
            "EdDSA",
            &hex::encode(pora_core::trust::kid_of(&public)),
        )
        .await?;
        devices.push(DemoDevice {
            id: d,
            officer: *officer,
            username: format!("field{}", i + 1),
            key,
        });
    }
    tx.commit().await?;

    tracing::info!(
        phase = "users",
        ms = started.elapsed().as_millis() as u64,
        "demo"
    );
    let visa: Vec<VisaIndex> = {
        let mut c = state.store.conn().await?;
        let mut v = Vec::new();
        for (code, table) in [
            ("E23", "2025"),
            ("E28A", "2025"),
            ("E31A", "2025"),
            ("E33G", "2025"),
            ("E23", "2023"),
            ("E28A", "2023"),
            ("E31A", "2023"),
            ("E33G", "2023"),
            ("C312", "2021"),
            ("C313", "2021"),
            ("C317", "2021"),
            ("312", "legacy"),
        ] {
            v.push(repo::visa_index(&mut c, code, Some(table), today).await?);
        }
        v
    };
    let visa_for = |code: &str, from: Date| -> VisaIndex {
        let table = if from >= Date::parse("d", "2025-07-01").unwrap_or(from) {
            "2025"
        } else if from >= Date::parse("d", "2023-06-01").unwrap_or(from) {
            "2023"
        } else {
            "2021"
        };
        let code = match (table, code) {
            ("2021", "E23" | "E33G") => "C312",
            ("2021", "E28A") => "C313",
            ("2021", "E31A") => "C317",
            (_, c) => c,
        };
        visa.iter()
            .find(|v| v.table_version == table && v.code == code)
            .unwrap_or(&visa[0])
            .clone()
    };

    // The bulk: one audited transaction.
    let actor = |id: i64, role: Role| Actor {
        user_id: Some(id),
        role: role.as_str().into(),
        office: "BKS".into(),
    };
    let mut tx = state.store.begin_audited().await?;

    // Sponsors: companies per estate, and Indonesian spouses for family permits.
    let n_companies = ((160.0 * scale).ceil() as usize).max(5);
    let mut companies: Vec<(i64, usize, String)> = Vec::new(); // (sponsor id, estate, NIB)
    for i in 0..n_companies {
        let estate = i % ESTATES.len();
        let name = format!(
            "PT {} {} {}",
            rng.pick(CO_FIRST),
            rng.pick(CO_SECOND),
            rng.pick(CO_THIRD)
        );
        let kec = ESTATES[estate].1;
        let candidates: Vec<usize> = (0..desa.len())
            .filter(|d| desa[*d].code.starts_with(kec))
            .collect();
        let d = *rng.pick(&candidates);
        let pos = desa[d].sample(&mut rng);
        let addr = repo::add_address(
            tx.conn(),
            &NewAddress {
                foreigner_id: None,
                line: format!(
                    "Kawasan {} Blok {}-{}",
                    ESTATES[estate].0,
                    (b'A' + (i % 8) as u8) as char,
                    rng.range(1, 40)
                ),
                region_code: RegionCode::parse("region_code", &desa[d].code)?,
                position: Some(pos),
                source: "sponsor",
                valid_from: today.add_days(-1500),
            },
            now,
        )
        .await?;
        let nib = rng.digits(13);
        let s = NewSponsor::Company {
            name: format!("{name} {}", i + 1),
            nib: Nib::parse("nib", &nib)?,
            npwp: Npwp::parse("npwp", &format!("0{}", rng.digits(15)))?,
        };
        let sid =
            repo::create_sponsor(tx.conn(), &s, Some(addr), office, now - 1500 * 86_400).await?;
        repo::create_employer(
            tx.conn(),
            &format!("{name} {}", i + 1),
            None,
            Some(sid),
            Some(addr),
            now,
        )
        .await?;
        companies.push((sid, estate, nib));
    }

    let n_itas = ((7000.0 * scale).round() as usize).max(20);
    let n_itap = ((450.0 * scale).round() as usize).max(5);
    let mut holders: Vec<Holder> = Vec::with_capacity(n_itas + n_itap);
    let mut samples = Vec::new();
    let mut person_sponsors = 0u64;
    let mut to_sign: Vec<(i64, pora_core::Permit)> = Vec::new();
    for i in 0..(n_itas + n_itap) {
        let itap = i >= n_itas;
        let nat = *rng.weighted(NATIONALITIES);
        let (families, givens, family_first) = names(nat);
        let family = rng.pick(families);
        // One draw here, the name chosen once the sex is known (keeps the demo's random sequence).
        let given_draw = rng.next_u64();
        let code = *rng.weighted(&[("E23", 78), ("E28A", 8), ("E31A", 10), ("E33G", 4)]);
        let code = if itap {
            *rng.weighted(&[("E31A", 60), ("E28A", 25), ("E23", 15)])
        } else {
            code
        };
        let sex = if code == "E31A" {
            if rng.chance(0.7) {
                Sex::F
            } else {
                Sex::M
            }
        } else if rng.chance(0.82) {
            Sex::M
        } else {
            Sex::F
        };
        let given = given_name(givens, given_draw, sex);
        let full_name = if family_first {
            format!("{family} {given}")
        } else {
            format!("{given} {family}")
        };
        let mrz = format!(
            "{}<<{}",
            crate::api::registry::mrz_of(family),
            crate::api::registry::mrz_of(given)
        );
        let niora = format!("{}", 2_000_000_000u64 + i as u64);
        let birth = today.add_days(-rng.range(25 * 365, 60 * 365));
        let job = (*rng.pick(JOBS)).to_owned();
        let fid = repo::create_foreigner(
            tx.conn(),
            &NewForeigner {
                niora: Niora::parse("niora", &niora)?,
                full_name,
                mrz_name: mrz.chars().take(40).collect(),
                sex,
                birth_place: nat.to_owned(),
                birth_date: birth,
                nationality: Nationality::parse("nationality", nat)?,
                occupation: Some(job.clone()),
                office_id: office,
            },
            now,
        )
        .await?;
        // Unique per holder: the index spreads the numbers, the RNG fills the low digits.
        let pp_number = format!(
            "{}{:08}",
            (b'A' + (rng.next_u64() % 26) as u8) as char,
            i * 13 + rng.range(0, 12) as usize
        );
        let passport = repo::add_passport(
            tx.conn(),
            fid,
            &PassportNumber::parse("passport", &pp_number)?,
            &Nationality::parse("n", nat)?,
            today.add_days(rng.range(200, 3000)),
            now,
        )
        .await?;
        // Sponsor and where they live.
        let (sponsor, estate, sponsor_no) = if code == "E31A" {
            person_sponsors += 1;
            let nik = format!(
                "3216{:02}{:02}{:02}{:02}{:04}",
                rng.range(1, 23),
                rng.range(41, 68),
                rng.range(1, 12),
                rng.range(60, 99),
                person_sponsors % 10_000
            );
            let s = NewSponsor::Person {
                name: format!(
                    "{} {}",
                    rng.pick(&["Siti", "Dewi", "Budi", "Agus", "Rina", "Putri"]),
                    rng.pick(&["Rahayu", "Santoso", "Wijaya", "Lestari", "Hidayat", "Kusuma"])
                ),
                nik: Nik::parse("nik", &nik)?,
            };
            (
                repo::create_sponsor(tx.conn(), &s, None, office, now).await?,
                rng.range(0, ESTATES.len() as i64 - 1) as usize,
                nik,
            )
        } else {
            rng.pick(&companies).clone()
        };
        let kec = *rng.pick(ESTATES[estate].2);
        let candidates: Vec<usize> = (0..desa.len())
            .filter(|d| desa[*d].code.starts_with(kec))
            .collect();
        let d = *rng.pick(&candidates);
        let position = desa[d].sample(&mut rng);
        let address = repo::add_address(
            tx.conn(),
            &NewAddress {
                foreigner_id: Some(fid),
                line: format!(
                    "{} No. {}, {}",
                    rng.pick(STREETS),
                    rng.range(1, 120),
                    desa[d].name
                ),
                region_code: RegionCode::parse("region_code", &desa[d].code)?,
                position: Some(position),
                source: "declared",
                valid_from: today.add_days(-rng.range(30, 900)),
            },
            now,
        )
        .await?;
        // The current permit and its fate.
        let roll = rng.f64();
        let (status, valid_from, valid_until) = if itap {
            let from = today.add_days(-rng.range(0, 4 * 365));
            (PermitStatus::Active, from, from.add_months(60).add_days(-1))
        } else {
            let months = if code == "E33G" || rng.chance(0.5) {
                12
            } else {
                24
            };
            let (status, until) = match roll {
                r if r < 0.035 => (PermitStatus::Active, today.add_days(-rng.range(1, 120))), // overstaying
                r if r < 0.055 => (PermitStatus::Expired, today.add_days(-rng.range(5, 300))),
                r if r < 0.095 => (PermitStatus::Exited, today.add_days(rng.range(-200, 300))),
                r if r < 0.104 => (PermitStatus::Cancelled, today.add_days(rng.range(10, 400))),
                r if r < 0.106 => (PermitStatus::Deported, today.add_days(rng.range(-100, 300))),
                r if r < 0.1065 => (PermitStatus::Deceased, today.add_days(rng.range(10, 300))),
                r if r < 0.108 => (PermitStatus::Suspended, today.add_days(rng.range(10, 300))),
                _ => (
                    PermitStatus::Active,
                    today.add_days(rng.range(1, months * 30)),
                ),
            };
            (status, until.add_months(-months).add_days(1), until)
        };
        let v = visa_for(code, valid_from);
        // Some holders carry an older permit under an earlier visa table; ITAP holders their converted ITAS.
        let mut previous = None;
        if itap || rng.chance(0.15) {
            let p_until = valid_from.add_days(-1);
            let p_from = p_until.add_months(-24).add_days(1);
            let pv = visa_for(code, p_from);
            let p_status = if itap {
                PermitStatus::Converted
            } else {
                PermitStatus::Expired
            };
            let pid = repo::issue_permit(
                tx.conn(),
                &NewPermit {
                    number: PermitNumber::parse("number", &format!("2C11BKS{:07}", 5_000_000 + i))?,
                    permit_type: PermitType::Itas,
                    foreigner_id: fid,
                    passport_id: Some(passport),
                    visa_index_id: pv.id,
                    visa_code: pv.code.clone(),
                    sponsor_id: Some(sponsor),
                    employer_id: None,
                    occupation: Some(job.clone()),
                    address_id: Some(address),
                    port_of_entry: Some("CGK".into()),
                    entry_date: Some(p_from.add_days(-3)),
                    valid_from: p_from,
                    valid_until: p_until,
                    issuing_office_id: office,
                    document_serial: crate::api::permits::new_serial(),
                    previous_permit_id: None,
                    status: p_status,
                },
                Some(issuer),
                p_from.unix(),
            )
            .await?;
            previous = Some(pid);
        }
        let number = format!(
            "{}11BKS{:07}",
            if itap { "2D" } else { "2C" },
            1_000_000 + i
        );
        let serial = crate::api::permits::new_serial();
        let (pid, index) = repo::issue_permit_indexed(
            tx.conn(),
            &NewPermit {
                number: PermitNumber::parse("number", &number)?,
                permit_type: if itap {
                    PermitType::Itap
                } else {
                    PermitType::Itas
                },
                foreigner_id: fid,
                passport_id: Some(passport),
                visa_index_id: v.id,
                visa_code: v.code.clone(),
                sponsor_id: Some(sponsor),
                employer_id: None,
                occupation: Some(job),
                address_id: Some(address),
                port_of_entry: Some(
                    (*rng.pick(&["CGK", "CGK", "CGK", "HLP", "DPS", "KNO"])).into(),
                ),
                entry_date: Some(valid_from.add_days(-rng.range(1, 20))),
                valid_from,
                valid_until,
                issuing_office_id: office,
                document_serial: serial.clone(),
                previous_permit_id: previous,
                status,
            },
            Some(issuer),
            valid_from.unix().min(now),
        )
        .await?;
        tx.append_at(
            NewEntry {
                actor: actor(issuer, Role::IssuingOfficer),
                action: "permit.issue".into(),
                subject_kind: "person".into(),
                subject_id: niora.clone(),
                purpose: Purpose {
                    kind: PurposeKind::Issuance,
                    reference: number.clone(),
                },
                details: json!({ "permit": number, "visa": v.code, "table": v.table_version }),
            },
            now,
        )
        .await?;
        let sample = match (status, valid_until < today) {
            (PermitStatus::Active, true) => Some("overstay"),
            (PermitStatus::Active, false) if valid_until.days() - today.days() <= 7 => {
                Some("expiring")
            }
            (PermitStatus::Cancelled, _) => Some("revoked"),
            (PermitStatus::Exited, _) => Some("exited"),
            (PermitStatus::Active, false) if itap => Some("itap"),
            (PermitStatus::Active, false) => Some("valid"),
            _ => None,
        };
        if let Some(label) = sample {
            if !samples.iter().any(|(l, _): &(String, String)| l == label) {
                samples.push((label.to_owned(), number.clone()));
            }
        }
        if matches!(
            status,
            PermitStatus::Active | PermitStatus::Suspended | PermitStatus::Cancelled
        ) {
            to_sign.push((
                pid,
                pora_core::Permit {
                    office: "BKS".into(),
                    document_serial: hex::decode(&serial)?,
                    issued_at: now,
                    valid_from: pora_core::Date(i32::try_from(valid_from.days())?),
                    valid_until: pora_core::Date(i32::try_from(valid_until.days())?),
                    permit_type: if itap {
                        pora_core::PermitType::Itap
                    } else {
                        pora_core::PermitType::Itas
                    },
                    visa_index: Some(v.code.clone()),
                    permit_number: Some(number.clone()),
                    niora: Some(niora.clone()),
                    name: Some(mrz.chars().take(40).collect()),
                    date_of_birth: Some(pora_core::Date(i32::try_from(birth.days())?)),
                    sex: Some(match sex {
                        Sex::M => pora_core::Sex::M,
                        Sex::F => pora_core::Sex::F,
                        Sex::X => pora_core::Sex::X,
                    }),
                    nationality: Some(nat.to_owned()),
                    passport_number: Some(pp_number.clone()),
                    sponsor_id: Some(sponsor_no.clone()),
                    status_index: u64::try_from(index).ok(),
                },
            ));
        }
        holders.push(Holder {
            foreigner_id: fid,
            niora,
            number: number.clone(),
            office_id: office,
            desa: d,
            position,
            permit_id: pid,
            status,
            valid_until,
        });
    }

    tracing::info!(
        phase = "registry",
        ms = started.elapsed().as_millis() as u64,
        "demo"
    );
    // Credentials for permits in force, suspended or cancelled (those verify as revoked): signed on
    // all cores, then stored.
    let (signer, record) = state
        .keys
        .office_signer("BKS")
        .ok_or_else(|| anyhow::anyhow!("no BKS signer"))?;
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2);
    let chunk = to_sign.len().div_ceil(threads).max(1);
    let signed: Vec<(i64, String)> = std::thread::scope(|scope| {
        let handles: Vec<_> = to_sign
            .chunks(chunk)
            .map(|part| {
                let signer = signer.clone();
                let record = &record;
                scope.spawn(move || {
                    part.iter()
                        .map(|(id, claims)| {
                            pora_core::issue::Prepared::new(claims, record)
                                .and_then(|p| p.sign(signer.as_ref()))
                                .map(|text| (*id, text))
                                .map_err(|e| anyhow::anyhow!("signing demo credential {id}: {e}"))
                        })
                        .collect::<anyhow::Result<Vec<_>>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .map_err(|_| anyhow::anyhow!("signing thread panicked"))?
            })
            .collect::<anyhow::Result<Vec<Vec<_>>>>()
    })?
    .into_iter()
    .flatten()
    .collect();
    for (id, text) in &signed {
        repo::set_credential(tx.conn(), *id, text).await?;
    }

    tracing::info!(
        phase = "credentials",
        ms = started.elapsed().as_millis() as u64,
        "demo"
    );
    // A year of supervision: monthly written orders, field checks with positions, stay reports.
    let n_checks = ((3000.0 * scale).round() as i64).max(12);
    let mut orders = Vec::new();
    for m in 0..12 {
        let starts = today.add_months(-(12 - m)).add_days(1);
        let ends = starts.add_months(1).add_days(-1).min(today.add_days(7));
        let area = &desa[rng.range(0, desa.len() as i64 - 1) as usize].code;
        let (y, mo, _) = starts.ymd();
        let number = format!("SP-{:02}{mo:02}/PORA/{y}", m + 1);
        let id = repo::create_written_order(
            tx.conn(),
            &number,
            office,
            &format!("Operasi pengawasan orang asing {mo:02}/{y}"),
            Some(area),
            starts,
            ends,
            Some(supervisor),
            starts.unix(),
        )
        .await?;
        // Each month's operation covers Kabupaten (even months) or Kota Bekasi (odd ones), with
        // every field officer on the team; checks elsewhere show as outside its area.
        let region = if m % 2 == 0 { "32.16." } else { "32.75." };
        let codes: Vec<String> = geo::kecamatan_index()
            .iter()
            .filter(|k| k.code.starts_with(region))
            .map(|k| k.code.clone())
            .collect();
        let (area, codes) = crate::api::operations::kecamatan_area(&codes)
            .map_err(|e| anyhow::anyhow!("demo operation area: {}", e.message))?;
        pora_store::operations::set_plan(
            tx.conn(),
            id,
            &pora_store::operations::Plan {
                title: &format!("Operasi pengawasan orang asing {mo:02}/{y}"),
                starts_on: starts,
                ends_on: ends,
                area: Some(&area),
                area_kecamatan: &codes,
                team: &field_officers,
                status: "planned",
            },
            starts.unix(),
        )
        .await?;
        orders.push((id, number, starts, ends, region));
    }
    let mut planned = Vec::new();
    for k in 0..n_checks {
        let (_, order_no, starts, ends, region) =
            &orders[(k as usize * orders.len()) / n_checks as usize];
        let day = starts.add_days(rng.range(0, (ends.days() - starts.days()).max(0)));
        let at = (day.unix() + rng.range(1, 10) * 3600 + rng.range(0, 3599)).min(now);
        // The team checks people who live in the operation's area; about one check in twenty is
        // somewhere else (and raises `officer_outside_area`).
        let in_area = rng.chance(0.95);
        let mut h = &holders[rng.range(0, holders.len() as i64 - 1) as usize];
        for _ in 0..50 {
            if !in_area || desa[h.desa].code.starts_with(region) {
                break;
            }
            h = &holders[rng.range(0, holders.len() as i64 - 1) as usize];
        }
        if matches!(
            h.status,
            PermitStatus::Exited | PermitStatus::Deceased | PermitStatus::Deported
        ) {
            continue;
        }
        let officer_ix = rng.range(0, field_officers.len() as i64 - 1) as usize;
        let at_home = rng.chance(0.6);
        let position = if at_home {
            (
                h.position.0 + rng.range_f64(-0.0005, 0.0005),
                h.position.1 + rng.range_f64(-0.0005, 0.0005),
            )
        } else {
            desa[h.desa].sample(&mut rng)
        };
        let check_day = Date::from_unix(at);
        let forged = rng.chance(0.01);
        // The outcome the device showed (its verification result code).
        let outcome = if forged {
            "bad_signature"
        } else if h.status == PermitStatus::Active && h.valid_until < check_day {
            "expired"
        } else if matches!(h.status, PermitStatus::Cancelled | PermitStatus::Suspended) {
            "revoked"
        } else if rng.chance(0.04) {
            "incomplete"
        } else {
            "valid"
        };
        planned.push(Planned {
            at,
            device: officer_ix,
            order: order_no.clone(),
            document: if forged {
                format!("2C11BKS{:07}", 9_000_000 + k)
            } else {
                h.number.clone()
            },
            outcome,
            position,
        });
    }
    let n_stays = ((2000.0 * scale).round() as i64).max(5);
    for _ in 0..n_stays {
        let h = &holders[rng.range(0, holders.len() as i64 - 1) as usize];
        let d = &desa[rng.range(0, desa.len() as i64 - 1) as usize];
        let check_in = today.add_days(-rng.range(1, 365));
        let kind = *rng.weighted(&[("hotel", 55), ("kost", 30), ("landlord", 15)]);
        repo::insert_stay_report(
            tx.conn(),
            &NewStayReport {
                foreigner_id: h.foreigner_id,
                reporter_kind: kind,
                reporter_name: format!(
                    "{} {}",
                    match kind {
                        "hotel" => "Hotel",
                        "kost" => "Kost",
                        _ => "Rumah",
                    },
                    d.name
                ),
                check_in,
                check_out: Some(check_in.add_days(rng.range(1, 14))),
                region_code: RegionCode::parse("region_code", &d.code)?,
                position: Some(d.sample(&mut rng)),
            },
            check_in.unix(),
        )
        .await?;
    }
    // Expiry reminders a week ahead, and overstays known from the registry.
    for h in &holders {
        if h.status != PermitStatus::Active {
            continue;
        }
        let left = h.valid_until.days() - today.days();
        if (0..=7).contains(&left) {
            repo::insert_alert(
                tx.conn(),
                "expiring",
                h.office_id,
                Some(h.permit_id),
                Some(h.foreigner_id),
                None,
                &json!({ "days_left": left }),
                now,
            )
            .await?;
        } else if left < 0 {
            repo::insert_alert(tx.conn(), "overstay", h.office_id, Some(h.permit_id), Some(h.foreigner_id), None, &json!({ "days": -left, "charge_idr": -left * 1_000_000, "deportation": -left > 60 }), now).await?;
        }
    }
    tx.commit().await?;
    upload_checks(state, office, &devices, planned, &mut rng, now).await?;

    tracing::info!(
        phase = "supervision",
        ms = started.elapsed().as_millis() as u64,
        "demo"
    );
    // The foreigner's own login: the first holder with a valid permit.
    if let Some(h) = holders
        .iter()
        .find(|h| h.status == PermitStatus::Active && h.valid_until >= today)
    {
        let l = DemoLogin {
            role: Role::Foreigner,
            username: format!("wna{}", h.niora),
            password: format!("pora-demo-wna{}", h.niora),
        };
        state
            .create_user(
                &l.username,
                "Demo permit holder",
                Role::Foreigner,
                None,
                Some(h.foreigner_id),
                &l.password,
            )
            .await?;
        logins.push(l);
    }
    state.sign_audit_head().await?;
    let mut c = state.store.conn().await?;
    let counts = repo::table_counts(&mut c).await?;
    Ok(DemoSummary {
        counts,
        logins,
        seconds: started.elapsed().as_secs_f64(),
        samples,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn given_names_suit_the_holders_sex() {
        for (nat, _) in NATIONALITIES {
            let (_, givens, _) = names(nat);
            for sex in [Sex::F, Sex::M] {
                let mut seen = std::collections::BTreeSet::new();
                for draw in 0..200u64 {
                    let g = given_name(givens, draw, sex);
                    assert!(givens.contains(&g), "{nat}: {g} is from the list");
                    let female = FEMALE_GIVEN.contains(&g);
                    let either = EITHER_GIVEN.contains(&g);
                    assert!(either || female == (sex == Sex::F), "{nat} {sex:?}: {g}");
                    seen.insert(g);
                }
                assert!(
                    seen.len() >= 2,
                    "{nat} {sex:?}: more than one name ({seen:?})"
                );
            }
        }
        // A drawn name that suits is kept (the demo's names only change where they did not suit).
        let (_, jpn, _) = names("JPN");
        let emi = jpn.iter().position(|g| *g == "Emi").unwrap() as u64;
        assert_eq!(given_name(jpn, emi, Sex::F), "Emi");
        assert_ne!(given_name(jpn, emi, Sex::M), "Emi");
    }
}
