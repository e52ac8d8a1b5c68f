//! pora-store: the pora database, one schema for SQLite (embedded default) and PostgreSQL.
//!
//! * [`Store`] wraps a connection pool to either backend (sqlx's `Any` driver, so every query is
//!   written once); [`Store::open`] creates and migrates the database on first use.
//! * The migrations live side by side in `migrations/sqlite` and `migrations/postgres`; a test checks
//!   that both produce the same tables and columns.
//! * [`audit`] is the append-only, hash-chained audit log with signed chain heads and
//!   [`audit::verify_chain`].
//! * [`field`] holds the field-supervision queries: signed check reports, alerts and their workflow,
//!   corrections, movement timelines.
//! * [`model`] holds the validated value types (NIK, NIB, region codes, …) that the server parses at its
//!   edge, and the row types; [`repo`] holds the queries.
//!
//! Portable storage conventions: ids and instants are `BIGINT` (instants in unix seconds), calendar
//! dates are ISO-8601 `TEXT` (`YYYY-MM-DD`), binary data is lowercase hex `TEXT`, JSON is `TEXT`.
#![forbid(unsafe_code)]

pub mod area;
pub mod audit;
mod db;
mod error;
pub mod field;
pub mod model;
pub mod operations;
pub mod privacy;
pub mod queue;
pub mod repo;
pub mod retention;
pub mod stats;
#[cfg(feature = "test-support")]
pub mod testing;

pub use db::{Backend, Conn, Store, Tx};
pub use error::StoreError;

/// Result type of this crate.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;
