//! `rolldex pick`'s terminal front end: an inline picker (the bottom of the screen, or the
//! whole of it with `--full-screen`) drawn on `/dev/tty`, so stdout stays free for the id it
//! prints: `codex resume "$(rolldex pick)"` works.
//!
//! This thread reads nothing but events and draws; `input` turns terminal events into
//! [`worker::Event`]s; the worker owns the index and answers the newest request, a previewer
//! reads the selected session; `watch_terminal` reports a hangup. The picker opens on the last
//! commit at once while an updater brings the index up to date; when that lands the list is
//! ranked again and the status line says so. What to list and in which order is the library's
//! (`pick`); this module only draws and reads keys.
//!
//! A closed terminal (its window killed, SIGHUP, SIGTERM) ends the picker like Esc: exit 130,
//! nothing printed, the terminal given back when it is still there.

mod cells;
mod draw;
mod state;
mod tty;
pub mod worker;

use std::fs::File;
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};

use ratatui::crossterm::event::Event as TermEvent;

use crate::config::Config;
use crate::error::{Error, Result};
use crate::pick::{PickRequest, Scope, default_scope};
use draw::Theme;
use state::{Action, App};
use tty::{InputGate, Screen, input, terminal_gone, watch_terminal};
use worker::{Event, Job};

/// How the picker starts.
#[derive(Debug, Clone)]
pub struct Options {
    /// The line to start with.
    pub line: String,
    /// The scopes Tab cycles through.
    pub scopes: Vec<Scope>,
    /// Which one to start in; `None`: this directory when it has sessions, else everywhere.
    pub start: Option<usize>,
    /// Include `codex exec` and sub-agent sessions.
    pub include_non_interactive: bool,
    /// The whole screen (alternate screen) instead of the bottom of it.
    pub full_screen: bool,
    /// Update the index in the background.
    pub update: bool,
    /// The picker's directory.
    pub here: String,
    /// Whether colour may be used.
    pub color: bool,
    /// The command that pages through a session (`rolldex show ID | $PAGER`), for Ctrl-O.
    pub show: Option<ShowCommand>,
}

/// How Ctrl-O shows a whole session: `program args… ID`, its output piped to `pager`.
#[derive(Debug, Clone)]
pub struct ShowCommand {
    /// The program (rolldex itself).
    pub program: std::path::PathBuf,
    /// Arguments before the id.
    pub args: Vec<String>,
    /// The pager and its arguments.
    pub pager: Vec<String>,
}

/// How the picker ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Enter on this session.
    Chosen(String),
    /// Esc or Ctrl-C.
    Cancelled,
    /// Ctrl-R on this session.
    Resume(String),
}

/// Runs the picker until a session is chosen or it is cancelled (Esc, Ctrl-C, or the
/// terminal going away: its window closed, SIGHUP, SIGTERM — all end it quietly as cancelled).
pub fn run(config: &Config, options: &Options) -> Result<Outcome> {
    crate::threads::refuse_without_threads("the picker")?;
    let store = worker::open_as_is(config)?;
    let start = options.start.unwrap_or_else(|| {
        let scope = default_scope(&store, &options.here, options.include_non_interactive);
        options.scopes.iter().position(|s| *s == scope).unwrap_or(0)
    });
    // Caught from before the screen is taken, so that it is always given back.
    let signals = tty::catch_signals()?;
    let mut screen = Screen::open(options.full_screen)?;
    let (events_tx, events) = mpsc::channel::<Event>();
    let (jobs, jobs_rx) = mpsc::channel::<Job>();
    let paused = Arc::new(InputGate::default());
    let stop = Arc::new(AtomicBool::new(false));
    // Every thread is detached: none may keep the picker from ending. On a closed terminal
    // crossterm's reader spins on the dead tty forever, an update can take minutes, a preview
    // of a huge session seconds; they end with the process (a killed update is picked up by
    // the next one, as after Ctrl-C on `rolldex index`).
    {
        let (events, config) = (events_tx.clone(), config.clone());
        let (previews, previews_rx) = mpsc::channel();
        detach(move || worker::work(&config, store, &jobs_rx, &previews, &events))?;
        let events = events_tx.clone();
        detach(move || worker::previewer(&previews_rx, &events))?;
    }
    {
        let (events, paused, stop) = (events_tx.clone(), Arc::clone(&paused), Arc::clone(&stop));
        detach(move || input(&events, &paused, &stop))?;
    }
    {
        let (events, paused, stop) = (events_tx.clone(), Arc::clone(&paused), Arc::clone(&stop));
        detach(move || watch_terminal(signals, &events, &paused, &stop))?;
    }
    let mut app = App {
        line: options.line.clone(),
        scopes: options.scopes.clone(),
        scope_at: start,
        include_non_interactive: options.include_non_interactive,
        ..App::default()
    };
    if options.update {
        "updating the index…".clone_into(&mut app.status);
        let (events, config) = (events_tx.clone(), config.clone());
        detach(move || worker::update(&config, &events))?;
    }
    drop(events_tx);
    let outcome = run_loop(
        config,
        options,
        &mut screen,
        &mut app,
        &jobs,
        &events,
        &paused,
    );
    stop.store(true, Ordering::Relaxed);
    drop(jobs);
    screen.suspend();
    outcome
}

/// Starts `work` on a thread left to end with the process; a thread the system refuses (a
/// process limit) is an error, not a panic, and the screen is given back on the way out.
fn detach(work: impl FnOnce() + Send + 'static) -> Result<()> {
    std::thread::Builder::new()
        .spawn(work)
        .map(drop)
        .map_err(|e| Error::Usage(format!("cannot start the picker's threads: {e}")))
}

