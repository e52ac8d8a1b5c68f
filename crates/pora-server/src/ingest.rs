//! Batch ingest of signed check reports: verify each signature with its device's enrolled key, place
//! it in the device's chain, link it to its permit, evaluate the alerts, and store everything.
//!
//! **One transaction per batch.** A batch is written in one audited transaction (the rows, the
//! alerts, the chain updates and one audit entry for the batch) and answered only after the commit,
//! so a server killed mid-batch stores nothing of it and the device, which saw no answer, sends it
//! again. Reports are idempotent by report id (UNIQUE): a resent report whose bytes are identical is
//! answered as a duplicate; a different report under a known id is refused (`conflict`) and raised
//! as an altered report.
//!
//! **Chain.** Reports of a batch are placed in seq order per device with
//! [`pora_core::report::link`] against the head the server holds; `Gap`, `Broken`, `MissingStart`, a
//! fork (two reports with one seq) and a late report (`Behind` that fills a gap: a reorder) are
//! stored with their chain state and raised as `device_chain` alerts. A late report also settles its
//! successor's state (`gap` → `linked`, or `broken`).

use std::collections::{BTreeMap, HashMap, HashSet};

use pora_core::report::{self, Basis, ChainHead, CheckReport, Link};
use pora_core::{Algorithm, PublicKey};
use pora_store::audit::NewEntry;
use pora_store::field::{
    self, ChainLink, DeviceKey, NewAlert, PermitFacts, Val, ALERT_COLUMNS, CHECK_COLUMNS,
    FIELD_REPORT_COLUMNS,
};
use pora_store::model::{Date, Purpose, PurposeKind};
use pora_store::repo::WrittenOrder;
use pora_store::Conn;
use serde::Serialize;
use serde_json::json;
use zeroize::Zeroizing;

use crate::alerts::{self, Limits, OrderFound, Seen};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Most reports in one batch.
pub const MAX_BATCH: usize = 1000;

/// A report refused, with the reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Rejected {
    /// Position in the batch.
    pub index: usize,
    /// Report id (hex), when the report could be decoded.
    pub id: Option<String>,
    /// Stable code.
    pub code: &'static str,
    /// Human message.
    pub message: String,
}

/// The answer to a batch.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct BatchResult {
    /// Stored now (hex report ids).
    pub accepted: Vec<String>,
    /// Already stored with identical bytes.
    pub duplicates: Vec<String>,
    /// Refused.
    pub rejected: Vec<Rejected>,
    /// Alerts raised by this batch.
    pub alerts: usize,
}

/// Who uploads: the officer whose devices' reports are accepted (None: any device, for the demo and
/// the benchmark).
#[derive(Clone, Debug)]
pub struct Uploader {
    /// User id; reports of other officers' devices are refused.
    pub user_id: Option<i64>,
    /// The audit actor.
    pub actor: pora_store::audit::Actor,
}

/// A verified report with what the chain and the store need.
struct Verified {
    index: usize,
    bytes: Vec<u8>,
    report: CheckReport,
    id: String,
    hash: [u8; 32],
    device: DeviceKey,
}

fn reject(index: usize, id: Option<String>, code: &'static str, message: String) -> Rejected {
    Rejected {
        index,
        id,
        code,
        message,
    }
}

/// The device key as a [`PublicKey`].
pub fn device_public_key(d: &DeviceKey) -> Option<PublicKey> {
    let alg = match d.algorithm.as_deref() {
        Some("ES256") => Algorithm::ES256,
        Some("EdDSA") | None => Algorithm::EdDSA,
        Some(_) => return None,
    };
    let bytes = hex::decode(d.public_key.trim()).ok()?;
    PublicKey::from_bytes(alg, &bytes).ok()
}

/// A report refused because it does not verify under the key of the device it names or is signed
/// by: evidence for a `device_chain` alert (`problem: bad_signature`), one per device and batch.
struct Unverified {
    index: usize,
    id: String,
    seq: u64,
    code: &'static str,
    kid: String,
    bytes: Vec<u8>,
}

/// What [`verify_all`] found: the reports that verify, and those whose signature fails although
/// they come from (or name) an enrolled device.
#[derive(Default)]
struct Checked {
    verified: Vec<Verified>,
    forged: BTreeMap<i64, (DeviceKey, Vec<Unverified>)>,
}

