//! Wires the command line to the pipeline: resolves `Cli` into a `Config`, runs the chosen
//! command with stdout/stderr, and maps the outcome to an exit code.
//!
//! The only module (with `main`) that touches clap types, the process's streams and exit codes,
//! and the one that reads the process's environment: `process_environment` takes the one
//! snapshot that the rest of rolldex gets its variables, directories and system zone from.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::cli::{Cli, Command, FormatArg, FormatChoice};
use crate::commands::{self, Io};
use crate::config::{Config, RawSettings};
use crate::environment::{Environment, RedactKey};
use crate::error::Error;
use crate::output::Format;

/// Runs rolldex; returns the process exit code.
pub fn run(cli: Cli) -> u8 {
    let stdout = io::stdout();
    // Not `stdout.lock()`: `rolldex mcp` writes the protocol to stdout from another thread,
    // which would wait forever for a lock held here. `Stdout` locks per write.
    let mut out = io::BufWriter::new(stdout);
    // Never `stderr.lock()` here: the progress bar draws from its own thread through the same
    // process-wide stderr, so a lock held across the run deadlocks the first draw (issue 15).
    // `Stderr` takes the lock per write and releases it at once.
    let mut err = io::stderr();
    let code = match dispatch(cli, &mut out, &mut err) {
        Ok(code) => code,
        Err(Error::Io { source, .. }) if source.kind() == io::ErrorKind::BrokenPipe => 0,
        Err(error) => {
            let _ = writeln!(err, "rolldex: {error}");
            error.exit_code()
        }
    };
    match out.flush() {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe && code == 0 => {
            let _ = writeln!(err, "rolldex: <stdout>: {e}");
            1
        }
        _ => code,
    }
}

fn dispatch(cli: Cli, out: &mut dyn Write, err: &mut dyn Write) -> Result<u8, Error> {
    let global = cli.global;
    let export_format = match &global.format {
        Some(FormatChoice::Export(f)) => Some(*f),
        _ => None,
    };
    // `export` writes files in one of its own formats; only `--json` changes what it prints.
    let export_refuses = matches!(
        global.format,
        Some(FormatChoice::Output(
            FormatArg::Table | FormatArg::Jsonl | FormatArg::Csv
        ))
    );
    let (format, template) = match global.format {
        Some(FormatChoice::Output(f)) => (
            Some(match f {
                FormatArg::Table => Format::Table,
                FormatArg::Json => Format::Json,
                FormatArg::Jsonl => Format::Jsonl,
                FormatArg::Csv => Format::Csv,
            }),
            None,
        ),
        Some(FormatChoice::Template(t)) => (None, Some(t)),
        Some(FormatChoice::Export(_)) | None => (None, None),
    };
    let format = if global.json {
        Some(Format::Json)
    } else {
        format
    };
    let mut command = cli.command;
    match (&mut command, template) {
        (Command::Statusline(args), Some(template)) => {
            args.template = args.template.take().or(Some(template));
        }
        (_, Some(template)) => {
            return Err(Error::Usage(format!(
                "--format {template:?}: a template is for `statusline`; this command takes table, json, jsonl or csv"
            )));
        }
        _ => {}
    }
    match (&mut command, export_format) {
        (Command::Export(args), Some(format)) => args.format = format,
        (Command::Export(_), None) if export_refuses => {
            return Err(Error::Usage(
                "`export` writes --format parquet (the default) or ndjson files; --json prints what it did as JSON".into(),
            ));
        }
        (_, Some(_)) => {
            return Err(Error::Usage(
                "--format parquet and ndjson are for `export`; this command takes table, json, jsonl or csv".into(),
            ));
        }
        _ => {}
    }
    let config = Config::resolve(RawSettings {
        homes: global.codex_home,
        index_dir: global.index_dir,
        tz: global.tz,
        format,
        quiet: global.quiet,
        config: global.config,
        excludes: global.exclude,
        env: process_environment(),
    })?;
    if !config.quiet {
        for warning in &config.warnings {
            writeln!(err, "rolldex: warning: {warning}").map_err(|e| Error::io("<stderr>", e))?;
        }
    }
    let mut io = Io { out, err };
    match command {
        Command::Stats(args) => commands::stats::run(&config, &args, &mut io).map(|()| 0),
        Command::Index(args) => commands::index::run(&config, &args, &mut io).map(|()| 0),
        Command::Search(args) => commands::search::run(&config, &args, &mut io),
        Command::Resume(args) => commands::resume::run(&config, &args, &mut io),
        Command::Sessions(args) => commands::sessions::run(&config, &args, &mut io).map(|()| 0),
        Command::Show(args) => commands::show::run(&config, &args, &mut io),
        Command::Pick(args) => commands::pick::run(&config, &args, &mut io),
        Command::Completions(args) => commands::shell::completions(args.shell, &mut io).map(|()| 0),
        Command::Man => commands::shell::man(&mut io).map(|()| 0),
        Command::Init(args) => commands::shell::init(args.shell, &mut io).map(|()| 0),
        Command::Doctor(args) => commands::doctor::run(&config, &args, &mut io),
        Command::Limits(args) => commands::limits::run(&config, &args, &mut io).map(|()| 0),
        Command::Export(args) => commands::export::run(&config, &args, &mut io).map(|()| 0),
        Command::Statusline(args) => commands::statusline::run(&config, &args, &mut io).map(|()| 0),
        Command::Mcp(args) => {
            let wait = std::time::Duration::try_from_secs_f64(args.update_wait).map_err(|_| {
                Error::Usage("--update-wait must be a number of seconds, 0 or more".into())
            })?;
            crate::mcp::serve(&config, wait).map(|()| 0)
        }
    }
}

