//! pora-server: the central pora server (axum) over [`pora_store`].
//!
//! * [`serve`] runs the server from a [`ServerConfig`]; [`router`] builds the [`axum::Router`] for an
//!   [`AppState`] (tests drive it without a socket).
//! * Every endpoint is listed once in [`routes`] and has exactly one rule in [`policy::RULES`]
//!   (endpoint → allowed roles); the authorisation middleware refuses any endpoint without a rule.
//! * [`audit`] gives the CLI `pora audit verify`; [`signing`] holds office keys sealed at rest;
//!   [`demo()`] builds the Bekasi demo database and serves it.
//!
//! The JSON API lives under `/api/v1`; errors are `{"code", "message", "field"?}` ([`error`]).
#![forbid(unsafe_code)]

pub mod alerts;
pub mod api;
pub mod audit;
pub mod auth;
pub mod config;
pub mod demo;
pub mod error;
pub mod export_pdf;
pub mod field_web;
pub mod ingest;
pub mod metrics;
pub mod openapi;
pub mod policy;
pub mod retention;
pub mod routes;
pub mod signing;
pub mod state;
pub mod trust_admin;
pub mod web;

pub use config::ServerConfig;
pub use demo::{demo, DemoConfig};
pub use routes::router;
pub use state::AppState;

use anyhow::Context as _;

/// Runs the server until Ctrl-C / SIGTERM: opens (and migrates) the database, loads or creates the
/// keys, starts the audit-head signer, and serves HTTP on `config.listen`.
pub async fn serve(config: ServerConfig) -> anyhow::Result<()> {
    init_tracing();
    let state = AppState::open(config.clone()).await?;
    serve_state(state).await
}

/// Serves an already opened state (used by [`demo()`]).
pub async fn serve_state(state: AppState) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(state.config.listen)
        .await
        .with_context(|| format!("binding {}", state.config.listen))?;
    let addr = listener.local_addr()?;
    state.warm_publications().await;
    tracing::info!(%addr, db = %state.config.redacted_db_url(), "pora server listening");
    let signer = audit::spawn_head_signer(state.clone());
    let reminders = audit::spawn_reminders(state.clone());
    let retention = retention::spawn(state.clone());
    let app = router(state.clone());
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .context("serving HTTP")?;
    signer.abort();
    reminders.abort();
    retention.abort();
    // Sign the final head so that truncation after shutdown is caught too.
    if let Err(e) = state.sign_audit_head().await {
        tracing::warn!(error = %e, "could not sign the final audit head");
    }
    state.store.close().await;
    Ok(())
}

/// Installs a tracing subscriber once (`RUST_LOG`-style level from `PORA_LOG`, default `info`).
pub fn init_tracing() {
    let level = std::env::var("PORA_LOG")
        .ok()
        .and_then(|l| l.parse::<tracing_subscriber::filter::LevelFilter>().ok())
        .unwrap_or(tracing_subscriber::filter::LevelFilter::INFO);
    let _ = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_target(false)
        .try_init();
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}
