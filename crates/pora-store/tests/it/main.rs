//! Integration tests of pora-store, run on SQLite and (when reachable) PostgreSQL.
#![allow(clippy::unwrap_used)]

mod audit;
mod fixtures;
mod registry;
mod retention;
mod schema;
