//! Resolved settings: the raw command line plus environment and config file, turned into plain
//! values the pipeline uses (homes, zone, prices, excludes, index directory).
//!
//! Precedence: flag, then environment variable, then config file, then default.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::output::Format;
use crate::pricing::{MAX_PRICE, PriceEntry, PriceFile, PriceTable};
use crate::timezone::Zone;

/// Settings every command runs with.
#[derive(Debug, Clone)]
pub struct Config {
    /// Codex homes to read.
    pub homes: Vec<PathBuf>,
    /// rolldex's own index directory.
    pub index_dir: PathBuf,
    /// Report zone.
    pub zone: Zone,
    /// Output format.
    pub format: Format,
    /// Whether to stay quiet on stderr.
    pub quiet: bool,
    /// Prices in force.
    pub prices: PriceTable,
    /// User exclude globs.
    pub excludes: Vec<String>,
    /// Warnings about the settings, one line each (e.g. a `$TZ` rolldex cannot read).
    pub warnings: Vec<String>,
}

/// The user's config file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct UserConfig {
    #[serde(default)]
    codex_home: Vec<PathBuf>,
    #[serde(default)]
    exclude: Vec<String>,
    tz: Option<String>,
    index_dir: Option<PathBuf>,
    #[serde(default)]
    prices: BTreeMap<String, PriceEntry>,
    #[serde(default)]
    aliases: BTreeMap<String, String>,
}

/// What the command line said, before resolution.
#[derive(Debug, Default)]
pub struct RawSettings {
    /// `--codex-home`.
    pub homes: Vec<PathBuf>,
    /// `--index-dir`.
    pub index_dir: Option<PathBuf>,
    /// `--tz`.
    pub tz: Option<String>,
    /// `--format` / `--json`.
    pub format: Option<Format>,
    /// `--quiet`.
    pub quiet: bool,
    /// `--config`.
    pub config: Option<PathBuf>,
    /// `--exclude`.
    pub excludes: Vec<String>,
}

impl Config {
    /// Resolves flags, environment and config file into a `Config`.
    pub fn resolve(raw: RawSettings) -> Result<Config> {
        let (user, config_path) = load_user_config(raw.config.as_deref())?;
        if let Some(path) = &config_path {
            check_prices(path, &user.prices)?;
        }
        let homes = if !raw.homes.is_empty() {
            raw.homes
        } else if let Some(home) = std::env::var_os("CODEX_HOME").filter(|h| !h.is_empty()) {
            vec![PathBuf::from(home)]
        } else if !user.codex_home.is_empty() {
            user.codex_home.iter().map(|p| expand_tilde(p)).collect()
        } else {
            vec![
                home_dir()
                    .ok_or_else(|| {
                        Error::Usage("cannot find your home directory; pass --codex-home".into())
                    })?
                    .join(".codex"),
            ]
        };
        let index_dir = raw
            .index_dir
            .or_else(|| {
                std::env::var_os("ROLLDEX_INDEX_DIR")
                    .filter(|d| !d.is_empty())
                    .map(PathBuf::from)
            })
            .or_else(|| user.index_dir.as_deref().map(expand_tilde))
            .or_else(|| {
                directories::ProjectDirs::from("", "", "rolldex")
                    .map(|d| d.cache_dir().to_path_buf())
            })
            .ok_or_else(|| {
                Error::Usage("cannot find a cache directory; pass --index-dir".into())
            })?;
        // Absolute paths: the index keys files by path, so `--codex-home home` and
        // `--codex-home /abs/home` must name the same files.
        let homes: Vec<PathBuf> = homes.iter().map(|h| absolute_clean(h)).collect();
        let index_dir = absolute_clean(&index_dir);
        // Compared as real paths, so that a symlink on either side (an index dir reached
        // through a link into a home, or a home given through a link) cannot hide it.
        let real_index_dir = real_path(&index_dir);
        if let Some(home) = homes
            .iter()
            .find(|h| index_dir.starts_with(h) || real_index_dir.starts_with(real_path(h)))
        {
            return Err(Error::Usage(format!(
                "the index directory {} is inside the Codex home {}; rolldex never writes there: choose another --index-dir",
                index_dir.display(),
                home.display()
            )));
        }
        let tz = raw.tz.as_deref().or(user.tz.as_deref()).unwrap_or("local");
        let zone = Zone::parse(tz)?;
        let warnings: Vec<String> = if tz.trim().eq_ignore_ascii_case("local") {
            crate::timezone::tz_variable_warning().into_iter().collect()
        } else {
            Vec::new()
        };
        let mut prices = PriceTable::bundled();
        prices.apply(PriceFile {
            checked: None,
            models: user.prices,
            aliases: user.aliases,
        });
        let mut excludes = user.exclude;
        excludes.extend(raw.excludes);
        Ok(Config {
            homes,
            index_dir,
            zone,
            format: raw.format.unwrap_or(Format::Table),
            quiet: raw.quiet,
            prices,
            excludes,
            warnings,
        })
    }
}

