//! Ingest benchmark: batches of signed check reports through `pora_server::ingest::ingest` (decode,
//! device look-up, signature, chain, permit link, alert evaluation, one transaction per batch), and,
//! in the same run on the same reports, the raw insert of the same rows without any of that.
//!
//! `cargo run --release -p pora-server --bin pora-ingest-bench -- --db URL --raw-db URL [--reports N]
//! [--batch N] [--devices N] [--uploaders N] [--alg eddsa|es256] [--linked PCT] [--permits N]`; both
//! databases must be fresh. `--linked PCT` (default 0) makes PCT % of the reports name one of
//! `--permits` (default 10,000) active permits registered in the ingest database by its document
//! hash under the office's real key, so the ingest links them and appends each one's `person.check`
//! audit entry (the rest name documents the registry does not hold, which raise `unknown_permit`).
//! `--basis caught` (default) makes every report a catch in the act, which raises
//! `check_without_order`; `--basis order` puts every report under one written order of the office
//! (`SP-BENCH/2026`, no area), as checks of a planned operation are.
//! Prints one line per 100,000 reports (rates so far, RSS) and a summary.
//!
//! The reports are made and signed in rounds of `--uploaders` × 4 batches before the timed part of
//! each round (so memory holds one round, whatever `--reports` is). In the timed part, `--uploaders`
//! tasks each upload their own devices' batches in order, concurrently, as devices syncing at once
//! do: one upload's signatures are checked while another's transaction writes. Then the raw insert of
//! the same rows, one transaction per batch, is timed on the second database.

use std::time::{Duration, Instant};

use pora_core::crypto::Signer as _;
use pora_core::report::{self, Basis, CheckReport, Position, Unsigned};
use pora_server::ingest::{ingest, Uploader};
use pora_server::signing::Kek;
use pora_server::{AppState, ServerConfig};
use pora_store::audit::Actor;
use pora_store::field::{self, Val, CHECK_COLUMNS, FIELD_REPORT_COLUMNS};
use pora_store::model::Role;
use pora_store::{repo, Store};

fn rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).map(str::to_owned))
        })
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

struct Dev {
    key: pora_crypto::SigningKey,
    id: i64,
    seq: u64,
    prev: Option<[u8; 32]>,
}

/// Batches per uploader made (and signed) ahead of each timed round.
const ROUND: usize = 4;

/// One upload: the signed reports, and the rows the raw insert writes for them.
#[derive(Default)]
struct Batch {
    bytes: Vec<Vec<u8>>,
    report_rows: Vec<Vec<Val>>,
    check_rows: Vec<Vec<Val>>,
}

