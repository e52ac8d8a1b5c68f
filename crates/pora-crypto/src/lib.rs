//! pora-crypto
