//! `pora field`: a field device on the command line. `enrol` makes the device key pair (0600) and
//! registers its public key; `check` verifies a permit offline, signs a chained check report and
//! stores it in the local queue (SQLite, WAL, synchronous=FULL) before printing the verdict; `sync`
//! uploads the queue in batches, marks what the server acknowledged, and downloads the trust list
//! and status lists when they changed (If-None-Match).
//!
//! The device directory holds `device.key` (PKCS#8, 0600), `queue.db` (0600) and the downloaded
//! `trust-root.pub`, `trust-list.cbor`, `status-<OFFICE>.cbor`. HTTP is plain HTTP/1.1 (a local
//! server or one behind a TLS-terminating proxy on the device's network).

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

use base64::Engine as _;
use clap::Subcommand;
use pora_core::crypto::Signer as _;
use pora_core::report::{self, Basis, CheckReport, Position, Unsigned};
use pora_core::status_list::StatusListToken;
use pora_core::trust::TrustList;
use pora_store::queue::{Queue, Queued};

use crate::error::{CliError, Exit};

/// Reports per upload.
pub const BATCH: i64 = 500;

#[derive(Subcommand, Debug)]
pub enum FieldCmd {
    /// Make this device's key pair and register it with the server (a supervisor then approves it).
    Enrol {
        /// Server base URL, e.g. http://127.0.0.1:8080.
        #[arg(long)]
        server: String,
        /// The officer's user name.
        #[arg(long)]
        user: String,
        /// The officer's password.
        #[arg(long, env = "PORA_PASSWORD")]
        password: String,
        /// Device label.
        #[arg(long, default_value = "pora CLI")]
        label: String,
        /// Key algorithm: es256 or eddsa.
        #[arg(long, default_value = "es256")]
        alg: String,
        /// Device directory.
        #[arg(long, default_value = "pora-device")]
        dir: PathBuf,
    },
    /// Verify a permit offline, sign the check report, and queue it (stored before the verdict is shown).
    Check {
        /// The QR text.
        text: Option<String>,
        /// Read the QR code from a photo instead.
        #[arg(long, conflicts_with = "text")]
        image: Option<PathBuf>,
        /// Written order (surat perintah) number.
        #[arg(long, conflicts_with = "caught")]
        order: Option<String>,
        /// No order: the person was caught in the act.
        #[arg(long)]
        caught: bool,
        /// Latitude (degrees).
        #[arg(long, requires = "lng", allow_hyphen_values = true)]
        lat: Option<f64>,
        /// Longitude (degrees).
        #[arg(long, requires = "lat", allow_hyphen_values = true)]
        lng: Option<f64>,
        /// Accuracy radius, metres.
        #[arg(long, default_value_t = 10.0)]
        accuracy: f64,
        /// Note.
        #[arg(long)]
        note: Option<String>,
        /// Device directory.
        #[arg(long, default_value = "pora-device")]
        dir: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Upload queued reports and refresh the trust and status lists.
    Sync {
        /// Device directory.
        #[arg(long, default_value = "pora-device")]
        dir: PathBuf,
        /// Reports per upload.
        #[arg(long, default_value_t = BATCH)]
        batch: i64,
    },
}

fn io(e: impl std::fmt::Display) -> CliError {
    CliError {
        exit: Exit::Io,
        message: e.to_string(),
    }
}

fn store(e: pora_store::StoreError) -> CliError {
    io(format!("queue: {e}"))
}

/// A response: status, headers (lower-case names), body.
struct Resp {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Resp {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

/// One HTTP/1.1 request (`Connection: close`) to `base` (`http://host:port`).
fn http(
    base: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&[u8]>,
) -> Result<Resp, CliError> {
    let host = base
        .strip_prefix("http://")
        .ok_or_else(|| CliError::usage("--server must start with http://"))?
        .trim_end_matches('/');
    let mut s = TcpStream::connect(host).map_err(|e| io(format!("{host}: {e}")))?;
    s.set_read_timeout(Some(Duration::from_secs(120)))
        .map_err(io)?;
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    if let Some(b) = body {
        req.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            b.len()
        ));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).map_err(io)?;
    if let Some(b) = body {
        s.write_all(b).map_err(io)?;
    }
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).map_err(io)?;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| io("bad HTTP response"))?;
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| io("bad HTTP status line"))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    if headers
        .iter()
        .any(|(k, v)| k == "transfer-encoding" && v.eq_ignore_ascii_case("chunked"))
    {
        body = dechunk(&body)?;
    }
    Ok(Resp {
        status,
        headers,
        body,
    })
}

