//! Integration tests of pora-server: the whole router driven in-process.
#![allow(clippy::unwrap_used)]

mod access;
mod app;
mod auth;
mod dashboard;
mod demo;
mod flows;
mod issuance;
mod offline_root;
mod operations;
mod ops;
mod privacy;
mod reports;
