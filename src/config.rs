//! Resolved settings: the raw command line plus environment and config file, turned into plain
//! values the pipeline uses (homes, zone, prices, excludes, index directory, colour, width).
//!
//! Precedence: flag, then environment variable, then config file, then default. The
//! environment comes in as the front end's [`Environment`] snapshot; this module never reads
//! the process's variables or directories itself.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::environment::{Environment, RedactKey};
use crate::error::{Error, Result};
use crate::output::Format;
use crate::pricing::{MAX_PRICE, PriceEntry, PriceFile, Prices};
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
    /// What `local` means (from `$TZ` or the system's zone), for a zone given later, such as
    /// an MCP tool's `tz`.
    pub local_zone: Zone,
    /// Output format.
    pub format: Format,
    /// Whether to stay quiet on stderr.
    pub quiet: bool,
    /// Prices in force (the table is made when something first prices a model).
    pub prices: Prices,
    /// User exclude globs.
    pub excludes: Vec<String>,
    /// Warnings about the settings, one line each (e.g. a `$TZ` rolldex cannot read).
    pub warnings: Vec<String>,
    /// Whether the environment allows colour (see [`Environment::allows_color`]); a command
    /// colours only where this holds and it draws on a terminal.
    pub color_allowed: bool,
    /// The terminal width `$COLUMNS` states, which tables are fitted to; `None` lets a table
    /// measure the terminal itself.
    pub columns: Option<u16>,
    /// The pager's command words (see [`Environment::pager`]).
    pub pager: Vec<String>,
    /// The team's key for `export --redact-paths` (see [`Environment::redact_key`]).
    pub redact_key: Option<RedactKey>,
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
    /// The process environment, as the front end read it.
    pub env: Environment,
}

impl Config {
    /// Resolves flags, environment and config file into a `Config`.
    pub fn resolve(raw: RawSettings) -> Result<Config> {
        let env = &raw.env;
        let (user, config_path) = load_user_config(raw.config.as_deref(), env)?;
        if let Some(path) = &config_path {
            check_prices(path, &user.prices)?;
        }
        let homes = if !raw.homes.is_empty() {
            raw.homes
        } else if let Some(home) = non_empty(env.codex_home.as_ref()) {
            vec![home.clone()]
        } else if !user.codex_home.is_empty() {
            user.codex_home
                .iter()
                .map(|p| expand_tilde(p, env))
                .collect()
        } else {
            vec![
                env.home_dir
                    .clone()
                    .ok_or_else(|| {
                        Error::Usage("cannot find your home directory; pass --codex-home".into())
                    })?
                    .join(".codex"),
            ]
        };
        let index_dir = raw
            .index_dir
            .or_else(|| non_empty(env.rolldex_index_dir.as_ref()).cloned())
            .or_else(|| user.index_dir.as_deref().map(|d| expand_tilde(d, env)))
            .or_else(|| env.cache_dir.clone())
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
        let local_zone = Zone::local(
            env.tz.as_deref(),
            env.system_zone.as_deref(),
            env.zone_file.as_deref(),
        );
        let zone = Zone::parse(tz, &local_zone)?;
        let warnings: Vec<String> = if tz.trim().eq_ignore_ascii_case("local") {
            crate::timezone::tz_variable_warning(env.tz.as_deref(), env.system_zone.as_deref())
                .into_iter()
                .collect()
        } else {
            Vec::new()
        };
        let prices = Prices::new(PriceFile {
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
            local_zone,
            format: raw.format.unwrap_or(Format::Table),
            quiet: raw.quiet,
            prices,
            excludes,
            warnings,
            color_allowed: env.allows_color(),
            columns: env.columns(),
            pager: env.pager(),
            redact_key: env.redact_key(),
        })
    }
}