fn dechunk(mut b: &[u8]) -> Result<Vec<u8>, CliError> {
    let mut out = Vec::new();
    loop {
        let eol = b
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or_else(|| io("bad chunk"))?;
        let n = usize::from_str_radix(String::from_utf8_lossy(&b[..eol]).trim(), 16)
            .map_err(|_| io("bad chunk size"))?;
        if n == 0 {
            return Ok(out);
        }
        let start = eol + 2;
        let chunk = b.get(start..start + n).ok_or_else(|| io("short chunk"))?;
        out.extend_from_slice(chunk);
        b = b.get(start + n + 2..).unwrap_or_default();
    }
}

fn expect(r: &Resp, want: u16, what: &str) -> Result<(), CliError> {
    if r.status == want {
        return Ok(());
    }
    Err(CliError::data(format!(
        "{what}: HTTP {} {}",
        r.status,
        String::from_utf8_lossy(&r.body)
    )))
}

async fn open_queue(dir: &Path) -> Result<Queue, CliError> {
    std::fs::create_dir_all(dir).map_err(io)?;
    let path = dir.join("queue.db");
    let q = Queue::open(&path).await.map_err(store)?;
    restrict(&path)?;
    Ok(q)
}

#[cfg(unix)]
fn restrict(path: &Path) -> Result<(), CliError> {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(io)
}

#[cfg(not(unix))]
fn restrict(_: &Path) -> Result<(), CliError> {
    Ok(())
}

async fn state(q: &Queue, key: &str) -> Result<String, CliError> {
    q.get(key).await.map_err(store)?.ok_or_else(|| {
        CliError::usage(format!(
            "this device is not enrolled ({key} unknown): run `pora field enrol`"
        ))
    })
}

/// Runs a `pora field` command.
pub fn run(cmd: FieldCmd) -> Result<Exit, CliError> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(io)?;
    rt.block_on(run_async(cmd))
}

async fn run_async(cmd: FieldCmd) -> Result<Exit, CliError> {
    match cmd {
        FieldCmd::Enrol {
            server,
            user,
            password,
            label,
            alg,
            dir,
        } => enrol(&server, &user, &password, &label, &alg, &dir).await,
        FieldCmd::Check {
            text,
            image,
            order,
            caught,
            lat,
            lng,
            accuracy,
            note,
            dir,
            json,
        } => {
            let basis = match (order, caught) {
                (Some(o), false) => Basis::Order(o),
                (None, true) => Basis::CaughtInAct,
                _ => return Err(CliError::usage("give --order NUMBER or --caught")),
            };
            let position = match (lat, lng) {
                (Some(la), Some(lo)) => Some(
                    Position::from_degrees(la, lo, accuracy)
                        .ok_or_else(|| CliError::usage("--lat/--lng/--accuracy out of range"))?,
                ),
                _ => None,
            };
            let text = match (text, image) {
                (Some(t), _) => t,
                (None, Some(p)) => {
                    let bytes = crate::error::read(&p)?;
                    pora_reader::read_image(&bytes, &pora_reader::ReadOptions::default())
                        .map_err(|e| CliError::data(format!("{}: {e}", p.display())))?
                        .into_iter()
                        .next()
                        .map(|c| c.text)
                        .ok_or_else(|| {
                            CliError::data(format!("{}: no QR code found", p.display()))
                        })?
                }
                (None, None) => return Err(CliError::usage("give the QR text or --image")),
            };
            check(&dir, &text, basis, position, note, json).await
        }
        FieldCmd::Sync { dir, batch } => sync(&dir, batch.clamp(1, 1000)).await,
    }
}

