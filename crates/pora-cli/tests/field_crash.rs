//! Crash tests of the field queue and sync with real processes: `pora serve` and `pora field sync`
//! are killed with SIGKILL in the middle of an upload of thousands of signed reports; after a
//! restart and a new sync the server holds exactly one row per report and an intact chain.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use pora_core::crypto::Signer as _;
use pora_core::report::{self, Basis, CheckReport, Position, Unsigned};
use pora_server::{AppState, ServerConfig};
use pora_store::model::Role;
use pora_store::queue::{Queue, Queued};
use pora_store::testing::count;
use pora_store::{repo, Store};

const REPORTS: usize = 3000;
const PASSWORD: &str = "kata sandi lapangan";

fn pora(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pora"))
        .args(args)
        .output()
        .expect("run pora")
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Runtime::new().unwrap()
}

struct World {
    dir: tempfile::TempDir,
    port: u16,
    server: Option<Child>,
}

impl World {
    fn db(&self) -> String {
        format!("sqlite:{}", self.dir.path().join("server.db").display())
    }

    fn device(&self) -> PathBuf {
        self.dir.path().join("device")
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Creates the database: office BKS, a field officer and a supervisor.
    fn new() -> World {
        let dir = tempfile::tempdir().unwrap();
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let w = World {
            dir,
            port,
            server: None,
        };
        let mut config = ServerConfig::new(&w.db(), format!("127.0.0.1:{port}").parse().unwrap());
        config.data_dir = w.dir.path().to_owned();
        rt().block_on(async {
            let state = AppState::open(config).await.unwrap();
            let mut c = state.store.conn().await.unwrap();
            let bks = repo::create_office(&mut c, "BKS", "Kantor Imigrasi Bekasi", "32.16", 0)
                .await
                .unwrap();
            drop(c);
            for (u, role) in [("field1", Role::FieldOfficer), ("sup1", Role::Supervisor)] {
                state
                    .create_user(u, u, role, Some(bks), None, PASSWORD)
                    .await
                    .unwrap();
            }
            state.store.close().await;
        });
        w
    }

    fn start(&mut self) {
        let log = std::fs::File::create(self.dir.path().join("server.log")).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_pora"))
            .args(["serve", "--db", &self.db(), "--listen"])
            .arg(format!("127.0.0.1:{}", self.port))
            .arg("--data-dir")
            .arg(self.dir.path())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        self.server = Some(child);
        let t = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                t.elapsed() < Duration::from_secs(60),
                "server did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn kill_server(&mut self) {
        if let Some(mut c) = self.server.take() {
            c.kill().unwrap(); // SIGKILL
            c.wait().unwrap();
        }
    }

    async fn store(&self) -> Store {
        Store::open(&self.db()).await.unwrap()
    }

    /// Rows on the server: (reports, distinct report ids, reports not cleanly chained, chain alerts).
    fn counts(&self) -> (i64, i64, i64, i64) {
        rt().block_on(async {
            let s = self.store().await;
            let out = (
                count(&s, "SELECT COUNT(*) FROM field_reports").await,
                count(&s, "SELECT COUNT(DISTINCT report_id) FROM field_reports").await,
                count(
                    &s,
                    "SELECT COUNT(*) FROM field_reports WHERE chain NOT IN ('first', 'linked')",
                )
                .await,
                count(
                    &s,
                    "SELECT COUNT(*) FROM alerts WHERE kind = 'device_chain'",
                )
                .await,
            );
            s.close().await;
            out
        })
    }

    /// Enrols the device through the CLI, approves it in the database, syncs once.
    fn enrol(&self) {
        let dev = self.device();
        let o = pora(&[
            "field",
            "enrol",
            "--server",
            &self.url(),
            "--user",
            "field1",
            "--password",
            PASSWORD,
            "--dir",
            dev.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        rt().block_on(async {
            let s = self.store().await;
            let mut c = s.conn().await.unwrap();
            let sup = repo::user_by_username(&mut c, "sup1")
                .await
                .unwrap()
                .unwrap();
            let devices = repo::devices(
                &mut c,
                None,
                pora_store::model::Page::new(None, None).unwrap(),
            )
            .await
            .unwrap();
            drop(c);
            let mut tx = s.tx().await.unwrap();
            repo::decide_device(&mut tx, devices[0].id, "approved", sup.id, 0)
                .await
                .unwrap();
            tx.commit().await.unwrap();
            s.close().await;
        });
        let o = pora(&["field", "sync", "--dir", dev.to_str().unwrap()]);
        assert!(
            o.status.success(),
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
    }

    /// Two checks through the CLI (the real path: verify, sign, queue before printing), then
    /// `REPORTS - 2` more signed in-process with the device key, continuing the same chain.
    fn fill_queue(&self) {
        let dev = self.device();
        for text in ["PR1:NOTAREALCODE", "HELLO"] {
            let o = pora(&[
                "field",
                "check",
                text,
                "--caught",
                "--lat",
                "-6.3",
                "--lng",
                "107.15",
                "--dir",
                dev.to_str().unwrap(),
            ]);
            let out = String::from_utf8_lossy(&o.stdout);
            assert!(
                out.contains("queued"),
                "{out}{}",
                String::from_utf8_lossy(&o.stderr)
            );
        }
        let key_pem = std::fs::read_to_string(dev.join("device.key")).unwrap();
        let key = pora_crypto::SigningKey::from_pkcs8_pem(&key_pem).unwrap();
        rt().block_on(async {
            let q = Queue::open(&dev.join("queue.db")).await.unwrap();
            let device = q.get("device").await.unwrap().unwrap();
            let doc_key = hex(&q.get("doc_hash_key").await.unwrap().unwrap());
            let mut seq: u64 = q.get("next_seq").await.unwrap().unwrap().parse().unwrap();
            let mut prev: [u8; 32] = hex(&q.get("prev").await.unwrap().unwrap())
                .try_into()
                .unwrap();
            for i in 2..REPORTS {
                let r = CheckReport {
                    report_id: pora_crypto::random_bytes().unwrap(),
                    device: device.clone(),
                    officer: "field1".into(),
                    seq,
                    prev: Some(prev),
                    basis: Basis::CaughtInAct,
                    device_time: 1_795_489_200 + i as i64,
                    gnss_time: None,
                    position: Position::from_degrees(-6.3, 107.15, 10.0),
                    outcome: "valid".into(),
                    warnings: vec![],
                    trust_list_version: 1,
                    status_list_at: None,
                    doc_hash: report::doc_hash(&doc_key, &format!("2C21BKS{i:05}")),
                    permit_number: None,
                    note: None,
                };
                let bytes = Unsigned::new(&r, &key.public_key())
                    .unwrap()
                    .sign(&key)
                    .unwrap();
                prev = report::hash(&bytes);
                let id = pora_core::hex::encode(&r.report_id);
                q.push_with_head(
                    &Queued {
                        report_id: id,
                        seq: seq as i64,
                        bytes,
                    },
                    &pora_core::hex::encode(&prev),
                    0,
                )
                .await
                .unwrap();
                seq += 1;
            }
            q.close().await;
        });
    }

    fn queue_counts(&self) -> pora_store::queue::QueueCounts {
        rt().block_on(async {
            let q = Queue::open(&self.device().join("queue.db")).await.unwrap();
            let c = q.counts().await.unwrap();
            q.close().await;
            c
        })
    }

    fn sync(&self) -> Output {
        pora(&[
            "field",
            "sync",
            "--batch",
            "100",
            "--dir",
            self.device().to_str().unwrap(),
        ])
    }

    fn spawn_sync(&self) -> Child {
        Command::new(env!("CARGO_BIN_EXE_pora"))
            .args([
                "field",
                "sync",
                "--batch",
                "100",
                "--dir",
                self.device().to_str().unwrap(),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    }

    /// Waits until the server holds at least `n` reports.
    fn wait_for(&self, n: i64) {
        let t = Instant::now();
        while self.counts().0 < n {
            assert!(
                t.elapsed() < Duration::from_secs(300),
                "upload did not progress"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for World {
    fn drop(&mut self) {
        self.kill_server();
    }
}

fn hex(s: &str) -> Vec<u8> {
    pora_core::hex::decode(s).unwrap()
}

fn assert_exactly_once(w: &World) {
    let (rows, distinct, unchained, chain_alerts) = w.counts();
    assert_eq!(
        (rows, distinct),
        (REPORTS as i64, REPORTS as i64),
        "one row per report"
    );
    assert_eq!(
        (unchained, chain_alerts),
        (0, 0),
        "the chain is intact, nothing raised"
    );
    let q = w.queue_counts();
    assert_eq!((q.pending, q.acked as usize, q.refused), (0, REPORTS, 0));
}

#[test]
fn server_killed_mid_upload_loses_and_duplicates_nothing() {
    let mut w = World::new();
    w.start();
    w.enrol();
    w.fill_queue();
    let sync = w.spawn_sync();
    w.wait_for(300);
    w.kill_server();
    let out = sync.wait_with_output().unwrap();
    assert!(!out.status.success(), "the sync saw the server die");
    let (before, _, _, _) = w.counts();
    assert!(
        before < REPORTS as i64,
        "killed mid-upload ({before} stored)"
    );
    assert!(w.queue_counts().pending > 0);
    w.start();
    let o = w.sync();
    assert!(
        o.status.success(),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert_exactly_once(&w);
}

#[test]
fn device_killed_mid_sync_loses_and_duplicates_nothing() {
    let mut w = World::new();
    w.start();
    w.enrol();
    w.fill_queue();
    let mut sync = w.spawn_sync();
    w.wait_for(300);
    sync.kill().unwrap(); // SIGKILL
    sync.wait().unwrap();
    let (before, _, _, _) = w.counts();
    assert!(before < REPORTS as i64, "killed mid-sync ({before} stored)");
    // The killed sync may have had batches accepted that it never marked: resending them is safe.
    let o = w.sync();
    assert!(
        o.status.success(),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert_exactly_once(&w);
    // A second sync sends nothing and changes nothing.
    let o = w.sync();
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("synced 0 reports"),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert_exactly_once(&w);
}