/// Reads the config file: `--config FILE` (must exist) or the default path (may be absent).
fn load_user_config(
    explicit: Option<&Path>,
    env: &Environment,
) -> Result<(UserConfig, Option<PathBuf>)> {
    let path = match explicit {
        Some(path) => path.to_path_buf(),
        None => match default_config_path(env) {
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
fn default_config_path(env: &Environment) -> Option<PathBuf> {
    let base = non_empty(env.xdg_config_home.as_ref())
        .cloned()
        .or_else(|| env.home_dir.as_ref().map(|h| h.join(".config")))?;
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

/// A path from a variable, `None` when it is empty: an empty variable counts as unset.
fn non_empty(path: Option<&PathBuf>) -> Option<&PathBuf> {
    path.filter(|p| !p.as_os_str().is_empty())
}

/// `~/rest` as `rest` under the home directory; any other path (or no home) as it is.
fn expand_tilde(path: &Path, env: &Environment) -> PathBuf {
    match (path.strip_prefix("~"), &env.home_dir) {
        (Ok(rest), Some(home)) => home.join(rest),
        _ => path.to_path_buf(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A directory with a `home`, a `cache` and an `xdg` config directory, and an environment
    /// that names all three (and nothing else).
    fn sandbox() -> (tempfile::TempDir, Environment) {
        let dir = tempfile::tempdir().expect("tempdir");
        let env = Environment {
            home_dir: Some(dir.path().join("home")),
            cache_dir: Some(dir.path().join("cache").join("rolldex")),
            xdg_config_home: Some(dir.path().join("xdg")),
            ..Environment::default()
        };
        (dir, env)
    }

    fn resolve(env: &Environment, raw: RawSettings) -> Result<Config> {
        Config::resolve(RawSettings {
            env: env.clone(),
            ..raw
        })
    }

    fn write_config(env: &Environment, text: &str) {
        let dir = env.xdg_config_home.as_ref().expect("xdg").join("rolldex");
        std::fs::create_dir_all(&dir).expect("mkdir");
        std::fs::write(dir.join("config.toml"), text).expect("write config");
    }

    #[test]
    fn defaults_come_from_the_home_and_cache_directories() {
        let (dir, env) = sandbox();
        let config = resolve(&env, RawSettings::default()).expect("config");
        assert_eq!(config.homes, [dir.path().join("home/.codex")]);
        assert_eq!(config.index_dir, dir.path().join("cache/rolldex"));
        let no_home = Environment {
            home_dir: None,
            ..env
        };
        assert!(matches!(
            resolve(&no_home, RawSettings::default()),
            Err(Error::Usage(_))
        ));
    }

    #[test]
    fn flag_then_variable_then_config_file() {
        let (dir, env) = sandbox();
        let at = |p: &str| dir.path().join(p);
        write_config(
            &env,
            "codex_home = [\"~/from-file\"]\nindex_dir = \"~/file-index\"\n",
        );
        let config = resolve(&env, RawSettings::default()).expect("config");
        assert_eq!(config.homes, [at("home/from-file")]);
        assert_eq!(config.index_dir, at("home/file-index"));
        // An empty variable counts as unset.
        let empty = Environment {
            codex_home: Some(PathBuf::new()),
            rolldex_index_dir: Some(PathBuf::new()),
            ..env.clone()
        };
        let config = resolve(&empty, RawSettings::default()).expect("config");
        assert_eq!(config.homes, [at("home/from-file")]);
        let set = Environment {
            codex_home: Some(at("var-home")),
            rolldex_index_dir: Some(at("var-index")),
            ..env.clone()
        };
        let config = resolve(&set, RawSettings::default()).expect("config");
        assert_eq!(config.homes, [at("var-home")]);
        assert_eq!(config.index_dir, at("var-index"));
        let flags = RawSettings {
            homes: vec![at("flag-home")],
            index_dir: Some(at("flag-index")),
            ..RawSettings::default()
        };
        let config = resolve(&set, flags).expect("config");
        assert_eq!(config.homes, [at("flag-home")]);
        assert_eq!(config.index_dir, at("flag-index"));
    }

    #[test]
    fn the_config_file_is_under_home_without_xdg_config_home() {
        let (dir, env) = sandbox();
        let bare = Environment {
            xdg_config_home: Some(PathBuf::new()),
            ..env.clone()
        };
        let file = dir.path().join("home/.config/rolldex/config.toml");
        std::fs::create_dir_all(file.parent().expect("parent")).expect("mkdir");
        std::fs::write(&file, "exclude = [\"**/skip/**\"]\n").expect("write");
        let config = resolve(&bare, RawSettings::default()).expect("config");
        assert_eq!(config.excludes, ["**/skip/**"]);
        // With `XDG_CONFIG_HOME` set, that file is not the one read.
        let config = resolve(&env, RawSettings::default()).expect("config");
        assert!(config.excludes.is_empty());
    }

    #[test]
    fn local_zone_colour_and_width_come_from_the_environment() {
        let (_dir, env) = sandbox();
        // A `$TZ` holding a POSIX rule is the local zone, without a warning.
        let rule = Environment {
            tz: Some("CET-1CEST,M3.5.0,M10.5.0/3".into()),
            system_zone: Some("Asia/Tokyo".into()),
            ..env.clone()
        };
        let config = resolve(&rule, RawSettings::default()).expect("config");
        assert_eq!(config.zone.name(), "CET-1CEST,M3.5.0,M10.5.0/3");
        assert!(config.warnings.is_empty(), "{:?}", config.warnings);
        // One rolldex cannot read falls back to the system's zone, with one warning.
        let env = Environment {
            tz: Some("Mars/Olympus".into()),
            system_zone: Some("Asia/Tokyo".into()),
            no_color: true,
            columns: Some("20".into()),
            ..env
        };
        let config = resolve(&env, RawSettings::default()).expect("config");
        assert_eq!(config.zone.name(), "Asia/Tokyo");
        assert_eq!(config.local_zone.name(), "Asia/Tokyo");
        assert_eq!(config.warnings.len(), 1, "{:?}", config.warnings);
        assert!(!config.color_allowed);
        assert_eq!(config.columns, Some(20));
        // `--tz` other than `local` neither uses nor warns about `$TZ`.
        let utc = RawSettings {
            tz: Some("UTC".into()),
            ..RawSettings::default()
        };
        let config = resolve(&env, utc).expect("config");
        assert_eq!(config.zone.name(), "UTC");
        assert_eq!(config.local_zone.name(), "Asia/Tokyo");
        assert!(config.warnings.is_empty());
    }
}