/// The `device_chain` alerts for reports that fail verification under an enrolled device's key:
/// one per device, with the failing reports' ids, codes and the first one's bytes as evidence.
fn signature_alerts(
    forged: BTreeMap<i64, (DeviceKey, Vec<Unverified>)>,
    now: i64,
) -> Vec<NewAlert> {
    forged
        .into_values()
        .map(|(d, bad)| {
            let first = &bad[0];
            NewAlert {
                kind: "device_chain".into(),
                office_id: d.office_id,
                permit_id: None,
                foreigner_id: None,
                check_id: None,
                device_id: Some(d.id),
                officer_id: Some(d.officer_id),
                // The refused reports are not stored: their ids are evidence, not references.
                report_id: None,
                reason: format!(
                    "{} report(s) naming device {} do not verify under its enrolled key: forged or altered",
                    bad.len(),
                    d.id
                ),
                details: json!({
                    "problem": "bad_signature",
                    "device_state": d.state,
                    "reports": bad.iter().map(|u| json!({
                        "index": u.index, "report_id": u.id, "seq": u.seq, "code": u.code, "kid": u.kid,
                    })).collect::<Vec<_>>(),
                    "first_received": hex::encode(&first.bytes),
                }),
                at: now,
            }
        })
        .collect()
}

/// Decodes, finds the device of and verifies every report; the refused ones go to `rejected`.
async fn verify_all(
    state: &AppState,
    uploader: &Uploader,
    reports: Vec<Vec<u8>>,
    rejected: &mut Vec<Rejected>,
) -> ApiResult<Checked> {
    let mut parsed = Vec::with_capacity(reports.len());
    let mut kids: HashSet<String> = HashSet::new();
    for (index, bytes) in reports.into_iter().enumerate() {
        match report::parse(&bytes) {
            Ok(p) => {
                kids.insert(hex::encode(&p.kid));
                parsed.push((index, bytes, p));
            }
            Err(e) => rejected.push(reject(index, None, e.code(), e.to_string())),
        }
    }
    let mut devices: HashMap<String, Option<DeviceKey>> = HashMap::new();
    let mut c = state.store.conn().await?;
    for kid in kids {
        let d = field::device_by_kid(&mut c, &kid).await?;
        devices.insert(kid, d);
    }
    // Devices named by reports whose kid is unknown: a report in an enrolled device's name signed
    // by another key is a forgery to raise, not only to refuse.
    let mut named: HashMap<i64, Option<DeviceKey>> = HashMap::new();
    for (_, _, p) in &parsed {
        if devices
            .get(&hex::encode(&p.kid))
            .is_some_and(Option::is_none)
        {
            if let Ok(id) = p.report.device.parse::<i64>() {
                named.insert(id, None);
            }
        }
    }
    for (id, d) in named.iter_mut() {
        *d = field::device_key(&mut c, *id).await?;
    }
    drop(c);
    let mut out = Checked::default();
    let mut todo = Vec::with_capacity(parsed.len());
    for (index, bytes, p) in parsed {
        let id = hex::encode(p.report.report_id);
        let refuse = |code, msg: String| reject(index, Some(id.clone()), code, msg);
        let kid = hex::encode(&p.kid);
        let Some(d) = devices.get(&kid).and_then(Clone::clone) else {
            if let Some(Some(d)) = p
                .report
                .device
                .parse::<i64>()
                .ok()
                .and_then(|n| named.get(&n))
            {
                out.forged
                    .entry(d.id)
                    .or_insert_with(|| (d.clone(), Vec::new()))
                    .1
                    .push(Unverified {
                        index,
                        id: id.clone(),
                        seq: p.report.seq,
                        code: "unknown_device",
                        kid,
                        bytes,
                    });
            }
            rejected.push(refuse(
                "unknown_device",
                "no enrolled device has this key id".into(),
            ));
            continue;
        };
        if d.state != "approved" {
            rejected.push(refuse(
                "device_not_approved",
                format!("device {} is {}", d.id, d.state),
            ));
            continue;
        }
        if uploader.user_id.is_some_and(|u| u != d.officer_id) {
            rejected.push(refuse(
                "not_your_device",
                format!("device {} is enrolled to another officer", d.id),
            ));
            continue;
        }
        if p.report.device != d.id.to_string() {
            rejected.push(refuse(
                "device_mismatch",
                format!(
                    "the report names device {:?} but is signed by device {}",
                    p.report.device, d.id
                ),
            ));
            continue;
        }
        if p.report.officer != d.officer {
            rejected.push(refuse(
                "officer_mismatch",
                format!(
                    "the report names officer {:?}, the device is enrolled to {}",
                    p.report.officer, d.officer
                ),
            ));
            continue;
        }
        let Some(key) = device_public_key(&d) else {
            rejected.push(refuse(
                "device_key",
                "the enrolled device key is unusable".into(),
            ));
            continue;
        };
        todo.push((index, bytes, p, id, d, key));
    }
    // Signatures are checked on every core, off the async runtime.
    let checked = tokio::task::spawn_blocking(move || {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let chunk = todo.len().div_ceil(threads).max(1);
        let mut parts: Vec<Vec<_>> = Vec::new();
        let mut it = todo.into_iter().peekable();
        while it.peek().is_some() {
            parts.push(it.by_ref().take(chunk).collect());
        }
        std::thread::scope(|s| {
            let handles: Vec<_> = parts
                .into_iter()
                .map(|part| {
                    s.spawn(move || {
                        part.into_iter()
                            .map(|(index, bytes, p, id, d, key)| {
                                let seq = p.report.seq;
                                let kid = hex::encode(&p.kid);
                                let res = p.verify(&key, pora_crypto::default_provider());
                                (index, bytes, res, id, d, seq, kid)
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap_or_default())
                .collect::<Vec<_>>()
        })
    })
    .await
    .map_err(ApiError::internal)?;
    out.verified.reserve(checked.len());
    for (index, bytes, res, id, device, seq, kid) in checked {
        match res {
            Ok(report) => {
                let hash = report::hash(&bytes);
                out.verified.push(Verified {
                    index,
                    bytes,
                    report,
                    id,
                    hash,
                    device,
                });
            }
            Err(e) => {
                rejected.push(reject(index, Some(id.clone()), e.code(), e.to_string()));
                out.forged
                    .entry(device.id)
                    .or_insert_with(|| (device.clone(), Vec::new()))
                    .1
                    .push(Unverified {
                        index,
                        id,
                        seq,
                        code: e.code(),
                        kid,
                        bytes,
                    });
            }
        }
    }
    Ok(out)
}

/// The office's document-hash key, created on first use (32 random bytes sealed by the KEK), after
/// hashing every permit issued since the last call under it.
pub async fn doc_hash_key(
    state: &AppState,
    c: &mut Conn,
    office_id: i64,
) -> ApiResult<Zeroizing<Vec<u8>>> {
    let aad = format!("doc-hash-key:{office_id}");
    let row = match field::doc_hash_key(c, office_id).await? {
        Some(r) => r,
        None => {
            let key: [u8; 32] = pora_crypto::random_bytes().map_err(ApiError::internal)?;
            let sealed = state.keys.kek().seal(&key, &aad);
            field::insert_doc_hash_key(
                c,
                office_id,
                &sealed,
                state.keys.kek_id(),
                pora_store::model::now_unix(),
            )
            .await?;
            field::doc_hash_key(c, office_id)
                .await?
                .ok_or_else(|| ApiError::internal("doc-hash key vanished"))?
        }
    };
    let key = state
        .keys
        .kek()
        .open(&row.0, &aad)
        .map_err(ApiError::internal)?;
    let fresh = field::permit_numbers_after(c, row.2).await?;
    if let Some(last) = fresh.last().map(|(id, _)| *id) {
        let hashes: Vec<(String, i64)> = fresh
            .iter()
            .map(|(id, n)| (hex::encode(report::doc_hash(&key, n)), *id))
            .collect();
        field::add_doc_hashes(c, office_id, &hashes, last).await?;
    }
    Ok(key)
}

/// Where a report stands in its device's chain, and the alert it raises if any.
struct Placed {
    chain: &'static str,
    problem: Option<(&'static str, String, serde_json::Value)>,
    /// A stored successor whose state this report settles.
    settle: Option<(String, &'static str)>,
}

/// What the server holds of one device's chain during a batch.
struct DeviceChain {
    head: Option<ChainHead>,
    by_seq: BTreeMap<i64, Vec<ChainLink>>,
}

fn unhex32(s: &str) -> Option<[u8; 32]> {
    hex::decode(s).ok()?.try_into().ok()
}

impl DeviceChain {
    async fn load(c: &mut Conn, device_id: i64, lo: i64, hi: i64) -> ApiResult<Self> {
        let window = field::chain_window(c, device_id, lo.saturating_sub(1), hi + 1).await?;
        let head = field::chain_head(c, device_id).await?;
        let mut by_seq: BTreeMap<i64, Vec<ChainLink>> = BTreeMap::new();
        for l in window {
            by_seq.entry(l.seq).or_default().push(l);
        }
        Ok(DeviceChain {
            head: head.and_then(|(seq, h)| {
                Some(ChainHead {
                    seq: u64::try_from(seq).ok()?,
                    hash: unhex32(&h)?,
                })
            }),
            by_seq,
        })
    }

    fn place(&mut self, v: &Verified) -> Placed {
        let r = &v.report;
        let seq = r.seq as i64;
        let prev_hex = r.prev.map(hex::encode);
        let mut settle = None;
        let (chain, problem) = match report::link(self.head, r) {
            Link::Genesis => ("first", None),
            Link::Next => ("linked", None),
            Link::Gap { from, to } => (
                "gap",
                Some((
                    "gap",
                    format!("reports {from}..={to} of the device are missing"),
                    json!({ "missing_from": from, "missing_to": to, "seq": r.seq }),
                )),
            ),
            Link::MissingStart { to } => (
                "gap",
                Some((
                    "gap",
                    format!("the device's first {} reports are missing", to + 1),
                    json!({ "missing_from": 0, "missing_to": to, "seq": r.seq }),
                )),
            ),
            Link::Broken => (
                "broken",
                Some((
                    "broken",
                    format!(
                        "report {} does not name the hash of report {}: altered or replaced",
                        r.seq,
                        r.seq - 1
                    ),
                    json!({ "seq": r.seq, "prev": prev_hex, "expected": self.head.map(|h| hex::encode(h.hash)) }),
                )),
            ),
            Link::Behind => {
                let same_seq: Vec<&ChainLink> = self
                    .by_seq
                    .get(&seq)
                    .map(|v| v.iter().collect())
                    .unwrap_or_default();
                if !same_seq.is_empty() {
                    (
                        "fork",
                        Some((
                            "fork",
                            format!("two different reports carry seq {}", r.seq),
                            json!({ "seq": r.seq, "others": same_seq.iter().map(|l| &l.report_id).collect::<Vec<_>>() }),
                        )),
                    )
                } else {
                    let pred = self.by_seq.get(&(seq - 1)).and_then(|v| v.first());
                    let chain = match (seq, pred) {
                        (0, _) => "first",
                        (_, Some(p)) if Some(&p.hash) == prev_hex.as_ref() => "linked",
                        (_, Some(_)) => "broken",
                        (_, None) => "gap",
                    };
                    if let Some(next) = self.by_seq.get(&(seq + 1)).and_then(|v| v.first()) {
                        if next.chain == "gap" {
                            let ok = next.prev.as_deref() == Some(hex::encode(v.hash).as_str());
                            settle = Some((
                                next.report_id.clone(),
                                if ok { "linked" } else { "broken" },
                            ));
                        }
                    }
                    (
                        chain,
                        Some((
                            "reorder",
                            format!(
                                "report {} arrived after report {} of the same device",
                                r.seq,
                                self.head.map_or(0, |h| h.seq)
                            ),
                            json!({ "seq": r.seq, "head": self.head.map(|h| h.seq), "chain": chain }),
                        )),
                    )
                }
            }
        };
        self.by_seq.entry(seq).or_default().push(ChainLink {
            report_id: v.id.clone(),
            seq,
            hash: hex::encode(v.hash),
            prev: prev_hex,
            chain: chain.into(),
        });
        if self.head.is_none_or(|h| r.seq > h.seq) {
            self.head = Some(ChainHead {
                seq: r.seq,
                hash: v.hash,
            });
        }
        Placed {
            chain,
            problem,
            settle,
        }
    }
}

/// The check row's outcome for a verification outcome code.
fn check_outcome(code: &str, linked: bool) -> &'static str {
    match code {
        c if alerts::FORGED_CODES.contains(&c) => "forged",
        _ if !linked => "not_found",
        "valid" => "ok",
        "incomplete" => "incomplete",
        _ => "finding",
    }
}

/// Ingests one batch of report bytes (see the module documentation).
pub async fn ingest(
    state: &AppState,
    uploader: &Uploader,
    reports: Vec<Vec<u8>>,
) -> ApiResult<BatchResult> {
    ingest_at(state, uploader, reports, pora_store::model::now_unix()).await
}

/// [`ingest`] with the time of receipt given (`received_at` and the alerts' time): the demo's year
/// of checks, synced week by week.
pub async fn ingest_at(
    state: &AppState,
    uploader: &Uploader,
    reports: Vec<Vec<u8>>,
    now: i64,
) -> ApiResult<BatchResult> {
    if reports.len() > MAX_BATCH {
        return Err(ApiError::invalid(
            "reports",
            format!("at most {MAX_BATCH} reports per batch"),
        ));
    }
    let mut out = BatchResult::default();
    let Checked {
        mut verified,
        forged,
    } = verify_all(state, uploader, reports, &mut out.rejected).await?;
    verified.sort_by_key(|v| (v.device.id, v.report.seq, v.index));
    let limits = Limits {
        away_distance_m: state.config.away_distance_m,
        clock_skew_secs: state.config.clock_skew_secs,
    };
    let mut tx = state.store.begin_audited().await?;
    let c = tx.conn();

    // Duplicates and conflicts, by report id (also within the batch).
    let ids: Vec<String> = verified.iter().map(|v| v.id.clone()).collect();
    let mut known: HashMap<String, String> =
        field::known_reports(c, &ids).await?.into_iter().collect();
    let mut alerts_out: Vec<NewAlert> = signature_alerts(forged, now);
    let mut fresh: Vec<Verified> = Vec::with_capacity(verified.len());
    for v in verified {
        let h = hex::encode(v.hash);
        match known.get(&v.id) {
            Some(stored) if *stored == h => out.duplicates.push(v.id),
            Some(stored) => {
                alerts_out.push(NewAlert {
                    kind: "device_chain".into(),
                    office_id: v.device.office_id,
                    permit_id: None,
                    foreigner_id: None,
                    check_id: None,
                    device_id: Some(v.device.id),
                    officer_id: Some(v.device.officer_id),
                    report_id: Some(v.id.clone()),
                    reason: format!(
                        "a different report was sent under the known report id {}: altered",
                        v.id
                    ),
                    details: json!({ "problem": "altered", "stored_hash": stored, "received_hash": h, "received": hex::encode(&v.bytes) }),
                    at: now,
                });
                out.rejected.push(reject(
                    v.index,
                    Some(v.id.clone()),
                    "conflict",
                    "a different report with this id is already stored".into(),
                ));
            }
            None => {
                known.insert(v.id.clone(), h);
                fresh.push(v);
            }
        }
    }

    // Permits: by number where the report carries it, else by document hash under the office key.
    let numbers: Vec<String> = fresh
        .iter()
        .filter_map(|v| v.report.permit_number.as_deref())
        .map(|n| n.trim().to_ascii_uppercase())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let mut by_number: HashMap<String, PermitFacts> = field::permit_facts_by_number(c, &numbers)
        .await?
        .into_iter()
        .map(|p| (p.number.to_ascii_uppercase(), p))
        .collect();
    let mut by_hash: HashMap<(i64, String), i64> = HashMap::new();
    let offices: HashSet<i64> = fresh
        .iter()
        .filter(|v| v.report.permit_number.is_none())
        .map(|v| v.device.office_id)
        .collect();
    for office in offices {
        doc_hash_key(state, c, office).await?;
        let hashes: Vec<String> = fresh
            .iter()
            .filter(|v| v.report.permit_number.is_none() && v.device.office_id == office)
            .map(|v| hex::encode(v.report.doc_hash))
            .collect();
        for (h, id) in field::permits_by_doc_hash(c, office, &hashes).await? {
            by_hash.insert((office, h), id);
        }
    }
    let hashed_ids: Vec<i64> = by_hash
        .values()
        .copied()
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let mut by_id: HashMap<i64, PermitFacts> = field::permit_facts_by_id(c, &hashed_ids)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let number_ids: HashMap<String, i64> = by_number
        .drain()
        .map(|(n, p)| {
            let id = p.id;
            by_id.insert(id, p);
            (n, id)
        })
        .collect();
    let permit_of = |v: &Verified| -> Option<i64> {
        match &v.report.permit_number {
            Some(n) => number_ids.get(&n.trim().to_ascii_uppercase()).copied(),
            None => by_hash
                .get(&(v.device.office_id, hex::encode(v.report.doc_hash)))
                .copied(),
        }
    };
    let permit_ids: Vec<Option<i64>> = fresh.iter().map(permit_of).collect();
    let open_expiring: HashSet<i64> = field::open_alert_permits(
        c,
        "expiring",
        &permit_ids.iter().flatten().copied().collect::<Vec<_>>(),
    )
    .await?
    .into_iter()
    .collect();

    // Written orders.
    let order_numbers: Vec<String> = fresh
        .iter()
        .filter_map(|v| match &v.report.basis {
            Basis::Order(n) => Some(n.clone()),
            Basis::CaughtInAct => None,
        })
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let orders: HashMap<String, WrittenOrder> = field::orders_by_number(c, &order_numbers)
        .await?
        .into_iter()
        .map(|o| (o.number.clone(), o))
        .collect();

    // Chains, per device.
    let mut chains: HashMap<i64, DeviceChain> = HashMap::new();
    let mut spans: HashMap<i64, (i64, i64)> = HashMap::new();
    for v in &fresh {
        let s = v.report.seq as i64;
        let e = spans.entry(v.device.id).or_insert((s, s));
        e.0 = e.0.min(s);
        e.1 = e.1.max(s);
    }
    for (device, (lo, hi)) in spans {
        chains.insert(device, DeviceChain::load(c, device, lo, hi).await?);
    }

    let mut report_rows = Vec::with_capacity(fresh.len());
    let mut check_rows = Vec::with_capacity(fresh.len());
    let mut settles = Vec::new();
    let mut checked: Vec<NewEntry> = Vec::new();
    for (v, permit_id) in fresh.iter().zip(&permit_ids) {
        let r = &v.report;
        let chain = chains
            .get_mut(&v.device.id)
            .ok_or_else(|| ApiError::internal("chain not loaded"))?;
        let placed = chain.place(v);
        if let Some((problem, reason, mut ev)) = placed.problem {
            ev["problem"] = json!(problem);
            alerts_out.push(NewAlert {
                kind: "device_chain".into(),
                office_id: v.device.office_id,
                permit_id: None,
                foreigner_id: None,
                check_id: None,
                device_id: Some(v.device.id),
                officer_id: Some(v.device.officer_id),
                report_id: Some(v.id.clone()),
                reason,
                details: ev,
                at: now,
            });
        }
        if let Some(s) = placed.settle {
            settles.push(s);
        }
        let permit = permit_id.and_then(|id| by_id.get(&id));
        let position = r.position.map(|p| (p.lat(), p.lon()));
        let place = position.and_then(|(la, lo)| crate::demo::geo::locate(la, lo));
        let day = Date::from_unix(r.device_time).to_string();
        let order = match &r.basis {
            Basis::CaughtInAct => OrderFound::None,
            Basis::Order(n) => match orders.get(n) {
                None => OrderFound::Refused("unknown written order"),
                Some(o) if o.office_id != v.device.office_id => {
                    OrderFound::Refused("the written order belongs to another office")
                }
                Some(o) if o.status == "cancelled" => {
                    OrderFound::Refused("the written order was cancelled")
                }
                Some(o) if !o.in_force_on(&day) => {
                    OrderFound::Refused("the written order is not in force on the day of the check")
                }
                Some(o) => OrderFound::InForce(o),
            },
        };
        let seen = Seen {
            report: r,
            report_id: &v.id,
            device_id: v.device.id,
            officer_id: v.device.officer_id,
            office_id: v.device.office_id,
            permit,
            order,
            place,
            expiring_alert_open: permit_id.is_some_and(|id| open_expiring.contains(&id)),
            now,
        };
        alerts_out.extend(alerts::evaluate(&seen, limits));
        report_rows.push(vec![
            Val::T(Some(v.id.clone())),
            Val::I(Some(v.device.id)),
            Val::I(Some(v.device.officer_id)),
            Val::I(Some(v.device.office_id)),
            Val::I(Some(r.seq as i64)),
            Val::T(Some(hex::encode(v.hash))),
            Val::T(r.prev.map(hex::encode)),
            Val::T(Some(placed.chain.into())),
            Val::I(Some(r.device_time)),
            Val::I(r.gnss_time),
            Val::T(Some(r.outcome.clone())),
            Val::T(Some(hex::encode(r.doc_hash))),
            Val::I(*permit_id),
            Val::B(Some(v.bytes.clone())),
            Val::I(Some(now)),
        ]);
        let (order_id, caught, purpose) = match order {
            OrderFound::InForce(o) => (
                Some(o.id),
                0,
                Purpose {
                    kind: PurposeKind::Operation,
                    reference: o.number.clone(),
                },
            ),
            OrderFound::None => (
                None,
                1,
                Purpose {
                    kind: PurposeKind::Check,
                    reference: "caught_in_act".into(),
                },
            ),
            // No check row without a basis the schema accepts: the report and its alert remain.
            OrderFound::Refused(_) => continue,
        };
        // The check touched a person's record: it is in their trail, with the operation as purpose.
        if let Some(p) = permit {
            checked.push(NewEntry {
                actor: uploader.actor.clone(),
                action: "person.check".into(),
                subject_kind: "person".into(),
                subject_id: p.niora.clone(),
                purpose,
                details: json!({ "report": v.id, "verdict": r.outcome }),
            });
        }
        check_rows.push(vec![
            Val::I(Some(r.device_time)),
            Val::I(Some(v.device.officer_id)),
            Val::I(Some(v.device.id)),
            Val::I(Some(v.device.office_id)),
            Val::I(*permit_id),
            Val::I(permit.map(|p| p.foreigner_id)),
            Val::T(Some(r.outcome.clone())),
            Val::T(Some(check_outcome(&r.outcome, permit.is_some()).into())),
            Val::I(order_id),
            Val::I(Some(caught)),
            Val::F(position.map(|p| p.0)),
            Val::F(position.map(|p| p.1)),
            Val::T(place.map(|d| d.code.clone())),
            Val::T(r.note.clone()),
            Val::T(Some(
                json!({ "device_signed": true, "report": v.id, "seq": r.seq, "accuracy_m": r.position.map(|p| p.accuracy_m) })
                    .to_string(),
            )),
            Val::T(Some(v.id.clone())),
        ]);
    }
    field::insert_rows(c, "field_reports", FIELD_REPORT_COLUMNS, &report_rows, "").await?;
    field::insert_rows(c, "check_reports", CHECK_COLUMNS, &check_rows, "").await?;
    for (id, chain) in settles {
        field::set_chain(c, &id, chain).await?;
    }
    // An alert about a stored report names its check too (the check row derived from it).
    let with_report: Vec<String> = alerts_out
        .iter()
        .filter_map(|a| a.report_id.clone())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let checks: HashMap<String, i64> = field::checks_by_report(c, &with_report)
        .await?
        .into_iter()
        .collect();
    for a in &mut alerts_out {
        if let Some(r) = &a.report_id {
            a.check_id = checks.get(r).copied();
        }
    }
    let alert_rows: Vec<Vec<Val>> = alerts_out.iter().map(NewAlert::row).collect();
    field::insert_rows(c, "alerts", ALERT_COLUMNS, &alert_rows, "").await?;
    out.accepted = fresh.iter().map(|v| v.id.clone()).collect();
    out.alerts = alerts_out.len();
    let at = pora_store::model::now_unix();
    tx.append_all(checked.into_iter().map(|e| (e, at)).collect())
        .await?;
    tx.append(NewEntry {
        actor: uploader.actor.clone(),
        action: "field.reports.ingest".into(),
        subject_kind: "device".into(),
        subject_id: fresh
            .iter()
            .map(|v| v.device.id)
            .collect::<std::collections::BTreeSet<_>>()
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(","),
        purpose: Purpose::system("field_sync"),
        details: json!({
            "accepted": out.accepted.len(),
            "duplicates": out.duplicates.len(),
            "rejected": out.rejected.len(),
            "alerts": out.alerts,
        }),
    })
    .await?;
    tx.commit().await?;
    out.rejected.sort_by_key(|r| r.index);
    Ok(out)
}
