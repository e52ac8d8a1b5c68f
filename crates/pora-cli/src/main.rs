//! `pora`: the command line of the pora permit system.
//!
//! Keys and trust (`keygen`, `certify`, `trust-list`), revocation (`status-list`), issuance
//! (`issue`), checking (`verify`, `inspect`), the central server (`serve`, `demo`, `audit verify`). Exit codes: 0 valid / success, 1 permit rejected,
//! 2 cannot tell (stale trust or status list), 64 usage, 65 bad input data, 66 input missing,
//! 73 cannot create output, 74 I/O error.
#![forbid(unsafe_code)]

/// Prints a line to stdout; a closed pipe (`pora ... | head`) ends output quietly instead of panicking.
macro_rules! say {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($t)*);
    }};
}

/// Prints to stdout without a newline, like [`say!`].
macro_rules! say_raw {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout(), $($t)*);
    }};
}

mod error;
mod field;
mod keys;
mod time;

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use pora_core::crypto::Signer as _;
use pora_core::status_list::{Status, StatusList, StatusListToken, PORA_BITS};
use pora_core::trust::{self, SignerRecord, TrustList};
use pora_core::{hex, Class, PermitType, Verdict};
use pora_server::trust_admin::{console_import, ConsoleImport};

use error::{read, write, CliError, Exit};

const EXIT_CODES: &str = "Exit codes: 0 valid / success, 1 permit rejected (expired, revoked, forged, incomplete, not a pora code), \
2 cannot tell (trust or status list too old: sync), 64 usage error, 65 invalid input data, 66 input file missing, \
73 cannot create output, 74 I/O error.";

