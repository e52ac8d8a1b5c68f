//! pora-testkit