impl Batch {
    /// Adds report number `k` of device `d` on `basis` about document `doc`.
    fn push(
        &mut self,
        d: &mut Dev,
        k: usize,
        officer: i64,
        doc_key: &[u8],
        doc: &str,
        basis: &Basis,
    ) -> anyhow::Result<()> {
        let r = CheckReport {
            report_id: pora_crypto::random_bytes()?,
            device: d.id.to_string(),
            officer: "field1".into(),
            seq: d.seq,
            prev: d.prev,
            basis: basis.clone(),
            device_time: 1_795_489_200 + k as i64,
            gnss_time: Some(1_795_489_200 + k as i64),
            position: Position::from_degrees(-6.3 + (k % 100) as f64 * 1e-3, 107.15, 10.0),
            outcome: "valid".into(),
            warnings: vec![],
            trust_list_version: 1,
            status_list_at: None,
            doc_hash: report::doc_hash(doc_key, doc),
            permit_number: None,
            note: None,
        };
        let b = Unsigned::new(&r, &d.key.public_key())?.sign(&d.key)?;
        let h = report::hash(&b);
        self.report_rows.push(vec![
            Val::T(Some(hex::encode(r.report_id))),
            Val::I(Some(d.id)),
            Val::I(Some(officer)),
            Val::I(Some(1)),
            Val::I(Some(r.seq as i64)),
            Val::T(Some(hex::encode(h))),
            Val::T(r.prev.map(hex::encode)),
            Val::T(Some(if r.seq == 0 { "first" } else { "linked" }.into())),
            Val::I(Some(r.device_time)),
            Val::I(r.gnss_time),
            Val::T(Some(r.outcome.clone())),
            Val::T(Some(hex::encode(r.doc_hash))),
            Val::I(None),
            Val::B(Some(b.clone())),
            Val::I(Some(0)),
        ]);
        self.check_rows.push(vec![
            Val::I(Some(r.device_time)),
            Val::I(Some(officer)),
            Val::I(Some(d.id)),
            Val::I(Some(1)),
            Val::I(None),
            Val::I(None),
            Val::T(Some(r.outcome.clone())),
            Val::T(Some("not_found".into())),
            Val::I(None),
            Val::I(Some(1)),
            Val::F(Some(-6.3)),
            Val::F(Some(107.15)),
            Val::T(None),
            Val::T(None),
            Val::T(Some("{}".into())),
            Val::T(Some(hex::encode(r.report_id))),
        ]);
        d.prev = Some(h);
        d.seq += 1;
        self.bytes.push(b);
        Ok(())
    }
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> anyhow::Result<()> {
    let (mut db, mut raw_db) = (String::new(), String::new());
    let (mut n, mut batch, mut devices, mut uploaders, mut alg) =
        (100_000usize, 1000usize, 10usize, 2usize, "eddsa".to_owned());
    let (mut linked, mut permits, mut basis) = (0usize, 10_000usize, "caught".to_owned());
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || {
            args.next()
                .ok_or_else(|| anyhow::anyhow!("{a} needs a value"))
        };
        match a.as_str() {
            "--db" => db = val()?,
            "--raw-db" => raw_db = val()?,
            "--reports" => n = val()?.parse()?,
            "--batch" => batch = val()?.parse()?,
            "--devices" => devices = val()?.parse()?,
            "--uploaders" => uploaders = val()?.parse::<usize>()?.max(1),
            "--alg" => alg = val()?,
            "--linked" => linked = val()?.parse::<usize>()?.min(100),
            "--permits" => permits = val()?.parse::<usize>()?.max(1),
            "--basis" => basis = val()?,
            other => anyhow::bail!("unknown argument {other}"),
        }
    }
    anyhow::ensure!(
        !db.is_empty() && !raw_db.is_empty(),
        "--db and --raw-db are required"
    );
    let basis = match basis.as_str() {
        "caught" => Basis::CaughtInAct,
        "order" => Basis::Order(ORDER.into()),
        _ => anyhow::bail!("--basis caught|order"),
    };
    let alg = match alg.as_str() {
        "eddsa" => pora_core::Algorithm::EdDSA,
        "es256" => pora_core::Algorithm::ES256,
        _ => anyhow::bail!("--alg eddsa|es256"),
    };
    let dir = std::env::temp_dir().join(format!("pora-ingest-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let mut config = ServerConfig::new(&db, "127.0.0.1:0".parse()?);
    config.data_dir = dir.clone();
    config.argon2 = (256, 1, 1);
    let state = AppState::with_store(
        Store::open(&db).await?,
        config,
        Kek::generate(),
        ed25519_dalek::SigningKey::from_bytes(&[7; 32]),
    )
    .await?;
    state.bootstrap().await?;
    let raw = Store::open(&raw_db).await?;
    // One office, one officer, `devices` approved devices, in both databases.
    let mut devs = Vec::new();
    let mut officer = 0;
    for s in [&state.store, &raw] {
        let mut tx = s.tx().await?;
        let office = match repo::office_by_code(&mut tx, "BKS").await {
            Ok(o) => o.id,
            Err(_) => {
                repo::create_office(&mut tx, "BKS", "Kantor Imigrasi Bekasi", "32.16", 0).await?
            }
        };
        let user = repo::create_user(
            &mut tx,
            &repo::NewUser {
                username: "field1",
                display_name: "field1",
                role: Role::FieldOfficer,
                office_id: Some(office),
                foreigner_id: None,
                password_hash: "x",
            },
            0,
        )
        .await?;
        officer = user;
        for i in 0..devices {
            let key = pora_crypto::SigningKey::from_seed(alg, &[i as u8 + 1; 32])?;
            let pk = key.public_key();
            let id = repo::register_device(
                &mut tx,
                &format!("bench {i}"),
                &hex::encode(pk.as_bytes()),
                user,
                office,
                0,
            )
            .await?;
            repo::decide_device(&mut tx, id, "approved", user, 0).await?;
            let alg_name = if alg == pora_core::Algorithm::ES256 {
                "ES256"
            } else {
                "EdDSA"
            };
            field::set_device_key(
                &mut tx,
                id,
                alg_name,
                &hex::encode(pora_core::trust::kid_of(&pk)),
            )
            .await?;
            if std::ptr::eq(s, &state.store) {
                devs.push(Dev {
                    key,
                    id,
                    seq: 0,
                    prev: None,
                });
            }
        }
        tx.commit().await?;
    }
    // The registered permits that linked reports name, and the office's document-hash key.
    let doc_key = {
        let mut tx = state.store.tx().await?;
        let office = repo::office_by_code(&mut tx, "BKS").await?.id;
        if linked > 0 {
            register_permits(&mut tx, office, permits).await?;
        }
        if matches!(basis, Basis::Order(_)) {
            let day = |s: &str| pora_store::model::Date::parse("date", s);
            repo::create_written_order(
                &mut tx,
                ORDER,
                office,
                "Bench operation",
                None,
                day("2026-01-01")?,
                day("2027-12-31")?,
                None,
                0,
            )
            .await?;
        }
        let key = pora_server::ingest::doc_hash_key(&state, &mut tx, office)
            .await
            .map_err(|e| anyhow::anyhow!("{}", e.message))?;
        tx.commit().await?;
        key
    };
    let uploader = Uploader {
        user_id: Some(officer),
        actor: Actor {
            user_id: Some(officer),
            role: "field_officer".into(),
            office: "BKS".into(),
        },
    };
    let (mut t_ingest, mut t_raw) = (Duration::ZERO, Duration::ZERO);
    let (mut done, mut alerts, mut t_gen) = (0usize, 0usize, Duration::ZERO);
    let mut rss_max: f64 = 0.0;
    let mut next_report = 100_000usize;
    // Device i belongs to uploader i % uploaders; each uploader sends its devices' reports in order.
    let mut groups: Vec<Vec<Dev>> = (0..uploaders).map(|_| Vec::new()).collect();
    for (i, d) in devs.into_iter().enumerate() {
        groups[i % uploaders].push(d);
    }
    anyhow::ensure!(
        groups.iter().all(|g| !g.is_empty()),
        "--devices must be at least --uploaders"
    );
    println!("reports,ingest_per_s,raw_per_s,ratio,rss_mib");
    while done < n {
        // Make the round: per uploader up to ROUND batches, reports round-robin over its devices.
        let g = Instant::now();
        let mut round: Vec<Vec<Batch>> = (0..uploaders).map(|_| Vec::new()).collect();
        let mut made = done;
        'make: for _ in 0..ROUND {
            for (u, group) in groups.iter_mut().enumerate() {
                if made >= n {
                    break 'make;
                }
                let size = batch.min(n - made);
                let mut b = Batch::default();
                for i in 0..size {
                    let k = made + i;
                    let len = group.len();
                    let d = &mut group[i % len];
                    // Spread the linked ones evenly: report k is linked when k % 100 < linked.
                    let doc = if k % 100 < linked {
                        permit_number(k % permits)
                    } else {
                        format!("2C99BKS{k:07}")
                    };
                    b.push(d, k, officer, &doc_key, &doc, &basis)?;
                }
                made += size;
                round[u].push(b);
            }
        }
        t_gen += g.elapsed();
        let size = made - done;
        let t = Instant::now();
        let mut tasks = tokio::task::JoinSet::new();
        let mut raws = Vec::new();
        for batches in round {
            let (state, uploader) = (state.clone(), uploader.clone());
            let (bytes, rows): (Vec<_>, Vec<_>) = batches
                .into_iter()
                .map(|b| (b.bytes, (b.report_rows, b.check_rows)))
                .unzip();
            raws.extend(rows);
            tasks.spawn(async move {
                let mut alerts = 0;
                for b in bytes {
                    let want = b.len();
                    let res = ingest(&state, &uploader, b)
                        .await
                        .map_err(|e| anyhow::anyhow!("{}", e.message))?;
                    anyhow::ensure!(
                        res.accepted.len() == want,
                        "rejected: {:?}",
                        res.rejected.first()
                    );
                    alerts += res.alerts;
                }
                anyhow::Ok(alerts)
            });
        }
        while let Some(r) = tasks.join_next().await {
            alerts += r??;
        }
        t_ingest += t.elapsed();
        let t = Instant::now();
        for (report_rows, check_rows) in raws {
            let mut tx = raw.tx().await?;
            field::insert_rows(
                &mut tx,
                "field_reports",
                FIELD_REPORT_COLUMNS,
                &report_rows,
                "",
            )
            .await?;
            field::insert_rows(&mut tx, "check_reports", CHECK_COLUMNS, &check_rows, "").await?;
            tx.commit().await?;
        }
        t_raw += t.elapsed();
        done += size;
        rss_max = rss_max.max(rss_mib());
        if done >= next_report || done == n {
            next_report += 100_000;
            let a = done as f64 / t_ingest.as_secs_f64();
            let r = done as f64 / t_raw.as_secs_f64();
            println!("{done},{a:.0},{r:.0},{:.2},{:.1}", r / a, rss_mib());
        }
    }
    let a = done as f64 / t_ingest.as_secs_f64();
    let r = done as f64 / t_raw.as_secs_f64();
    println!(
        "summary: backend {:?}, {done} reports ({linked} % linked to {permits} permits, basis {basis:?}), {devices} devices ({alg:?}), batch {batch}, {uploaders} uploaders: ingest {a:.0}/s ({:.1} s), \
         raw insert {r:.0}/s ({:.1} s), raw/ingest {:.2}; {alerts} alerts; RSS max {rss_max:.1} MiB; signing the reports (untimed) {:.1} s",
        state.store.backend(),
        t_ingest.as_secs_f64(),
        t_raw.as_secs_f64(),
        r / a,
        t_gen.as_secs_f64()
    );
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// The written order of `--basis order`.
const ORDER: &str = "SP-BENCH/2026";

/// The number of bench permit `i`.
fn permit_number(i: usize) -> String {
    format!("2C21BKS{i:07}")
}

/// Registers `n` holders with one active ITAS each (the permits linked reports name).
async fn register_permits(tx: &mut pora_store::Tx, office: i64, n: usize) -> anyhow::Result<()> {
    use pora_store::model::{
        Date, Nationality, Niora, PermitNumber, PermitStatus, PermitType, Sex,
    };
    let date = |s: &str| Date::parse("date", s);
    let visa = repo::visa_index(tx, "E23", None, date("2026-01-01")?)
        .await?
        .id;
    for i in 0..n {
        let foreigner = repo::create_foreigner(
            tx,
            &repo::NewForeigner {
                niora: Niora::parse("niora", &format!("{}", 3_000_000_000u64 + i as u64))?,
                full_name: format!("Bench Holder {i}"),
                mrz_name: format!("HOLDER<<BENCH{i}"),
                sex: Sex::F,
                birth_place: "Osaka".into(),
                birth_date: date("1985-01-01")?,
                nationality: Nationality::parse("nationality", "JPN")?,
                occupation: None,
                office_id: office,
            },
            0,
        )
        .await?;
        repo::issue_permit(
            tx,
            &repo::NewPermit {
                number: PermitNumber::parse("number", &permit_number(i))?,
                permit_type: PermitType::Itas,
                foreigner_id: foreigner,
                passport_id: None,
                visa_index_id: visa,
                visa_code: "E23".into(),
                sponsor_id: None,
                employer_id: None,
                occupation: None,
                address_id: None,
                port_of_entry: None,
                entry_date: None,
                valid_from: date("2026-01-01")?,
                valid_until: date("2027-12-31")?,
                issuing_office_id: office,
                document_serial: format!("B{i:08}"),
                previous_permit_id: None,
                status: PermitStatus::Active,
            },
            None,
            0,
        )
        .await?;
    }
    Ok(())
}