async fn enrol(
    server: &str,
    user: &str,
    password: &str,
    label: &str,
    alg: &str,
    dir: &Path,
) -> Result<Exit, CliError> {
    let q = open_queue(dir).await?;
    if q.get("device").await.map_err(store)?.is_some() {
        return Err(CliError::usage(format!(
            "{} already holds an enrolled device",
            dir.display()
        )));
    }
    let login = serde_json::json!({ "username": user, "password": password, "mode": "bearer" });
    let r = http(
        server,
        "POST",
        "/api/v1/auth/login",
        &[],
        Some(login.to_string().as_bytes()),
    )?;
    expect(&r, 200, "login")?;
    let token = r.json()["token"]
        .as_str()
        .ok_or_else(|| CliError::data("login: no token in the answer"))?
        .to_owned();
    let key = pora_crypto::SigningKey::generate(crate::keys::parse_alg(alg)?)
        .map_err(|e| CliError::data(e.to_string()))?;
    let key_path = dir.join("device.key");
    let pem = key
        .to_pkcs8_pem()
        .map_err(|e| CliError::data(e.to_string()))?;
    crate::error::write(&key_path, pem.as_bytes())?;
    restrict(&key_path)?;
    let body = serde_json::json!({ "label": label, "public_key": pora_core::hex::encode(key.public_key().as_bytes()) });
    let auth = format!("Bearer {token}");
    let r = http(
        server,
        "POST",
        "/api/v1/devices",
        &[("Authorization", &auth)],
        Some(body.to_string().as_bytes()),
    )?;
    expect(&r, 201, "device registration")?;
    let device = r.json()["device"].as_str().unwrap_or_default().to_owned();
    for (k, v) in [
        ("server", server),
        ("token", token.as_str()),
        ("device", device.as_str()),
        ("officer", user),
        ("next_seq", "0"),
    ] {
        q.set(k, v).await.map_err(store)?;
    }
    q.close().await;
    say!(
        "device {device} registered for {user}, waiting for approval; private key {} (0600). \
         After approval run `pora field sync --dir {}`.",
        key_path.display(),
        dir.display()
    );
    Ok(Exit::Ok)
}

fn load_lists(dir: &Path) -> Result<(TrustList, Vec<StatusListToken>), CliError> {
    let root = crate::keys::read_public(&dir.join("trust-root.pub"))?;
    let list = TrustList::verify(
        &crate::error::read(&dir.join("trust-list.cbor"))?,
        &root,
        pora_crypto::default_provider(),
    )
    .map_err(|e| CliError::data(format!("trust list: {e}")))?;
    let mut status = Vec::new();
    for e in std::fs::read_dir(dir).map_err(io)?.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        if name.starts_with("status-") && name.ends_with(".cbor") {
            if let Ok(t) = StatusListToken::verify(
                &crate::error::read(&e.path())?,
                &list,
                pora_crypto::default_provider(),
            ) {
                status.push(t);
            }
        }
    }
    Ok((list, status))
}