#[derive(Parser, Debug)]
#[command(name = "pora", version, about = "Signed QR residence permits (ITAS / ITAP): issue, verify, inspect, and the central server", after_help = EXIT_CODES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Make a key pair: <OUT>.key (PKCS#8 PEM, mode 0600, never printed) and <OUT>.pub (JSON).
    Keygen {
        /// "root" (the offline national root) or "signer" (an office's document signer).
        #[arg(long)]
        role: String,
        /// ES256 (default) or EdDSA.
        #[arg(long, default_value = "ES256")]
        alg: String,
        /// Path without extension.
        #[arg(long)]
        out: PathBuf,
    },
    /// Certify an office's document signer with the root key.
    Certify {
        /// The root's private key.
        #[arg(long)]
        root_key: PathBuf,
        /// The signer's public key file.
        #[arg(long)]
        signer_pub: PathBuf,
        /// Office code, e.g. BKS.
        #[arg(long)]
        office: String,
        /// Permit types it may sign: ITAS, ITAP or ITAS,ITAP.
        #[arg(long, default_value = "ITAS,ITAP")]
        types: String,
        /// Start of the key-usage period (when it may sign).
        #[arg(long)]
        usage_from: String,
        /// End of the key-usage period.
        #[arg(long)]
        usage_until: String,
        /// End of the period its signatures are accepted (default: usage end + 10 years).
        #[arg(long)]
        valid_until: Option<String>,
        /// Certificate file to write.
        #[arg(long)]
        out: PathBuf,
    },
    /// Build, show, or import into the server, the signed trust list.
    #[command(subcommand)]
    TrustList(TrustListCmd),
    /// Office document signers held by the server.
    #[command(subcommand)]
    Signer(SignerCmd),
    /// Build, change or show an office's signed status (revocation) list.
    #[command(subcommand)]
    StatusList(StatusListCmd),
    /// Issue a permit: permit JSON → QR text (stdout), and optionally PNG and SVG.
    Issue {
        /// Permit JSON file, or - for stdin. `issued_at` and `document_serial` may be omitted.
        #[arg(long)]
        permit: PathBuf,
        /// The office signer's private key.
        #[arg(long)]
        key: PathBuf,
        /// The signer's certificate.
        #[arg(long)]
        cert: PathBuf,
        /// The root public key (to check the certificate).
        #[arg(long)]
        root: PathBuf,
        /// Write the QR code as PNG.
        #[arg(long)]
        png: Option<PathBuf>,
        /// Write the QR code as SVG.
        #[arg(long)]
        svg: Option<PathBuf>,
        /// Signing time (default: now).
        #[arg(long)]
        now: Option<String>,
    },
    /// Verify a permit QR text (argument, --file, --image, or stdin) offline.
    Verify {
        /// The QR text.
        text: Option<String>,
        /// Read the text from a file (- for stdin).
        #[arg(long, conflicts_with = "text")]
        file: Option<PathBuf>,
        /// Read the QR code from a photo (PNG, JPEG, WebP), or every image in a folder.
        #[arg(long, conflicts_with_all = ["text", "file"])]
        image: Option<PathBuf>,
        #[command(flatten)]
        trust: TrustArgs,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Run the central server (SQLite by default, PostgreSQL with a postgres:// URL).
    Serve {
        /// Database URL.
        #[arg(long, env = "PORA_DB", default_value = "sqlite:pora.db")]
        db: String,
        /// Address to listen on.
        #[arg(long, env = "PORA_LISTEN", default_value = "127.0.0.1:8080")]
        listen: std::net::SocketAddr,
        /// Directory for key files.
        #[arg(long, env = "PORA_DATA_DIR", default_value = ".")]
        data_dir: PathBuf,
        /// Retention schedule (JSON); PORA_RETENTION_* variables override it.
        #[arg(long, env = "PORA_RETENTION_FILE")]
        retention: Option<PathBuf>,
    },
    /// Build a fresh, deterministic Bekasi demo database and serve it (prints the URL and logins).
    Demo {
        /// Directory for the demo database and keys.
        #[arg(long, default_value = "pora-demo")]
        dir: PathBuf,
        /// Database URL (default: a fresh SQLite file in --dir).
        #[arg(long)]
        db: Option<String>,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: std::net::SocketAddr,
        /// Seed of the generator.
        #[arg(long, default_value_t = 2018)]
        seed: u64,
        /// Size: 1.0 = about 7,000 ITAS and 450 ITAP holders.
        #[arg(long, default_value_t = 1.0)]
        scale: f64,
        /// Build the data and exit.
        #[arg(long)]
        no_serve: bool,
    },
    /// The tamper-evident audit log.
    #[command(subcommand)]
    Audit(AuditCmd),
    /// A field device: enrol, check offline into a signed queue, sync.
    #[command(subcommand)]
    Field(field::FieldCmd),
    /// Delete or anonymise personal data whose retention period is over (statistics are kept).
    #[command(subcommand)]
    Retention(RetentionCmd),
    /// Show every layer of a QR text: prefix, Base45, COSE headers, claims, signature.
    Inspect {
        /// The QR text.
        text: Option<String>,
        /// Read the text from a file (- for stdin).
        #[arg(long, conflicts_with = "text")]
        file: Option<PathBuf>,
        /// Trust list, to check the signature (optional).
        #[arg(long, requires = "root")]
        trust_list: Option<PathBuf>,
        /// Root public key.
        #[arg(long)]
        root: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
enum AuditCmd {
    /// Prove the audit log intact, or name the first modified, inserted or removed entry.
    Verify {
        /// Database URL (sqlite:PATH or postgres://...).
        #[arg(long, env = "PORA_DB", default_value = "sqlite:pora.db")]
        db: String,
        /// The server's audit public key (hex or a file) to check the signed heads against.
        #[arg(long)]
        key: Option<String>,
    },
    /// Who read or changed what, when and why, over a period (for a breach notice); streams.
    Export {
        /// Database URL (sqlite:PATH or postgres://...).
        #[arg(long, env = "PORA_DB", default_value = "sqlite:pora.db")]
        db: String,
        /// First instant (RFC 3339, YYYY-MM-DD at 00:00 WIB, or Unix seconds).
        #[arg(long)]
        from: String,
        /// Last instant, exclusive; a bare YYYY-MM-DD includes that whole day.
        #[arg(long)]
        to: String,
        /// csv (default) or json.
        #[arg(long, default_value = "csv")]
        format: String,
        /// Write here instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
enum RetentionCmd {
    /// Apply the schedule once and print what went (kind, count, id range, cutoff) as JSON.
    Run {
        /// Database URL (sqlite:PATH or postgres://...).
        #[arg(long, env = "PORA_DB", default_value = "sqlite:pora.db")]
        db: String,
        /// The server's data directory: its pora-audit.key signs the anchor that lets old audit
        /// entries go (without it the audit rule is skipped).
        #[arg(long, env = "PORA_DATA_DIR", default_value = ".")]
        data_dir: PathBuf,
        /// Retention schedule (JSON); PORA_RETENTION_* variables override it.
        #[arg(long, env = "PORA_RETENTION_FILE")]
        config: Option<PathBuf>,
        /// Count what would go; change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Judge expiry as of this time instead of now (RFC 3339, YYYY-MM-DD or Unix seconds).
        #[arg(long)]
        now: Option<String>,
    },
}

#[derive(Args, Debug)]
struct TrustArgs {
    /// Signed trust list.
    #[arg(long)]
    trust_list: PathBuf,
    /// Root public key file.
    #[arg(long)]
    root: PathBuf,
    /// Signed status list(s), one per office.
    #[arg(long)]
    status_list: Vec<PathBuf>,
    /// Check as of this time (default: now). Unix seconds, YYYY-MM-DD or YYYY-MM-DDTHH:MM[Z|±HH:MM|WIB|WITA|WIT].
    #[arg(long)]
    now: Option<String>,
}

#[derive(Subcommand, Debug)]
enum TrustListCmd {
    /// Sign a trust list of the given certificates with the root key.
    Build {
        #[arg(long)]
        root_key: PathBuf,
        /// Sequence number (must grow with every list).
        #[arg(long)]
        version: u64,
        /// When the next list is due.
        #[arg(long)]
        next_update: String,
        /// Issue time (default: now).
        #[arg(long)]
        now: Option<String>,
        #[arg(long)]
        out: PathBuf,
        /// Signer certificates.
        #[arg(required = true)]
        certs: Vec<PathBuf>,
    },
    /// Verify and print a trust list.
    Show {
        file: PathBuf,
        #[arg(long)]
        root: PathBuf,
    },
    /// Install a trust list signed by the offline national root into the server's database. The
    /// first import names the root (and retires a root the server held); later ones must be signed by
    /// the same root and carry a higher version.
    Import {
        /// The signed trust list.
        file: PathBuf,
        /// The root public key file.
        #[arg(long)]
        root: PathBuf,
        /// Database URL (sqlite:PATH or postgres://...).
        #[arg(long, env = "PORA_DB", default_value = "sqlite:pora.db")]
        db: String,
        /// Directory of the server's key files (the key-encryption key).
        #[arg(long, env = "PORA_DATA_DIR", default_value = ".")]
        data_dir: PathBuf,
    },
}

#[derive(Subcommand, Debug)]
enum SignerCmd {
    /// Import an office document signer certified by the offline root (private key sealed under the
    /// server's key-encryption key at once) into the server's database.
    Import {
        /// Office code, e.g. BKS.
        #[arg(long)]
        office: String,
        /// The signer's private key (PKCS#8 PEM, from `pora keygen --role signer`).
        #[arg(long)]
        key: PathBuf,
        /// The root's certificate of the signer (from `pora certify`).
        #[arg(long)]
        cert: PathBuf,
        /// Database URL (sqlite:PATH or postgres://...).
        #[arg(long, env = "PORA_DB", default_value = "sqlite:pora.db")]
        db: String,
        /// Directory of the server's key files (the key-encryption key).
        #[arg(long, env = "PORA_DATA_DIR", default_value = ".")]
        data_dir: PathBuf,
    },
}

#[derive(Subcommand, Debug)]
enum StatusListCmd {
    /// A new list of SIZE valid entries for an office, signed by one of its signers.
    Build {
        #[arg(long)]
        office: String,
        #[arg(long)]
        size: usize,
        #[arg(long)]
        key: PathBuf,
        /// Hours until the list expires (default 24).
        #[arg(long, default_value_t = 24)]
        valid_hours: i64,
        #[arg(long)]
        now: Option<String>,
        #[arg(long)]
        out: PathBuf,
    },
    /// Set one entry (valid, revoked, suspended) and re-sign the list in place.
    Set {
        file: PathBuf,
        #[arg(long)]
        index: u64,
        #[arg(long)]
        status: String,
        #[arg(long)]
        key: PathBuf,
        #[arg(long, default_value_t = 24)]
        valid_hours: i64,
        #[arg(long)]
        now: Option<String>,
    },
    /// Verify (against the trust list) and print a status list.
    Show {
        file: PathBuf,
        #[arg(long)]
        trust_list: PathBuf,
        #[arg(long)]
        root: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    ExitCode::SUCCESS
                }
                _ => ExitCode::from(Exit::Usage as u8),
            };
        }
    };
    match run(cli) {
        Ok(code) => ExitCode::from(code as u8),
        Err(e) => {
            eprintln!("pora: {e}");
            e.code()
        }
    }
}

fn now_or(s: &Option<String>) -> Result<i64, CliError> {
    s.as_deref()
        .map(time::parse)
        .unwrap_or_else(|| Ok(time::system_now()))
}

fn parse_types(s: &str) -> Result<Vec<PermitType>, CliError> {
    s.split(',')
        .map(|t| match t.trim() {
            "ITAS" => Ok(PermitType::Itas),
            "ITAP" => Ok(PermitType::Itap),
            o => Err(CliError::usage(format!(
                "unknown permit type {o:?}: use ITAS and/or ITAP"
            ))),
        })
        .collect()
}

fn load_trust(file: &Path, root: &Path) -> Result<TrustList, CliError> {
    let root = keys::read_public(root)?;
    TrustList::verify(&read(file)?, &root, pora_crypto::default_provider())
        .map_err(|e| CliError::data(format!("{}: {e}", file.display())))
}

fn read_text(text: &Option<String>, file: &Option<PathBuf>) -> Result<String, CliError> {
    let raw = match (text, file) {
        (Some(t), _) => return Ok(t.clone()),
        (None, Some(p)) if p.as_os_str() != "-" => read(p)?,
        _ => {
            let mut b = Vec::new();
            std::io::stdin().read_to_end(&mut b).map_err(|e| CliError {
                exit: Exit::Io,
                message: format!("stdin: {e}"),
            })?;
            b
        }
    };
    String::from_utf8(raw).map_err(|_| CliError::data("the input is not UTF-8 text"))
}

fn exit_of(v: &Verdict) -> Exit {
    match v.outcome.class() {
        Class::Valid => Exit::Ok,
        Class::CannotTell => Exit::CannotTell,
        _ => Exit::Rejected,
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError {
            exit: Exit::Io,
            message: format!("cannot start the runtime: {e}"),
        })
}

/// A refused import is bad input (65); anything else (database, key file) is I/O (74).
fn import_error(e: anyhow::Error) -> CliError {
    use pora_server::signing::SigningError as S;
    match e.downcast_ref::<S>() {
        Some(S::Import(_) | S::OfflineRoot(_)) => CliError::data(format!("{e:#}")),
        _ => server_error(e),
    }
}

fn server_error(e: anyhow::Error) -> CliError {
    CliError {
        exit: Exit::Io,
        message: format!("{e:#}"),
    }
}

fn run(cli: Cli) -> Result<Exit, CliError> {
    match cli.command {
        Command::Serve {
            db,
            listen,
            data_dir,
            retention,
        } => {
            let mut config = pora_server::ServerConfig::new(&db, listen);
            config.data_dir = data_dir;
            config.tile_url =
                pora_server::ServerConfig::tile_url_from_env().map_err(server_error)?;
            config.retention =
                pora_server::retention::load_config(retention.as_deref()).map_err(server_error)?;
            config.secure_cookies =
                std::env::var("PORA_SECURE_COOKIES").is_ok_and(|v| v == "1" || v == "true");
            runtime()?
                .block_on(pora_server::serve(config))
                .map_err(server_error)?;
            Ok(Exit::Ok)
        }
        Command::Demo {
            dir,
            db,
            listen,
            seed,
            scale,
            no_serve,
        } => {
            let config = pora_server::DemoConfig {
                db_url: db,
                dir,
                listen,
                seed,
                scale,
                no_serve,
            };
            runtime()?
                .block_on(pora_server::demo(config))
                .map_err(server_error)?;
            Ok(Exit::Ok)
        }
        Command::Field(cmd) => field::run(cmd),
        Command::Audit(AuditCmd::Verify { db, key }) => {
            let report = runtime()?
                .block_on(pora_server::audit::verify(&db, key.as_deref()))
                .map_err(server_error)?;
            say!(
                "{}",
                serde_json::to_string_pretty(&report).unwrap_or_default()
            );
            Ok(if report.is_intact() {
                Exit::Ok
            } else {
                Exit::Rejected
            })
        }
        Command::Audit(AuditCmd::Export {
            db,
            from,
            to,
            format,
            out,
        }) => {
            let format = match format.as_str() {
                "csv" => pora_server::audit::ExportFormat::Csv,
                "json" => pora_server::audit::ExportFormat::Json,
                other => {
                    return Err(CliError::usage(format!(
                        "--format {other:?}: want csv or json"
                    )))
                }
            };
            let from_t = time::parse(&from)?;
            let mut to_t = time::parse(&to)?;
            if to.len() == 10 {
                to_t += 86_400;
            }
            if to_t <= from_t {
                return Err(CliError::usage("--to must be after --from"));
            }
            let mut sink: Box<dyn std::io::Write + Send> = match &out {
                Some(path) => Box::new(std::io::BufWriter::new(
                    std::fs::File::create(path).map_err(|e| CliError {
                        exit: Exit::CantCreate,
                        message: format!("{}: {e}", path.display()),
                    })?,
                )),
                None => Box::new(std::io::BufWriter::new(std::io::stdout())),
            };
            let n = runtime()?
                .block_on(pora_server::audit::export(
                    &db, from_t, to_t, format, &mut *sink,
                ))
                .map_err(server_error)?;
            {
                use std::io::Write as _;
                let _ = writeln!(std::io::stderr(), "{n} audit entries");
            }
            Ok(Exit::Ok)
        }
        Command::Retention(RetentionCmd::Run {
            db,
            data_dir,
            config,
            dry_run,
            now,
        }) => {
            let now = now.as_deref().map(time::parse).transpose()?;
            let schedule =
                pora_server::retention::load_config(config.as_deref()).map_err(server_error)?;
            let report = runtime()?
                .block_on(pora_server::retention::run(
                    &db, &data_dir, &schedule, now, dry_run,
                ))
                .map_err(server_error)?;
            say!(
                "{}",
                serde_json::to_string_pretty(&report).unwrap_or_default()
            );
            Ok(Exit::Ok)
        }
        Command::Keygen { role, alg, out } => {
            if role != "root" && role != "signer" {
                return Err(CliError::usage("--role must be root or signer"));
            }
            let key = pora_crypto::SigningKey::generate(keys::parse_alg(&alg)?)
                .map_err(|e| CliError::data(e.to_string()))?;
            let f = keys::write_pair(&out, &role, &key)?;
            say!(
                "{} key {} kid {} -> {} (private, 0600) and {}",
                f.alg,
                role,
                f.kid,
                out.with_extension("key").display(),
                out.with_extension("pub").display()
            );
            Ok(Exit::Ok)
        }
        Command::Certify {
            root_key,
            signer_pub,
            office,
            types,
            usage_from,
            usage_until,
            valid_until,
            out,
        } => {
            let root = keys::read_private(&root_key)?;
            let key = keys::read_public(&signer_pub)?;
            let (uf, uu) = (time::parse(&usage_from)?, time::parse(&usage_until)?);
            let vu = match valid_until {
                Some(v) => time::parse(&v)?,
                None => uu + 10 * 365 * 86_400,
            };
            let rec = SignerRecord::new(&office, key, parse_types(&types)?, (uf, uu), (uf, vu))
                .map_err(|e| CliError::data(e.to_string()))?;
            let cert = trust::certify(&root, &rec).map_err(|e| CliError::data(e.to_string()))?;
            write(&out, &cert)?;
            say!(
                "certified signer {} for office {} -> {}",
                hex::encode(&rec.kid),
                rec.office,
                out.display()
            );
            Ok(Exit::Ok)
        }
        Command::TrustList(TrustListCmd::Build {
            root_key,
            version,
            next_update,
            now,
            out,
            certs,
        }) => {
            let root = keys::read_private(&root_key)?;
            let root_pub = root.public_key();
            let signers = certs
                .iter()
                .map(|c| {
                    trust::open_certificate(&read(c)?, &root_pub, pora_crypto::default_provider())
                        .map_err(|e| CliError::data(format!("{}: {e}", c.display())))
                })
                .collect::<Result<Vec<_>, _>>()?;
            let list = TrustList {
                version,
                issued_at: now_or(&now)?,
                next_update: time::parse(&next_update)?,
                signers,
            };
            let bytes = list
                .sign(&root)
                .map_err(|e| CliError::data(e.to_string()))?;
            write(&out, &bytes)?;
            say!(
                "trust list version {version} with {} signer(s) -> {}",
                list.signers.len(),
                out.display()
            );
            Ok(Exit::Ok)
        }
        Command::TrustList(TrustListCmd::Import {
            file,
            root,
            db,
            data_dir,
        }) => {
            let root = keys::read_public(&root)?;
            let bytes = read(&file)?;
            let what = ConsoleImport::TrustList {
                bytes: &bytes,
                root: &root,
            };
            let done = runtime()?
                .block_on(console_import(&db, &data_dir, what))
                .map_err(import_error)?;
            say!("imported trust list version {}", done.id);
            Ok(Exit::Ok)
        }
        Command::Signer(SignerCmd::Import {
            office,
            key,
            cert,
            db,
            data_dir,
        }) => {
            let pem = keys::read_private(&key)?
                .to_pkcs8_pem()
                .map_err(|e| CliError::data(format!("{}: {e}", key.display())))?;
            let cert_bytes = read(&cert)?;
            let what = ConsoleImport::Signer {
                office: &office,
                pem: &pem,
                certificate: &cert_bytes,
            };
            let done = runtime()?
                .block_on(console_import(&db, &data_dir, what))
                .map_err(import_error)?;
            say!("imported signer {} for office {office}", done.id);
            if done.listed == Some(false) {
                say!("note: the current trust list does not name this signer; import a trust list that does before the office issues with it");
            }
            Ok(Exit::Ok)
        }
        Command::TrustList(TrustListCmd::Show { file, root }) => {
            let list = load_trust(&file, &root)?;
            let signers: Vec<_> = list
                .signers
                .iter()
                .map(|s| {
                    serde_json::json!({
                        "kid": hex::encode(&s.kid), "office": s.office, "alg": s.public_key.algorithm().name(),
                        "permit_types": s.permit_types.iter().map(|t| t.name()).collect::<Vec<_>>(),
                        "usage": [time::show(s.usage_from), time::show(s.usage_until)],
                        "validity": [time::show(s.valid_from), time::show(s.valid_until)],
                    })
                })
                .collect();
            let j = serde_json::json!({ "version": list.version, "issued_at": time::show(list.issued_at), "next_update": time::show(list.next_update), "signers": signers });
            say!("{}", serde_json::to_string_pretty(&j).unwrap_or_default());
            Ok(Exit::Ok)
        }
        Command::StatusList(StatusListCmd::Build {
            office,
            size,
            key,
            valid_hours,
            now,
            out,
        }) => {
            let key = keys::read_private(&key)?;
            let list =
                StatusList::new(PORA_BITS, size).map_err(|e| CliError::data(e.to_string()))?;
            let t = now_or(&now)?;
            let token = StatusListToken {
                office,
                issued_at: t,
                expires_at: Some(t + valid_hours * 3600),
                ttl: None,
                list,
            };
            pora_core::permit::check_office(&token.office)
                .map_err(|e| CliError::data(e.to_string()))?;
            write(
                &out,
                &token
                    .sign(&key)
                    .map_err(|e| CliError::data(e.to_string()))?,
            )?;
            say!(
                "status list for {} with {} entries -> {}",
                token.office,
                token.list.len(),
                out.display()
            );
            Ok(Exit::Ok)
        }
        Command::StatusList(StatusListCmd::Set {
            file,
            index,
            status,
            key,
            valid_hours,
            now,
        }) => {
            let key = keys::read_private(&key)?;
            let bytes = read(&file)?;
            // The file is our own: check it was signed by this key before changing it.
            let msg = pora_core::cose::CoseSign1::from_tagged_slice(&bytes)
                .map_err(|e| CliError::data(format!("{}: {e}", file.display())))?;
            if !pora_crypto::default_provider().verify(
                &key.public_key(),
                &msg.tbs_data(&[]),
                &msg.signature,
            ) {
                return Err(CliError::data(format!(
                    "{}: not signed by this key",
                    file.display()
                )));
            }
            let mut token =
                StatusListToken::from_claims(msg.payload.as_deref().unwrap_or_default())
                    .map_err(|e| CliError::data(e.to_string()))?;
            let value = match status.as_str() {
                "valid" => Status::Valid,
                "revoked" => Status::Revoked,
                "suspended" => Status::Suspended,
                o => {
                    return Err(CliError::usage(format!(
                        "unknown status {o:?}: use valid, revoked or suspended"
                    )))
                }
            };
            token
                .list
                .set(index, value.value())
                .map_err(|e| CliError::data(e.to_string()))?;
            let t = now_or(&now)?;
            token.issued_at = t;
            token.expires_at = Some(t + valid_hours * 3600);
            write(
                &file,
                &token
                    .sign(&key)
                    .map_err(|e| CliError::data(e.to_string()))?,
            )?;
            say!("{} index {index} = {status}", token.office);
            Ok(Exit::Ok)
        }
        Command::StatusList(StatusListCmd::Show {
            file,
            trust_list,
            root,
        }) => {
            let trust = load_trust(&trust_list, &root)?;
            let token =
                StatusListToken::verify(&read(&file)?, &trust, pora_crypto::default_provider())
                    .map_err(|e| CliError::data(format!("{}: {e}", file.display())))?;
            let mut revoked = Vec::new();
            let mut suspended = Vec::new();
            for i in 0..token.list.len() as u64 {
                match token.list.get(i).map(Status::from_value) {
                    Some(Status::Revoked) => revoked.push(i),
                    Some(Status::Suspended) => suspended.push(i),
                    _ => {}
                }
            }
            let j = serde_json::json!({
                "office": token.office, "issued_at": time::show(token.issued_at),
                "expires_at": token.expires_at.map(time::show), "entries": token.list.len(),
                "revoked": revoked, "suspended": suspended,
            });
            say!("{}", serde_json::to_string_pretty(&j).unwrap_or_default());
            Ok(Exit::Ok)
        }
        Command::Issue {
            permit,
            key,
            cert,
            root,
            png,
            svg,
            now,
        } => {
            let key = keys::read_private(&key)?;
            let root = keys::read_public(&root)?;
            let record =
                trust::open_certificate(&read(&cert)?, &root, pora_crypto::default_provider())
                    .map_err(|e| CliError::data(format!("{}: {e}", cert.display())))?;
            let raw = if permit.as_os_str() == "-" {
                read_text(&None, &None)?.into_bytes()
            } else {
                read(&permit)?
            };
            let mut json: serde_json::Value = serde_json::from_slice(&raw)
                .map_err(|e| CliError::data(format!("{}: not JSON: {e}", permit.display())))?;
            let obj = json.as_object_mut().ok_or_else(|| {
                CliError::data(format!("{}: expected a JSON object", permit.display()))
            })?;
            if !obj.contains_key("issued_at") {
                obj.insert("issued_at".into(), now_or(&now)?.into());
            }
            if !obj.contains_key("document_serial") {
                let serial =
                    pora_crypto::random_bytes::<4>().map_err(|e| CliError::data(e.to_string()))?;
                obj.insert("document_serial".into(), hex::encode(&serial).into());
            }
            let p: pora_core::Permit = serde_json::from_value(json)
                .map_err(|e| CliError::data(format!("{}: {e}", permit.display())))?;
            let text = pora_core::issue(&p, &record, &key)
                .map_err(|e| CliError::data(format!("cannot issue: {e}")))?;
            let code =
                qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)
                    .map_err(|e| CliError::data(format!("QR encoding: {e}")))?;
            if let Some(path) = png {
                let img = code
                    .render::<image::Luma<u8>>()
                    .module_dimensions(8, 8)
                    .quiet_zone(true)
                    .build();
                img.save_with_format(&path, image::ImageFormat::Png)
                    .map_err(|e| CliError {
                        exit: Exit::CantCreate,
                        message: format!("{}: {e}", path.display()),
                    })?;
            }
            if let Some(path) = svg {
                let s = code
                    .render::<qrcode::render::svg::Color>()
                    .min_dimensions(300, 300)
                    .quiet_zone(true)
                    .build();
                write(&path, s.as_bytes())?;
            }
            say!("{text}");
            Ok(Exit::Ok)
        }
        Command::Verify {
            text,
            file,
            image,
            trust,
            json,
        } => {
            let now = now_or(&trust.now)?;
            let list = load_trust(&trust.trust_list, &trust.root)?;
            let mut status = Vec::new();
            for f in &trust.status_list {
                status.push(
                    StatusListToken::verify(&read(f)?, &list, pora_crypto::default_provider())
                        .map_err(|e| CliError::data(format!("{}: {e}", f.display())))?,
                );
            }
            let ctx = pora_core::Context {
                trust: &list,
                status_lists: &status,
                now,
                policy: Default::default(),
            };
            let check = |qr: &str| pora_core::verify(qr, &ctx, pora_crypto::default_provider());
            let print = |label: Option<&str>, v: &Verdict| {
                if json {
                    let mut j = pora_verdict::verdict_json(v);
                    if let (Some(l), Some(o)) = (label, j.as_object_mut()) {
                        o.insert("image".into(), l.into());
                    }
                    say!("{}", serde_json::to_string_pretty(&j).unwrap_or_default());
                } else {
                    if let Some(l) = label {
                        say!("== {l}");
                    }
                    say_raw!("{}", pora_verdict::verdict_text(v));
                }
            };
            if let Some(path) = image {
                return verify_images(&path, &check, &print, json);
            }
            let v = check(&read_text(&text, &file)?);
            print(None, &v);
            Ok(exit_of(&v))
        }
        Command::Inspect {
            text,
            file,
            trust_list,
            root,
        } => {
            let t = read_text(&text, &file)?;
            let trust = match (trust_list, root) {
                (Some(l), Some(r)) => Some(load_trust(&l, &r)?),
                _ => None,
            };
            let j = inspect(&t, trust.as_ref());
            say!("{}", serde_json::to_string_pretty(&j).unwrap_or_default());
            Ok(if j["ok"].as_bool() == Some(true) {
                Exit::Ok
            } else {
                Exit::Rejected
            })
        }
    }
}

/// Reads one image or every image in a folder and verifies what it finds.
fn verify_images(
    path: &Path,
    check: &dyn Fn(&str) -> Verdict,
    print: &dyn Fn(Option<&str>, &Verdict),
    json: bool,
) -> Result<Exit, CliError> {
    let files: Vec<PathBuf> = if path.is_dir() {
        let mut v: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| CliError {
                exit: Exit::NoInput,
                message: format!("{}: {e}", path.display()),
            })?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.extension().and_then(|x| x.to_str()).is_some_and(|x| {
                    matches!(
                        x.to_ascii_lowercase().as_str(),
                        "png" | "jpg" | "jpeg" | "webp"
                    )
                })
            })
            .collect();
        v.sort();
        v
    } else {
        vec![path.to_path_buf()]
    };
    // Every decoded text goes to verification, which says what it is (not ours, malformed, ...).
    let opts = pora_reader::ReadOptions::default();
    let mut worst = Exit::Ok;
    for f in &files {
        let label = f.display().to_string();
        let bytes = read(f)?;
        match pora_reader::read_image(&bytes, &opts) {
            Ok(codes) => {
                for c in codes {
                    let v = check(&c.text);
                    print(Some(&label), &v);
                    worst = worse(worst, exit_of(&v));
                }
            }
            Err(e) => {
                let (msg_id, code) = match &e {
                    pora_reader::ReadError::NoCode(_) => ("tidak ada kode QR terbaca", "no_code"),
                    _ => ("berkas gambar tidak dapat dibaca", "bad_image"),
                };
                if json {
                    say!(
                        "{}",
                        serde_json::json!({ "image": label, "code": code, "message_id": msg_id, "message_en": e.to_string() })
                    );
                } else {
                    say!("== {label}\nTIDAK TERBACA / NOT READ  [{code}]\n  {msg_id}\n  {e}");
                }
                worst = worse(
                    worst,
                    if code == "no_code" {
                        Exit::Rejected
                    } else {
                        Exit::Data
                    },
                );
            }
        }
    }
    if files.is_empty() {
        return Err(CliError {
            exit: Exit::NoInput,
            message: format!("{}: no PNG, JPEG or WebP images", path.display()),
        });
    }
    Ok(worst)
}