fn request(app: &mut App, options: &Options, jobs: &Sender<Job>) {
    app.asked += 1;
    let _ = jobs.send(Job::List(
        app.asked,
        PickRequest {
            line: app.line.clone(),
            scope: app.scope().clone(),
            include_non_interactive: app.include_non_interactive,
            here: options.here.clone(),
            limit: 500,
        },
    ));
}

fn ask_preview(app: &mut App, jobs: &Sender<Job>) {
    if let Some(id) = app.selected_id().map(str::to_owned)
        && app.preview.0.as_deref() != Some(&id)
    {
        app.preview_asked += 1;
        let _ = jobs.send(Job::Preview(app.preview_asked, id, app.words.clone()));
    }
}

fn run_loop(
    config: &Config,
    options: &Options,
    screen: &mut Screen,
    app: &mut App,
    jobs: &Sender<Job>,
    events: &Receiver<Event>,
    paused: &InputGate,
) -> Result<Outcome> {
    let theme = Theme {
        color: options.color,
    };
    request(app, options, jobs);
    let mut resized = false;
    loop {
        let mut cursor = None;
        {
            // A redraw after a resize asks the terminal where the cursor is (inline viewport).
            let _held = std::mem::take(&mut resized).then(|| paused.hold());
            let drawn = screen
                .terminal
                .draw(|frame| draw::draw(frame, app, theme, &config.zone, &mut cursor));
            match drawn {
                Ok(_) => {}
                Err(_) if terminal_gone() => return Ok(Outcome::Cancelled),
                Err(e) => return Err(Error::io("/dev/tty", e)),
            }
        }
        let page = draw::list_height(screen.terminal.get_frame().area());
        // Block for one event, then take whatever else is already waiting before drawing.
        let Ok(first) = events.recv() else {
            return Ok(Outcome::Cancelled);
        };
        let mut next = Some(first);
        while let Some(event) = next.take() {
            match event {
                Event::Term(TermEvent::Key(key)) => match app.key(key, page) {
                    Action::Requery => request(app, options, jobs),
                    Action::Repreview => ask_preview(app, jobs),
                    Action::Nothing => {}
                    Action::Cancel => return Ok(Outcome::Cancelled),
                    Action::Choose(id) => return Ok(Outcome::Chosen(id)),
                    Action::Resume(id) => return Ok(Outcome::Resume(id)),
                    Action::Show(id) => {
                        if let Some(show) = &options.show {
                            let _held = paused.hold();
                            paused.paging.store(true, Ordering::Relaxed);
                            screen.suspend();
                            if let Err(e) = page_session(show, &id) {
                                app.status = format!("could not show it: {e}");
                            }
                            screen.resume();
                            paused.paging.store(false, Ordering::Relaxed);
                        }
                    }
                },
                Event::Term(TermEvent::Paste(text)) => {
                    app.line.extend(text.chars().filter(|c| !c.is_control()));
                    request(app, options, jobs);
                }
                Event::Term(TermEvent::Resize(..)) => resized = true,
                Event::Term(_) => {}
                // Nobody is left to tell: end as cancelled, quietly.
                Event::InputClosed(_) | Event::Hangup => return Ok(Outcome::Cancelled),
                Event::Listed {
                    seq,
                    rows,
                    words,
                    problem,
                } => {
                    if app.listed(seq, rows, words, problem) {
                        app.preview.0 = None;
                        ask_preview(app, jobs);
                    }
                }
                Event::Previewed { seq, lines } => {
                    if seq == app.preview_asked {
                        app.preview = (app.selected_id().map(str::to_owned), lines);
                    }
                }
                Event::Updated { changed, notes } => {
                    app.status = match (changed, notes.first()) {
                        (_, Some(note)) => note.clone(),
                        (true, None) => "index updated".to_owned(),
                        (false, None) => String::new(),
                    };
                    if changed {
                        let _ = jobs.send(Job::Reopen);
                        request(app, options, jobs);
                    }
                }
            }
            next = events.try_recv().ok();
        }
    }
}

/// Ctrl-O: `rolldex show ID` through the pager, on the terminal.
fn page_session(show: &ShowCommand, id: &str) -> std::io::Result<()> {
    use std::process::{Command, Stdio};
    let tty_out = std::fs::OpenOptions::new().write(true).open("/dev/tty")?;
    let tty_in = File::open("/dev/tty")?;
    let (pager, pager_args) = show
        .pager
        .split_first()
        .map_or(("less", &[][..]), |(p, a)| (p.as_str(), a));
    let mut pager = Command::new(pager)
        .args(pager_args)
        .stdin(Stdio::piped())
        .stdout(tty_out.try_clone()?)
        .spawn()?;
    let Some(pipe) = pager.stdin.take() else {
        return Ok(());
    };
    let mut command = Command::new(&show.program);
    command.args(&show.args);
    if id.starts_with('-') {
        command.arg("--");
    }
    command
        .arg(id)
        .stdin(tty_in)
        .stdout(pipe)
        .stderr(Stdio::null());
    let shown = command.spawn();
    // The command holds the pipe's writing end: the pager only sees the end of the text once
    // it is gone (a pager that reads to the end first would otherwise wait forever).
    drop(command);
    let _ = shown?.wait();
    pager.wait()?;
    let _ = std::io::stdout().flush();
    Ok(())
}