/// A zone file's bytes: a regular file (a fifo would block, a device never end), at most a
/// megabyte (a zone file is a few kilobytes); `None` when it cannot be read.
fn read_zone_file(path: &Path) -> Option<Vec<u8>> {
    use std::io::Read;
    if !std::fs::metadata(path).ok()?.is_file() {
        return None;
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .ok()?
        .take(1 << 20)
        .read_to_end(&mut bytes)
        .ok()?;
    Some(bytes)
}

/// Reads everything rolldex takes from the process environment, once, as it is: the library
/// interprets the values (empty means unset, `COLUMNS` must be a number, which `TZ` it can
/// read). The home and cache directories and the system zone come from the `directories` and
/// `iana_time_zone` crates, which read `HOME`, `XDG_CACHE_HOME` and the system's settings.
fn process_environment() -> Environment {
    Environment {
        codex_home: std::env::var_os("CODEX_HOME").map(PathBuf::from),
        rolldex_index_dir: std::env::var_os("ROLLDEX_INDEX_DIR").map(PathBuf::from),
        xdg_config_home: std::env::var_os("XDG_CONFIG_HOME").map(PathBuf::from),
        home_dir: directories::BaseDirs::new().map(|d| d.home_dir().to_path_buf()),
        cache_dir: directories::ProjectDirs::from("", "", "rolldex")
            .map(|d| d.cache_dir().to_path_buf()),
        tz: std::env::var("TZ").ok(),
        system_zone: iana_time_zone::get_timezone().ok(),
        // Read whatever the name, since the name may be one chrono-tz does not know.
        zone_file: read_zone_file(Path::new("/etc/localtime")),
        no_color: std::env::var_os("NO_COLOR").is_some(),
        term: std::env::var_os("TERM"),
        columns: std::env::var("COLUMNS").ok(),
        pager: std::env::var("PAGER").ok(),
        redact_key: std::env::var_os(commands::export::REDACT_KEY_VAR)
            .map(|k| RedactKey(k.into_encoded_bytes())),
    }
}