/// Reads the config file: `--config FILE` (must exist) or the default path (may be absent).
fn load_user_config(explicit: Option<&Path>) -> Result<(UserConfig, Option<PathBuf>)> {
    let path = match explicit {
        Some(path) => path.to_path_buf(),
        None => match default_config_path() {
            Some(path) if path.is_file() => path,
            _ => return Ok((UserConfig::default(), None)),
        },
    };
    let text = std::fs::read_to_string(&path).map_err(|e| Error::Config {
        path: path.clone(),
        message: e.to_string(),
    })?;
    let config: UserConfig = toml::from_str(&text).map_err(|e| Error::Config {
        path: path.clone(),
        message: e.to_string(),
    })?;
    Ok((config, Some(path)))
}

/// Refuses a price that is not a finite number from 0 to [`MAX_PRICE`] USD per million tokens
/// (a negative, NaN or huge price would print a negative, `$NaN` or `$inf` cost), naming the
/// file, the model and the field.
fn check_prices(path: &Path, prices: &BTreeMap<String, PriceEntry>) -> Result<()> {
    for (model, entry) in prices {
        if let Some((field, value)) = entry.invalid_field() {
            return Err(Error::Config {
                path: path.to_path_buf(),
                message: format!(
                    "[prices.{model:?}] {field} = {value}: a price must be a number of USD per \
                     million tokens from 0 to {MAX_PRICE}"
                ),
            });
        }
    }
    Ok(())
}

/// `$XDG_CONFIG_HOME/rolldex/config.toml`, else `~/.config/rolldex/config.toml`.
fn default_config_path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| home_dir().map(|h| h.join(".config")))?;
    Some(base.join("rolldex").join("config.toml"))
}

/// `path` made absolute (against the current directory) with `.` and `..` resolved lexically.
pub fn absolute_clean(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut clean = PathBuf::new();
    for part in absolute.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                clean.pop();
            }
            other => clean.push(other),
        }
    }
    clean
}

/// `path` with every symlink resolved, for a path that may not exist yet: the nearest
/// existing ancestor is canonicalised and the rest appended. `path` is absolute and clean.
fn real_path(path: &Path) -> PathBuf {
    let mut existing = path;
    let mut rest = Vec::new();
    loop {
        if let Ok(real) = std::fs::canonicalize(existing) {
            return rest.iter().rev().fold(real, |dir, part| dir.join(part));
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name);
                existing = parent;
            }
            _ => return path.to_path_buf(),
        }
    }
}

fn home_dir() -> Option<PathBuf> {
    directories::BaseDirs::new().map(|d| d.home_dir().to_path_buf())
}

fn expand_tilde(path: &Path) -> PathBuf {
    match (path.strip_prefix("~"), home_dir()) {
        (Ok(rest), Some(home)) => home.join(rest),
        _ => path.to_path_buf(),
    }
}