fn worse(a: Exit, b: Exit) -> Exit {
    if (b as u8) > (a as u8) {
        b
    } else {
        a
    }
}

/// Every layer of a text, as JSON.
fn inspect(t: &str, trust: Option<&TrustList>) -> serde_json::Value {
    use pora_core::cose::{AlgorithmLabel, CoseSign1};
    use serde_json::json;
    let mut out = json!({ "chars": t.trim().len(), "qr_version_m": pora_core::qr::min_version_m(t.trim().len()) });
    let cose = match pora_core::text::unwrap(t) {
        Ok(b) => {
            out["prefix"] = json!({ "ok": true, "prefix": pora_core::text::PREFIX });
            out["base45"] = json!({ "ok": true, "bytes": b.len() });
            b
        }
        Err(e) => {
            out["prefix"] = json!({ "ok": !matches!(e, pora_core::text::FrameError::NotOurs | pora_core::text::FrameError::UnsupportedVersion(_)), "error": format!("{e:?}") });
            out["ok"] = false.into();
            return out;
        }
    };
    let msg = match CoseSign1::from_tagged_slice(&cose) {
        Ok(m) => m,
        Err(e) => {
            out["cose"] = json!({ "ok": false, "error": e.to_string(), "hex": hex::encode(&cose) });
            out["ok"] = false.into();
            return out;
        }
    };
    let alg = match &msg.protected.header.alg {
        Some(AlgorithmLabel::Known(a)) => json!(a.name()),
        Some(other) => json!(format!("{other:?}")),
        None => json!(null),
    };
    out["cose"] = json!({
        "ok": true, "tagged": true, "deterministic": msg.to_tagged_vec() == cose,
        "protected": { "hex": hex::encode(&msg.protected.original), "alg": alg, "kid": msg.protected.header.kid.as_ref().map(|k| hex::encode(k)) },
        "unprotected_empty": msg.unprotected.is_empty(),
        "payload_bytes": msg.payload.as_ref().map(Vec::len),
        "signature_bytes": msg.signature.len(),
    });
    let payload = msg.payload.clone().unwrap_or_default();
    out["claims"] = match pora_core::Permit::from_claims(&payload) {
        Ok(c) => json!({
            "ok": true, "hex": hex::encode(&payload), "permit": c.permit,
            "unknown_claims": c.unknown_claims.len(), "unknown_fields": c.unknown_fields.iter().map(|(k, _)| *k as i64).collect::<Vec<_>>(),
        }),
        Err(e) => json!({ "ok": false, "hex": hex::encode(&payload), "error": e.to_string() }),
    };
    out["signature"] = match (trust, msg.kid()) {
        (None, _) => {
            json!({ "checked": false, "note": "give --trust-list and --root to check the signature" })
        }
        (Some(_), None) => json!({ "checked": true, "ok": false, "error": "no kid" }),
        (Some(tl), Some(kid)) => match tl.signer(kid) {
            None => json!({ "checked": true, "ok": false, "error": "unknown signer" }),
            Some(s) => {
                let alg_ok = msg.protected.header.alg
                    == Some(AlgorithmLabel::Known(s.public_key.algorithm()));
                let ok = alg_ok
                    && pora_crypto::default_provider().verify(
                        &s.public_key,
                        &msg.tbs_data(&[]),
                        &msg.signature,
                    );
                json!({ "checked": true, "ok": ok, "signer_office": s.office, "algorithm_matches_key": alg_ok })
            }
        },
    };
    let sig_ok = out["signature"]["ok"].as_bool().unwrap_or(true);
    out["ok"] = (out["claims"]["ok"].as_bool() == Some(true) && sig_ok).into();
    out
}