async fn check(
    dir: &Path,
    text: &str,
    basis: Basis,
    position: Option<Position>,
    note: Option<String>,
    json: bool,
) -> Result<Exit, CliError> {
    let q = open_queue(dir).await?;
    let device = state(&q, "device").await?;
    let officer = state(&q, "officer").await?;
    let doc_key = pora_core::hex::decode(&state(&q, "doc_hash_key").await.map_err(|_| {
        CliError::usage("the device is not approved yet (no doc-hash key): run `pora field sync` after approval")
    })?)
    .ok_or_else(|| CliError::data("corrupt doc-hash key in the queue"))?;
    let seq: u64 = state(&q, "next_seq")
        .await?
        .parse()
        .map_err(|_| CliError::data("corrupt next_seq"))?;
    let prev = match q.get("prev").await.map_err(store)? {
        Some(h) => Some(
            pora_core::hex::decode(&h)
                .and_then(|b| <[u8; 32]>::try_from(b).ok())
                .ok_or_else(|| CliError::data("corrupt chain head"))?,
        ),
        None => None,
    };
    let (list, status) = load_lists(dir)?;
    let now = crate::time::system_now();
    let ctx = pora_core::Context {
        trust: &list,
        status_lists: &status,
        now,
        policy: Default::default(),
    };
    let v = pora_core::verify(text, &ctx, pora_crypto::default_provider());
    let number = v.permit.as_ref().and_then(|p| p.permit_number.clone());
    let key = crate::keys::read_private(&dir.join("device.key"))?;
    let r = CheckReport {
        report_id: pora_crypto::random_bytes().map_err(|e| CliError::data(e.to_string()))?,
        device,
        officer,
        seq,
        prev,
        basis,
        device_time: now,
        gnss_time: position.map(|_| now),
        position,
        outcome: v.outcome.code().to_owned(),
        warnings: v.warnings.iter().map(|w| w.code().to_owned()).collect(),
        trust_list_version: list.version,
        status_list_at: status.iter().map(|s| s.issued_at).max(),
        doc_hash: report::doc_hash(&doc_key, number.as_deref().unwrap_or(text.trim())),
        permit_number: number,
        note,
    };
    let bytes = Unsigned::new(&r, &key.public_key())
        .and_then(|u| u.sign(&key))
        .map_err(|e| CliError::data(format!("signing the report: {e}")))?;
    let id = pora_core::hex::encode(&r.report_id);
    q.push_with_head(
        &Queued {
            report_id: id.clone(),
            seq: seq as i64,
            bytes: bytes.clone(),
        },
        &pora_core::hex::encode(&report::hash(&bytes)),
        now,
    )
    .await
    .map_err(store)?;
    q.close().await;
    // Stored (durably) before the verdict is shown.
    if json {
        let mut j = pora_verdict::verdict_json(&v);
        if let Some(o) = j.as_object_mut() {
            o.insert("report_id".into(), id.into());
            o.insert("seq".into(), seq.into());
        }
        say!("{}", serde_json::to_string_pretty(&j).unwrap_or_default());
    } else {
        say_raw!("{}", pora_verdict::verdict_text(&v));
        say!("report {id} (seq {seq}) queued");
    }
    Ok(crate::exit_of(&v))
}

/// Downloads `path` to `file` unless the server answers 304 to the stored ETag.
async fn refresh(q: &Queue, server: &str, path: &str, file: &Path) -> Result<bool, CliError> {
    let tag_key = format!("etag:{path}");
    let etag = q.get(&tag_key).await.map_err(store)?;
    let have = file.exists();
    let mut headers = Vec::new();
    if let (Some(e), true) = (&etag, have) {
        headers.push(("If-None-Match", e.as_str()));
    }
    let r = http(server, "GET", path, &headers, None)?;
    if r.status == 304 {
        return Ok(false);
    }
    expect(&r, 200, path)?;
    crate::error::write(file, &r.body)?;
    if let Some(e) = r.header("etag") {
        q.set(&tag_key, e).await.map_err(store)?;
    }
    Ok(true)
}

