//! The error type of the selectors (`by_*`) and constructors (`from_*`, `create`, `make_tag`).

/// What went wrong in a selector or constructor, in variants a caller can match.
///
/// ```
/// use eyened_orm::Error;
///
/// fn explain(e: &Error) -> &'static str {
///     match e {
///         Error::NotFound { .. } => "create it first, or check the id or name",
///         Error::Ambiguous { .. } => "select by id or by a unique key instead",
///         Error::InvalidArgument(_) => "fix the argument",
///         Error::Database(_) => "the database refused: see the message",
///         _ => "something else",
///     }
/// }
/// let e = Error::NotFound { entity: "Creator", what: "CreatorName = \"alice\"".into() };
/// assert_eq!(explain(&e), "create it first, or check the id or name");
/// assert_eq!(
///     e.to_string(),
///     "no Creator with CreatorName = \"alice\": check the id or name, or create the row first"
/// );
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A row the operation needs does not exist.
    #[error("no {entity} with {what}: check the id or name, or create the row first")]
    NotFound {
        /// The table, e.g. `"TaskDefinition"`.
        entity: &'static str,
        /// What was looked for, e.g. `TaskDefinitionName = "grading"` or `ImageInstanceID in [7, 9]`.
        what: String,
    },
    /// A lookup that must find at most one row found several.
    #[error(
        "{count} {entity} rows have {column} = {value}: select by id or by a unique key instead"
    )]
    Ambiguous {
        /// The table, e.g. `"Patient"`.
        entity: &'static str,
        /// The column that was matched, e.g. `"PatientIdentifier"`.
        column: &'static str,
        /// The value that was matched, as SQL-ish text (`"P-0001"`, `42`, `NULL`).
        value: String,
        /// How many rows matched (at least 2).
        count: u64,
    },
    /// An argument is malformed or contradicts what is stored.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// The database or driver failed (connection, constraint, syntax...).
    #[error("database error: {0}")]
    Database(#[from] sea_orm::DbErr),
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// `NotFound` for `entity` with a free-form description of what was looked for.
    pub(crate) fn not_found(entity: &'static str, what: impl Into<String>) -> Self {
        Self::NotFound {
            entity,
            what: what.into(),
        }
    }
}
