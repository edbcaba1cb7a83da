//! `--redact-paths`: working directories and projects leave the machine as keyed hashes
//! (HMAC-SHA256), so a team can still group by them without learning anyone's disk layout.
//!
//! The key is a team secret (`ROLLDEX_REDACT_KEY`, read by the front end and passed down: the
//! same path then hashes alike on every machine) or, without one, a random key made once per
//! machine and kept in rolldex's index directory. Repository URLs are kept (a team groups by
//! repository), minus any credentials, query or fragment they carry, redacted or not.

use std::io::{Read, Write};
use std::path::Path;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::error::{Error, Result};

/// The name of the per-machine key file inside the index directory.
pub const MACHINE_KEY_FILE: &str = "export-redact.key";

/// Hex digits of a redacted value: the first 128 bits of the HMAC.
const REDACTED_HEX: usize = 32;

/// Turns paths into keyed hashes.
#[derive(Clone)]
pub struct Redactor {
    key: Vec<u8>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The key itself is never printed.
        f.write_str("Redactor(..)")
    }
}

impl Redactor {
    /// A redactor with this key (a team's shared secret, or the machine key).
    pub fn new(key: &[u8]) -> Redactor {
        Redactor { key: key.to_vec() }
    }

    /// The redacted form of `path`: 32 lowercase hex digits, the first half of
    /// HMAC-SHA256(key, path as UTF-8).
    pub fn path(&self, path: &str) -> String {
        let Ok(mut mac) = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.key) else {
            // HMAC takes a key of any length; this cannot happen.
            return "0".repeat(REDACTED_HEX);
        };
        mac.update(path.as_bytes());
        let digest = mac.finalize().into_bytes();
        let mut hex = String::with_capacity(REDACTED_HEX);
        for byte in digest.iter().take(REDACTED_HEX / 2) {
            use std::fmt::Write as _;
            let _ = write!(hex, "{byte:02x}");
        }
        hex
    }
}

/// The per-machine key: read from `index_dir/export-redact.key`, or made there (32 random
/// bytes, hex, mode 0600) the first time. Two processes making it at once agree: the file is
/// created exclusively and the loser reads the winner's.
pub fn machine_key(index_dir: &Path) -> Result<Vec<u8>> {
    let path = index_dir.join(MACHINE_KEY_FILE);
    if let Some(key) = read_key(&path)? {
        return Ok(key);
    }
    super::files::create_private_dir(index_dir)?;
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| Error::io(&path, std::io::Error::other(e.to_string())))?;
    let hex = bytes.iter().fold(String::new(), |mut hex, b| {
        use std::fmt::Write as _;
        let _ = write!(hex, "{b:02x}");
        hex
    });
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(&path) {
        Ok(mut file) => {
            file.write_all(hex.as_bytes())
                .and_then(|()| file.sync_all())
                .map_err(|e| Error::io(&path, e))?;
            Ok(hex.into_bytes())
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => read_key(&path)?
            .ok_or_else(|| Error::Usage(format!("{}: empty redaction key", path.display()))),
        Err(e) => Err(Error::io(&path, e)),
    }
}

/// The key in `path`, `None` when there is no file (or an empty one, left by a crash).
fn read_key(path: &Path) -> Result<Option<Vec<u8>>> {
    let mut text = Vec::new();
    match std::fs::File::open(path) {
        Ok(mut file) => {
            file.read_to_end(&mut text)
                .map_err(|e| Error::io(path, e))?;
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(path, e)),
    }
    let trimmed = text.trim_ascii();
    Ok((!trimmed.is_empty()).then(|| trimmed.to_vec()))
}

/// A repository URL without what must never leave the machine: the `user:token@` part of an
/// `https://` URL, and a query or fragment. `git@host:org/repo` stays as it is.
pub fn clean_repository_url(url: &str) -> String {
    let url = url.split(['?', '#']).next().unwrap_or(url);
    if let Some((scheme, rest)) = url.split_once("://") {
        let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
        let host = authority
            .rsplit_once('@')
            .map_or(authority, |(_, host)| host);
        if path.is_empty() && !rest.contains('/') {
            return format!("{scheme}://{host}");
        }
        return format!("{scheme}://{host}/{path}");
    }
    url.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231_case_2() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        let redactor = Redactor::new(b"Jefe");
        assert_eq!(
            redactor.path("what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c7"
        );
    }

    #[test]
    fn credentials_never_survive() {
        assert_eq!(
            clean_repository_url("https://user:ghp_secret@github.com/org/repo.git?x=1#y"),
            "https://github.com/org/repo.git"
        );
        assert_eq!(
            clean_repository_url("git@github.com:org/repo.git"),
            "git@github.com:org/repo.git"
        );
        assert_eq!(
            clean_repository_url("https://github.com/org/repo"),
            "https://github.com/org/repo"
        );
    }
}
