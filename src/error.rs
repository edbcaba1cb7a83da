//! The one error type of the library, and how each kind maps to an exit code.
//!
//! Bad input *lines* are not errors (they are counted in a parse report); errors are what stops
//! a command: a missing Codex home, a bad flag value, an index that cannot be opened.

use std::path::PathBuf;

/// Everything that can stop a rolldex command.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or directory could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The path involved.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// A Codex home given (or defaulted) does not exist.
    #[error("Codex home not found: {0} (set --codex-home or CODEX_HOME)")]
    MissingHome(PathBuf),
    /// A flag or argument has a value rolldex cannot use.
    #[error("{0}")]
    Usage(String),
    /// The config or price file is malformed.
    #[error("{path}: {message}")]
    Config {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// A search query rolldex cannot run.
    #[error("bad query: {0}")]
    Query(String),
    /// The search index failed.
    #[error("index: {0}")]
    Index(String),
}

impl Error {
    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// Process exit code: 2 for every error, like grep, so that scripts can tell an error
    /// from `search` or `resume` finding nothing (1).
    pub fn exit_code(&self) -> u8 {
        2
    }
}

impl From<tantivy::TantivyError> for Error {
    fn from(err: tantivy::TantivyError) -> Error {
        Error::Index(err.to_string())
    }
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