async fn sync(dir: &Path, batch: i64) -> Result<Exit, CliError> {
    let q = open_queue(dir).await?;
    let server = state(&q, "server").await?;
    let token = state(&q, "token").await?;
    let device = state(&q, "device").await?;
    let auth = format!("Bearer {token}");
    if q.get("doc_hash_key").await.map_err(store)?.is_none() {
        let r = http(
            &server,
            "GET",
            &format!("/api/v1/devices/{device}/enrolment"),
            &[("Authorization", &auth)],
            None,
        )?;
        expect(&r, 200, "enrolment")?;
        match r.json()["doc_hash_key"].as_str() {
            Some(k) => q.set("doc_hash_key", k).await.map_err(store)?,
            None => say!("device {device} is not approved yet"),
        }
    }
    // Trust root (first use), trust list and status lists, each only when changed.
    let root_file = dir.join("trust-root.pub");
    if !root_file.exists() {
        let r = http(&server, "GET", "/api/v1/trust-root", &[], None)?;
        expect(&r, 200, "trust root")?;
        let j = r.json();
        let alg = j["algorithm"].as_str().unwrap_or_default();
        let key = j["public_key"].as_str().unwrap_or_default();
        let pk = pora_core::hex::decode(key)
            .and_then(|raw| {
                pora_core::PublicKey::from_bytes(crate::keys::parse_alg(alg).ok()?, &raw).ok()
            })
            .ok_or_else(|| CliError::data("trust root: not a key"))?;
        let file = serde_json::json!({ "role": "root", "alg": alg, "public_key": key,
            "kid": pora_core::hex::encode(&pora_core::trust::kid_of(&pk)) });
        crate::error::write(&root_file, file.to_string().as_bytes())?;
    }
    let mut changed = Vec::new();
    if refresh(
        &q,
        &server,
        "/api/v1/trust-list",
        &dir.join("trust-list.cbor"),
    )
    .await?
    {
        changed.push("trust-list".to_owned());
    }
    if let Ok((list, _)) = load_lists(dir) {
        let mut offices: Vec<String> = list.signers.iter().map(|s| s.office.clone()).collect();
        offices.sort();
        offices.dedup();
        for o in offices {
            let file = dir.join(format!("status-{o}.cbor"));
            if refresh(&q, &server, &format!("/api/v1/status-list/{o}"), &file).await? {
                changed.push(format!("status-{o}"));
            }
        }
    }
    // Upload, oldest first; acknowledged reports are marked only after the server answered.
    let (mut sent, mut refused) = (0, 0);
    loop {
        let pending = q.pending(batch).await.map_err(store)?;
        if pending.is_empty() {
            break;
        }
        let body = serde_json::json!({ "reports": pending.iter()
            .map(|p| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&p.bytes)).collect::<Vec<_>>() });
        let r = http(
            &server,
            "POST",
            "/api/v1/field/reports",
            &[("Authorization", &auth)],
            Some(body.to_string().as_bytes()),
        )?;
        expect(&r, 200, "upload")?;
        let j = r.json();
        let mut acked: Vec<String> = Vec::new();
        for k in ["accepted", "duplicates"] {
            acked.extend(
                j[k].as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|v| v.as_str().map(str::to_owned)),
            );
        }
        let mut transient = false;
        for rej in j["rejected"].as_array().into_iter().flatten() {
            let code = rej["code"].as_str().unwrap_or_default();
            let Some(id) = rej["id"].as_str() else {
                continue;
            };
            if code == "device_not_approved" {
                transient = true;
                continue;
            }
            q.mark_refused(
                id,
                &format!("{code}: {}", rej["message"].as_str().unwrap_or_default()),
            )
            .await
            .map_err(store)?;
            refused += 1;
        }
        q.mark_acked(&acked).await.map_err(store)?;
        sent += acked.len();
        if transient || acked.is_empty() {
            break;
        }
    }
    let c = q.counts().await.map_err(store)?;
    q.close().await;
    say!(
        "synced {sent} reports ({refused} refused); queue: {} pending, {} acknowledged, {} refused; updated: {}",
        c.pending,
        c.acked,
        c.refused,
        if changed.is_empty() {
            "nothing".to_owned()
        } else {
            changed.join(", ")
        }
    );
    Ok(if c.pending == 0 {
        Exit::Ok
    } else {
        Exit::CannotTell
    })
}
