//! Resolved settings: the raw command line plus environment and config file, turned into plain
//! values the pipeline uses (homes, zone, prices, excludes, index directory).
//!
//! Precedence: flag, then environment variable, then config file, then default.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::output::Format;
use crate::pricing::{PriceEntry, PriceFile, PriceTable};
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
        let (user, _) = load_user_config(raw.config.as_deref())?;
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
        if let Some(home) = homes.iter().find(|h| index_dir.starts_with(h)) {
            return Err(Error::Usage(format!(
                "the index directory {} is inside the Codex home {}; rolldex never writes there: choose another --index-dir",
                index_dir.display(),
                home.display()
            )));
        }
        let zone = Zone::parse(raw.tz.as_deref().or(user.tz.as_deref()).unwrap_or("local"))?;
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

fn home_dir() -> Option<PathBuf> {
    directories::BaseDirs::new().map(|d| d.home_dir().to_path_buf())
}

fn expand_tilde(path: &Path) -> PathBuf {
    match (path.strip_prefix("~"), home_dir()) {
        (Ok(rest), Some(home)) => home.join(rest),
        _ => path.to_path_buf(),
    }
}
