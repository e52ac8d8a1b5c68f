//! Integration tests of pora-server: the whole router driven in-process.
#![allow(clippy::unwrap_used)]

mod access;
mod app;
mod auth;
mod demo;
mod flows;
mod ops;
