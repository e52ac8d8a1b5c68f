//! The store's error type: one `#[non_exhaustive]` enum a caller can match on.

/// Errors from the store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The database URL is neither `sqlite:` nor `postgres://` / `postgresql://`.
    #[error("unsupported database URL (want sqlite:PATH or postgres://…): {0}")]
    UnsupportedUrl(String),
    /// A row that the caller asked for does not exist.
    #[error("{entity} not found")]
    NotFound {
        /// What was looked up, e.g. "permit".
        entity: &'static str,
    },
    /// A uniqueness or foreign-key rule of the schema refused the write.
    #[error("conflict: {0}")]
    Conflict(String),
    /// A value stored in the database does not parse (a sign of tampering or a bug).
    #[error("corrupt value in column {column}: {value:?}")]
    Corrupt {
        /// The column.
        column: &'static str,
        /// The offending value.
        value: String,
    },
    /// A value given by the caller is invalid.
    #[error("invalid {field}: {reason}")]
    Invalid {
        /// The field name as the API calls it.
        field: &'static str,
        /// Why.
        reason: String,
    },
    /// A migration failed to apply.
    #[error("migration {version} failed: {source}")]
    Migration {
        /// The migration's version number.
        version: i64,
        /// The database error.
        #[source]
        source: sqlx::Error,
    },
    /// The audit key could not be used.
    #[error("audit key: {0}")]
    AuditKey(String),
    /// A batch of audit appends failed (every caller in the batch gets this).
    #[error("audit append failed: {0}")]
    AuditBatch(String),
    /// Any other database error.
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::RowNotFound => StoreError::NotFound { entity: "row" },
            sqlx::Error::Database(db)
                if db.is_unique_violation() || db.is_foreign_key_violation() =>
            {
                StoreError::Conflict(db.message().to_owned())
            }
            _ => StoreError::Database(e),
        }
    }
}
