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
        use tantivy::TantivyError;
        // tantivy's writer starts threads; refused one (a process limit: EAGAIN, which no
        // read or write of its files gives), it says only "an IO error" or, from the thread
        // that needed another, "an index writer was killed".
        let refused_thread = match &err {
            TantivyError::IoError(e) => e.kind() == std::io::ErrorKind::WouldBlock,
            TantivyError::ErrorInThread(_) => true,
            _ => false,
        };
        if refused_thread {
            return Error::Index(format!(
                "{err} (could its threads start? a process or thread limit may be reached)"
            ));
        }
        Error::Index(err.to_string())
    }
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_thread_in_tantivy_says_what_may_be_the_cause() {
        let said = |err: tantivy::TantivyError| Error::from(err).to_string();
        let refused = std::io::Error::from(std::io::ErrorKind::WouldBlock);
        assert!(said(tantivy::TantivyError::from(refused)).contains("a process or thread limit"));
        let killed = tantivy::TantivyError::ErrorInThread("An index writer was killed".into());
        assert!(said(killed).contains("a process or thread limit"));
        // Other errors are left as tantivy words them.
        let missing = std::io::Error::from(std::io::ErrorKind::NotFound);
        assert!(!said(tantivy::TantivyError::from(missing)).contains("limit"));
    }
}
