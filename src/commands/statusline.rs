//! `rolldex statusline`: one short line for tmux, starship or a shell prompt.
//!
//! Answers from the last index commit without walking the homes (unless `--update`), so a
//! prompt that runs it on every redraw pays for reading the catalog and usage files only.
//! With no data yet it prints nothing and succeeds: a prompt must never show an error.

use super::Io;
use super::limits::{homes, now_ms};
use super::refresh::{Freshness, Needs, open_index};
use crate::cli::StatuslineArgs;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::index::quick;
use crate::limits::status;
use crate::output::status_line::{check_template, status_line};

/// Runs `statusline`.
pub fn run(config: &Config, args: &StatuslineArgs, io: &mut Io<'_>) -> Result<()> {
    if let Some(template) = &args.template {
        check_template(template).map_err(|e| Error::Usage(format!("--template: {e}")))?;
    }
    let now = now_ms(args.now.as_deref())?;
    let freshness = if args.update {
        Freshness::Update
    } else {
        Freshness::AsIs
    };
    // A prompt redraws often: the small cache of the live commit answers when it can.
    let cached = (!args.update)
        .then(|| quick::load(&config.index_dir, &config.homes))
        .flatten();
    let (sessions, limits) = if let Some(cached) = cached {
        cached
    } else {
        let store = open_index(config, freshness, Needs::Usage, io)?.0;
        let generation = store.generation();
        let (sessions, limits) = store.into_sessions_with_limits();
        quick::save(
            &config.index_dir,
            &config.homes,
            generation,
            &sessions,
            &limits,
        );
        (sessions, limits)
    };
    let today_start = config.zone.start_of(config.zone.date_of(now));
    let status = status(
        &sessions,
        &limits,
        &homes(config),
        now,
        today_start,
        &config.prices,
    );
    if !status.has_data {
        return Ok(());
    }
    writeln!(io.out, "{}", status_line(&status, args.template.as_deref()))
        .map_err(|e| Error::io("<stdout>", e))
}
