//! The index folder on disk: its name for a set of homes, its lock, private directories,
//! whole-or-nothing small files, and what a folder holds when it is opened (nothing, an index of
//! this version, or something to rebuild and why).

use std::fs::{self, File};
use std::path::{Path, PathBuf};

use tantivy::Index;

use super::generations::highest_generation;
use super::schema;
use crate::error::{Error, Result};

/// What an index folder holds.
pub(super) enum Found {
    /// Nothing yet: a first build starts here.
    Nothing,
    /// A tantivy index of this version (its last commit is read next).
    Index(Index),
    /// Something rolldex cannot use, and why.
    Broken(String),
}

/// A stable folder name for a set of homes, so different homes never share an index.
pub(super) fn homes_key(homes: &[PathBuf]) -> String {
    let mut names: Vec<String> = homes
        .iter()
        .map(|h| {
            fs::canonicalize(h)
                .unwrap_or_else(|_| h.clone())
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names.dedup();
    format!("homes-{:016x}", schema::stable_hash(&names.join("\n")))
}

/// Opens `lock`, creating it; read-only when the folder or the file cannot be written (a lock
/// needs no write access, and a read-only index can still be read).
pub(super) fn open_lock_file(dir: &Path) -> Result<File> {
    let path = dir.join("lock");
    match File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
    {
        Ok(file) => Ok(file),
        Err(e) => File::open(&path).map_err(|_| Error::io(&path, e)),
    }
}

pub(super) fn lock_exclusive(dir: &Path) -> Result<File> {
    let file = open_lock_file(dir)?;
    file.lock().map_err(|e| Error::io(dir.join("lock"), e))?;
    Ok(file)
}

/// Creates `dir` (and parents) with mode 0700 on Unix: the index holds conversation text.
pub(super) fn create_private_dir(dir: &Path) -> Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir).map_err(|e| Error::io(dir, e))
}

/// Sets an existing index folder (ours, below `index_dir`) back to 0700 when an older
/// version, or a loose umask, left it readable by others. Best effort: an index folder that
/// cannot be changed still works, and `index_dir` itself is never touched (it may be a folder
/// the user shares, such as /tmp).
pub(super) fn tighten_private_dir(dir: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = fs::metadata(dir)
            && meta.permissions().mode() & 0o077 != 0
        {
            let _ = fs::set_permissions(dir, fs::Permissions::from_mode(0o700));
        }
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// Writes `path` whole or not at all: a temporary name, fsync, rename.
pub(super) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let tmp = path.with_extension("tmp");
    let mut file = File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
    file.write_all(bytes).map_err(|e| Error::io(&tmp, e))?;
    file.sync_all().map_err(|e| Error::io(&tmp, e))?;
    fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
}

/// What the folder `dir` holds, read without writing anything.
pub(super) fn inspect(dir: &Path) -> Found {
    let tantivy_dir = dir.join("tantivy");
    let version = fs::read(dir.join("VERSION")).ok();
    let has_meta = tantivy_dir.join("meta.json").exists();
    if !has_meta && version.is_none() && highest_generation(dir) == 0 {
        return Found::Nothing;
    }
    let found = version
        .as_deref()
        .and_then(|v| std::str::from_utf8(v).ok())
        .and_then(|v| v.trim().parse::<u32>().ok());
    match found {
        Some(v) if v == schema::SCHEMA_VERSION => {}
        Some(old) => {
            return Found::Broken(format!(
                "index format changed (v{old} → v{})",
                schema::SCHEMA_VERSION
            ));
        }
        None => return Found::Broken("index version unknown".to_owned()),
    }
    // tantivy writes both when it creates an index; it tolerates a missing `.managed.json`,
    // but would then never delete the files it lists.
    for name in ["meta.json", ".managed.json"] {
        if !tantivy_dir.join(name).is_file() {
            return Found::Broken(format!("the index is damaged (tantivy/{name} is missing)"));
        }
    }
    match Index::open_in_dir(&tantivy_dir) {
        Ok(index) => Found::Index(index),
        Err(e) => Found::Broken(damaged(&Error::from(e))),
    }
}

/// The one-line reason for an index whose files cannot be read.
pub(super) fn damaged(error: &Error) -> String {
    let text = match error {
        Error::Index(message) => message.clone(),
        other => other.to_string(),
    };
    let text = text.replace(['\n', '\r'], " ");
    format!("the index is damaged ({})", text.trim())
}

/// Creates an empty index in the folder's own `tantivy/` (a first build; caller holds the lock).
pub(super) fn create_in_place(dir: &Path) -> Result<Index> {
    let tantivy_dir = dir.join("tantivy");
    create_private_dir(&tantivy_dir)?;
    let (schema, _) = schema::schema();
    let index = Index::create_in_dir(&tantivy_dir, schema)?;
    write_atomically(
        &dir.join("VERSION"),
        schema::SCHEMA_VERSION.to_string().as_bytes(),
    )?;
    Ok(index)
}

/// (device, inode) of a directory, to notice that it was replaced.
pub(super) fn dir_identity(dir: &Path) -> Option<(u64, u64)> {
    fs::metadata(dir)
        .ok()
        .map(|meta| crate::scan::file_identity(&meta))
}
