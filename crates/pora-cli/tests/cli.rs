//! End-to-end tests of the `pora` binary: every named vector through `verify` (as text and as a QR
//! photo), the issuance flow from fresh keys, private-key hygiene, and precise errors.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use pora_testkit::vectors;

fn pora(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pora"))
        .args(args)
        .output()
        .expect("run pora")
}

fn vdir() -> PathBuf {
    vectors::dir()
}

fn p(rel: &str) -> String {
    vdir().join(rel).display().to_string()
}

fn trust_args(now: i64) -> Vec<String> {
    vec![
        "--trust-list".into(),
        p("trust-list.cbor"),
        "--root".into(),
        p("keys/root.pub"),
        "--status-list".into(),
        p("status-BKS.cbor"),
        "--status-list".into(),
        p("status-JKT.cbor"),
        "--now".into(),
        now.to_string(),
        "--json".into(),
    ]
}

fn expected_exit(code: &str) -> i32 {
    match code {
        "valid" => 0,
        "trust_list_stale" | "status_list_stale" => 2,
        _ => 1,
    }
}

fn json_of(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

#[test]
fn every_vector_text_verifies_to_its_expected_code_and_exit() {
    let (_, vs) = vectors::load();
    for v in &vs {
        let mut args: Vec<String> = vec!["verify".into(), v.layers.qr_text.clone()];
        args.extend(trust_args(v.now));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = pora(&args);
        let j = json_of(&out);
        assert_eq!(j["code"], v.expect.code.as_str(), "{}", v.name);
        assert_eq!(
            out.status.code(),
            Some(expected_exit(&v.expect.code)),
            "{}",
            v.name
        );
        let warnings: Vec<&str> = j["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["code"].as_str().unwrap())
            .collect();
        assert_eq!(warnings, v.expect.warnings, "{}", v.name);
    }
}

#[test]
fn every_vector_qr_png_reads_and_verifies_to_the_same_code() {
    let (_, vs) = vectors::load();
    for v in vs.iter().filter(|v| v.layers.qr_text.len() > 40) {
        let png = p(&format!("png/{}", v.layers.qr_png));
        let mut args: Vec<String> = vec!["verify".into(), "--image".into(), png];
        args.extend(trust_args(v.now));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = pora(&args);
        let j = json_of(&out);
        assert_eq!(
            j["code"],
            v.expect.code.as_str(),
            "{}: {}",
            v.name,
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn text_from_stdin_and_file() {
    let (_, vs) = vectors::load();
    let v = vs.iter().find(|v| v.name == "valid-itas-es256").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("qr.txt");
    std::fs::write(&f, format!("{}\n", v.layers.qr_text)).unwrap();
    let mut args = vec![
        "verify".to_string(),
        "--file".into(),
        f.display().to_string(),
    ];
    args.extend(trust_args(v.now));
    let out = pora(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(json_of(&out)["code"], "valid");
    use std::io::Write as _;
    let mut args = vec!["verify".to_string()];
    args.extend(trust_args(v.now));
    let mut child = Command::new(env!("CARGO_BIN_EXE_pora"))
        .args(&args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(v.layers.qr_text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(json_of(&out)["code"], "valid");
}

fn run_ok(dir: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_pora"))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn issue_flow_from_fresh_keys_with_png_and_svg() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    run_ok(dir, &["keygen", "--role", "root", "--out", "root"]);
    run_ok(
        dir,
        &[
            "keygen", "--role", "signer", "--alg", "EdDSA", "--out", "bks",
        ],
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(
            std::fs::metadata(dir.join("bks.key"))
                .unwrap()
                .permissions()
                .mode()
                & 0o777,
            0o600
        );
    }
    // Keys are never overwritten, and never printed.
    let again = Command::new(env!("CARGO_BIN_EXE_pora"))
        .current_dir(dir)
        .args(["keygen", "--role", "root", "--out", "root"])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(73));
    let pem = std::fs::read_to_string(dir.join("bks.key")).unwrap();
    let secret_line = pem.lines().nth(1).unwrap();
    run_ok(
        dir,
        &[
            "certify",
            "--root-key",
            "root.key",
            "--signer-pub",
            "bks.pub",
            "--office",
            "BKS",
            "--usage-from",
            "2026-01-01",
            "--usage-until",
            "2028-12-31",
            "--out",
            "bks.cert",
        ],
    );
    run_ok(
        dir,
        &[
            "trust-list",
            "build",
            "--root-key",
            "root.key",
            "--version",
            "3",
            "--now",
            "2026-11-20",
            "--next-update",
            "2026-12-20",
            "--out",
            "trust.cbor",
            "bks.cert",
        ],
    );
    let shown = run_ok(
        dir,
        &["trust-list", "show", "trust.cbor", "--root", "root.pub"],
    );
    assert!(
        shown.contains("\"office\": \"BKS\"") && shown.contains("EdDSA"),
        "{shown}"
    );
    run_ok(
        dir,
        &[
            "status-list",
            "build",
            "--office",
            "BKS",
            "--size",
            "128",
            "--key",
            "bks.key",
            "--now",
            "2026-11-24",
            "--out",
            "bks.status",
        ],
    );
    let permit = serde_json::to_string(&pora_testkit::itas()).unwrap();
    std::fs::write(dir.join("permit.json"), permit).unwrap();
    let text = run_ok(
        dir,
        &[
            "issue",
            "--permit",
            "permit.json",
            "--key",
            "bks.key",
            "--cert",
            "bks.cert",
            "--root",
            "root.pub",
            "--png",
            "qr.png",
            "--svg",
            "qr.svg",
            "--now",
            "2026-11-24T09:00",
        ],
    );
    let text = text.trim();
    assert!(text.starts_with("PR1:") && text.len() <= 311, "{text}");
    assert!(std::fs::read_to_string(dir.join("qr.svg"))
        .unwrap()
        .contains("<svg"));
    let common = [
        "--trust-list",
        "trust.cbor",
        "--root",
        "root.pub",
        "--status-list",
        "bks.status",
        "--now",
        "2026-11-24T10:00",
    ];
    let mut args = vec!["verify", text];
    args.extend(common);
    let out = run_ok(dir, &args);
    assert!(out.starts_with("SAH / VALID  [valid]"), "{out}");
    let mut args = vec!["verify", "--image", "qr.png"];
    args.extend(common);
    assert!(run_ok(dir, &args).contains("[valid]"));
    // Revoke it: the same text is now rejected with exit code 1.
    run_ok(
        dir,
        &[
            "status-list",
            "set",
            "bks.status",
            "--index",
            "17",
            "--status",
            "revoked",
            "--key",
            "bks.key",
            "--now",
            "2026-11-24T09:30",
        ],
    );
    let mut args = vec!["verify", text];
    args.extend(common);
    let out = Command::new(env!("CARGO_BIN_EXE_pora"))
        .current_dir(dir)
        .args(&args)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("DICABUT / REVOKED"));
    // No command ever printed the private key.
    assert!(!shown.contains(secret_line) && !text.contains(secret_line));
}

#[test]
fn errors_name_what_and_where() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let missing = Command::new(env!("CARGO_BIN_EXE_pora"))
        .current_dir(dir)
        .args([
            "verify",
            "X",
            "--trust-list",
            "nope.cbor",
            "--root",
            "nope.pub",
        ])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(66));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("nope.pub"));
    std::fs::write(dir.join("bad.pub"), "{}").unwrap();
    let bad = Command::new(env!("CARGO_BIN_EXE_pora"))
        .current_dir(dir)
        .args(["trust-list", "show", "x", "--root", "bad.pub"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(65));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("bad.pub: not a pora public key file"));
    let usage = pora(&[
        "verify",
        "--now",
        "yesterday",
        "--trust-list",
        "a",
        "--root",
        "b",
    ]);
    assert_eq!(usage.status.code(), Some(64));
    let unknown = pora(&["frobnicate"]);
    assert_eq!(unknown.status.code(), Some(64));
    // An invalid permit field is named.
    std::fs::write(
        dir.join("permit.json"),
        r#"{"office":"BKS","valid_from":"2026-02-30"}"#,
    )
    .unwrap();
    let k = p("keys/bks-es256.key");
    let c = p("keys/bks-es256.cert");
    let r = p("keys/root.pub");
    let out = Command::new(env!("CARGO_BIN_EXE_pora"))
        .current_dir(dir)
        .args([
            "issue",
            "--permit",
            "permit.json",
            "--key",
            &k,
            "--cert",
            &c,
            "--root",
            &r,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(65));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("permit.json") && err.contains("no such calendar date"),
        "{err}"
    );
    // A non-image file given as an image.
    std::fs::write(dir.join("notes.png"), "hello").unwrap();
    let mut args = vec![
        "verify".to_string(),
        "--image".into(),
        dir.join("notes.png").display().to_string(),
    ];
    args.extend(trust_args(pora_testkit::now()));
    let out = pora(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(out.status.code(), Some(65));
    assert_eq!(json_of(&out)["code"], "bad_image");
}

#[test]
fn inspect_shows_every_layer() {
    let (_, vs) = vectors::load();
    let v = vs.iter().find(|v| v.name == "valid-itas-es256").unwrap();
    let out = pora(&[
        "inspect",
        &v.layers.qr_text,
        "--trust-list",
        &p("trust-list.cbor"),
        "--root",
        &p("keys/root.pub"),
    ]);
    assert!(out.status.success());
    let j = json_of(&out);
    assert_eq!(j["prefix"]["ok"], true);
    assert_eq!(j["cose"]["protected"]["alg"], "ES256");
    assert_eq!(j["cose"]["deterministic"], true);
    assert_eq!(
        j["claims"]["permit"]["name"],
        "WIRYAWAN<SANTOSO<<MARIA<KATHARINA<ANNELI"
    );
    assert_eq!(j["signature"]["ok"], true);
    assert_eq!(j["qr_version_m"], 10);
    let bad = vs
        .iter()
        .find(|v| v.name == "bad-signature-flipped-bit")
        .unwrap();
    let out = pora(&[
        "inspect",
        &bad.layers.qr_text,
        "--trust-list",
        &p("trust-list.cbor"),
        "--root",
        &p("keys/root.pub"),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json_of(&out)["signature"]["ok"], false);
}

#[test]
fn offline_root_imports_into_the_servers_database() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    run_ok(dir, &["keygen", "--role", "root", "--out", "root"]);
    run_ok(dir, &["keygen", "--role", "signer", "--out", "bks"]);
    run_ok(
        dir,
        &[
            "certify",
            "--root-key",
            "root.key",
            "--signer-pub",
            "bks.pub",
            "--office",
            "BKS",
            "--usage-from",
            "2026-01-01",
            "--usage-until",
            "2028-12-31",
            "--out",
            "bks.cert",
        ],
    );
    for v in ["1", "2"] {
        run_ok(
            dir,
            &[
                "trust-list",
                "build",
                "--root-key",
                "root.key",
                "--version",
                v,
                "--next-update",
                "2099-01-01",
                "--out",
                &format!("tl{v}.cbor"),
                "bks.cert",
            ],
        );
    }
    let db = format!("sqlite:{}", dir.join("pora.db").display());
    let import = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_pora"))
            .current_dir(dir)
            .args(args)
            .args(["--db", &db, "--data-dir", "."])
            .output()
            .unwrap()
    };
    let ok = import(&["trust-list", "import", "tl2.cbor", "--root", "root.pub"]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(String::from_utf8_lossy(&ok.stdout).contains("version 2"));
    // Never backwards.
    let old = import(&["trust-list", "import", "tl1.cbor", "--root", "root.pub"]);
    assert_eq!(old.status.code(), Some(65));
    assert!(
        String::from_utf8_lossy(&old.stderr).contains("not newer"),
        "{}",
        String::from_utf8_lossy(&old.stderr)
    );
    // The office must exist in the registry first.
    let s = import(&[
        "signer", "import", "--office", "BKS", "--key", "bks.key", "--cert", "bks.cert",
    ]);
    assert_eq!(s.status.code(), Some(65));
    assert!(String::from_utf8_lossy(&s.stderr).contains("unknown office BKS"));
    // A certificate given where a key is expected is named.
    let s = import(&[
        "signer", "import", "--office", "BKS", "--key", "bks.cert", "--cert", "bks.cert",
    ]);
    assert_eq!(
        s.status.code(),
        Some(65),
        "{}",
        String::from_utf8_lossy(&s.stderr)
    );
}

#[test]
fn retention_run_reports_every_rule_and_refuses_a_bad_schedule() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite:{}", dir.path().join("pora.db").display());
    let data = dir.path().display().to_string();
    let run = |extra: &[&str]| {
        let mut args = vec!["retention", "run", "--db", &db, "--data-dir", &data];
        args.extend_from_slice(extra);
        Command::new(env!("CARGO_BIN_EXE_pora"))
            .args(&args)
            .env_remove("PORA_RETENTION_FILE")
            .output()
            .expect("run pora")
    };
    let out = run(&["--dry-run", "--now", "2031-01-01T00:00:00Z"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = json_of(&out);
    assert_eq!(report["now"], 1_924_992_000);
    assert_eq!(report["dry_run"], true);
    let kinds: Vec<&str> = report["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "check_reports",
            "stay_reports",
            "closed_alerts",
            "correction_requests",
            "exited_persons",
            "audit_log"
        ]
    );
    // Check reports: 730 days by default.
    assert_eq!(
        report["rules"][0]["cutoff"],
        1_924_992_000_i64 - 730 * 86_400
    );

    // Without the server's audit key the audit rule cannot sign its anchor and is skipped.
    let out = run(&[]);
    assert!(out.status.success());
    let report = json_of(&out);
    assert_eq!(
        report["rules"][5]["skipped"],
        "no audit key to sign the anchor with"
    );

    // A misspelt rule is refused, naming it.
    let bad = dir.path().join("retention.json");
    std::fs::write(&bad, r#"{"check_report_days": 30}"#).unwrap();
    let out = run(&["--config", bad.to_str().unwrap(), "--dry-run"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("check_report_days"), "{err}");
    let out = run(&["--dry-run", "--now", "31-12-2030"]);
    assert_eq!(out.status.code(), Some(64), "usage error for a bad --now");
}

#[test]
fn audit_export_writes_a_header_and_refuses_bad_arguments() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite:{}", dir.path().join("pora.db").display());
    let out = pora(&[
        "audit",
        "export",
        "--db",
        &db,
        "--from",
        "2026-11-01",
        "--to",
        "2026-11-30",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "seq,time_utc,actor_id,actor_username,actor_role,actor_office,action,subject_kind,subject_id,purpose_kind,purpose_ref\n"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("0 audit entries"));
    let json = pora(&[
        "audit",
        "export",
        "--db",
        &db,
        "--from",
        "2026-11-01",
        "--to",
        "2026-11-30",
        "--format",
        "json",
    ]);
    assert_eq!(json_of(&json), serde_json::json!([]));
    for bad in [
        vec!["--from", "2026-11-30", "--to", "2026-11-01"],
        vec!["--from", "yesterday", "--to", "2026-11-01"],
        vec![
            "--from",
            "2026-11-01",
            "--to",
            "2026-11-30",
            "--format",
            "xml",
        ],
    ] {
        let mut args = vec!["audit", "export", "--db", &db];
        args.extend(bad.iter().copied());
        let out = pora(&args);
        assert_eq!(out.status.code(), Some(64), "{bad:?}");
    }
}
