//! `rolldex pick`'s terminal front end: an inline picker (the bottom of the screen, or the
//! whole of it with `--full-screen`) drawn on `/dev/tty`, so stdout stays free for the id it
//! prints: `codex resume "$(rolldex pick)"` works.
//!
//! Three threads: this one reads nothing but events and draws; `input` turns terminal events
//! into [`worker::Event`]s; the worker owns the index and answers the newest request. The
//! picker opens on the last commit at once while an updater brings the index up to date; when
//! that lands the list is ranked again and the status line says so. What to list and in which
//! order is the library's (`pick`); this module only draws and reads keys.

mod draw;
mod state;
pub mod worker;

use std::fs::File;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{self, Event as TermEvent};
use ratatui::crossterm::{cursor, execute, terminal};
use ratatui::layout::Position;
use ratatui::{Terminal, TerminalOptions, Viewport};

use crate::config::Config;
use crate::error::{Error, Result};
use crate::pick::{PickRequest, Scope, default_scope};
use draw::Theme;
use state::{Action, App};
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

/// The terminal, restored however the picker ends.
struct Screen {
    terminal: Terminal<CrosstermBackend<File>>,
    full_screen: bool,
    /// Whether the terminal has been given back.
    suspended: bool,
    /// stdout as it was, while fd 1 points at the terminal (see [`StdoutOnTty`]).
    _stdout: StdoutOnTty,
}

/// fd 1 pointed at `/dev/tty` while the picker runs, put back when dropped.
///
/// crossterm asks the terminal where the cursor is (which the inline viewport needs, at start
/// and on every resize) by writing the query to the process's stdout, always; with stdout
/// captured (`$(rolldex pick)`) the query would land in the capture and the answer never come.
/// So for the picker's lifetime stdout is the terminal, and the id is printed after.
struct StdoutOnTty {
    #[cfg(unix)]
    saved: Option<std::os::fd::OwnedFd>,
}

impl StdoutOnTty {
    fn new(tty: &File) -> StdoutOnTty {
        #[cfg(unix)]
        {
            let _ = std::io::stdout().flush();
            let saved = rustix::io::dup(std::io::stdout()).ok();
            if saved.is_some() {
                let _ = rustix::stdio::dup2_stdout(tty);
            }
            StdoutOnTty { saved }
        }
        #[cfg(not(unix))]
        {
            let _ = tty;
            StdoutOnTty {}
        }
    }
}

impl Drop for StdoutOnTty {
    fn drop(&mut self) {
        #[cfg(unix)]
        if let Some(saved) = self.saved.take() {
            let _ = std::io::stdout().flush();
            let _ = rustix::stdio::dup2_stdout(&saved);
        }
    }
}

impl Screen {
    fn open(full_screen: bool) -> Result<Screen> {
        let tty = || {
            std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .open("/dev/tty")
                .map_err(|e| Error::Usage(format!("rolldex pick needs a terminal: /dev/tty: {e}")))
        };
        let mut out = tty()?;
        let stdout = StdoutOnTty::new(&out);
        let (_, rows) = terminal::size().map_err(|e| Error::io("/dev/tty", e))?;
        terminal::enable_raw_mode().map_err(|e| Error::io("/dev/tty", e))?;
        let viewport = if full_screen {
            let _ = execute!(out, terminal::EnterAlternateScreen);
            Viewport::Fullscreen
        } else {
            Viewport::Inline(inline_height(rows))
        };
        let terminal =
            Terminal::with_options(CrosstermBackend::new(out), TerminalOptions { viewport });
        match terminal {
            Ok(terminal) => Ok(Screen {
                terminal,
                full_screen,
                suspended: false,
                _stdout: stdout,
            }),
            Err(e) => {
                let _ = terminal::disable_raw_mode();
                Err(Error::io("/dev/tty", e))
            }
        }
    }

    /// Gives the terminal back (for the pager, or at the end).
    fn suspend(&mut self) {
        if std::mem::replace(&mut self.suspended, true) {
            return;
        }
        let area = self.terminal.get_frame().area();
        let _ = self.terminal.clear();
        let backend = self.terminal.backend_mut();
        if self.full_screen {
            let _ = execute!(backend, terminal::LeaveAlternateScreen);
        } else {
            let _ =
                ratatui::backend::Backend::set_cursor_position(backend, Position::new(0, area.y));
        }
        let _ = execute!(backend, cursor::Show);
        let _ = terminal::disable_raw_mode();
    }

    /// Takes the terminal again after [`Screen::suspend`].
    fn resume(&mut self) {
        self.suspended = false;
        let _ = terminal::enable_raw_mode();
        if self.full_screen {
            let _ = execute!(self.terminal.backend_mut(), terminal::EnterAlternateScreen);
        }
        let _ = self.terminal.clear();
    }
}

impl Drop for Screen {
    fn drop(&mut self) {
        self.suspend();
    }
}

/// The inline picker's height: half the screen, at least 12 rows (all of a smaller screen).
fn inline_height(rows: u16) -> u16 {
    rows.min((rows / 2).max(12))
}

/// Runs the picker until a session is chosen or it is cancelled.
pub fn run(config: &Config, options: &Options) -> Result<Outcome> {
    let store = worker::open_as_is(config)?;
    let start = options.start.unwrap_or_else(|| {
        let scope = default_scope(&store, &options.here, options.include_non_interactive);
        options.scopes.iter().position(|s| *s == scope).unwrap_or(0)
    });
    let mut screen = Screen::open(options.full_screen)?;
    let (events_tx, events) = mpsc::channel::<Event>();
    let (jobs, jobs_rx) = mpsc::channel::<Job>();
    let paused = Arc::new(InputGate::default());
    let stop = Arc::new(AtomicBool::new(false));
    std::thread::scope(|threads| -> Result<Outcome> {
        {
            let events = events_tx.clone();
            let (previews, previews_rx) = mpsc::channel();
            threads.spawn(move || worker::work(config, store, &jobs_rx, &previews, &events));
            let events = events_tx.clone();
            threads.spawn(move || worker::previewer(&previews_rx, &events));
        }
        {
            let (events, paused, stop) =
                (events_tx.clone(), Arc::clone(&paused), Arc::clone(&stop));
            threads.spawn(move || input(&events, &paused, &stop));
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
            let events = events_tx.clone();
            threads.spawn(move || worker::update(config, &events));
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
    })
}

/// Keeps the input thread off the terminal while held: for the pager, and while a redraw after
/// a resize asks the terminal where the cursor is (crossterm reads that answer from the same
/// input the thread polls, and a poll racing it could make the question time out).
#[derive(Debug, Default)]
struct InputGate {
    held: AtomicBool,
    lock: Mutex<()>,
}

impl InputGate {
    /// Waits until the input thread is out of its poll, and keeps it out until dropped.
    fn hold(&self) -> GateHeld<'_> {
        self.held.store(true, Ordering::Relaxed);
        let guard = self.lock.lock().unwrap_or_else(PoisonError::into_inner);
        GateHeld {
            gate: self,
            _guard: guard,
        }
    }
}

struct GateHeld<'a> {
    gate: &'a InputGate,
    _guard: std::sync::MutexGuard<'a, ()>,
}

impl Drop for GateHeld<'_> {
    fn drop(&mut self) {
        self.gate.held.store(false, Ordering::Relaxed);
    }
}

/// Reads terminal events and forwards them until told to stop (or while paused, not at all:
/// the pager reads the terminal then).
fn input(events: &Sender<Event>, paused: &InputGate, stop: &AtomicBool) {
    while !stop.load(Ordering::Relaxed) {
        if paused.held.load(Ordering::Relaxed) {
            std::thread::sleep(Duration::from_millis(5));
            continue;
        }
        let _reading = paused.lock.lock().unwrap_or_else(PoisonError::into_inner);
        match event::poll(Duration::from_millis(50)) {
            Ok(false) => {}
            Ok(true) => match event::read() {
                Ok(ev) => {
                    if events.send(Event::Term(ev)).is_err() {
                        return;
                    }
                }
                Err(e) => {
                    let _ = events.send(Event::InputClosed(e.to_string()));
                    return;
                }
            },
            Err(e) => {
                let _ = events.send(Event::InputClosed(e.to_string()));
                return;
            }
        }
    }
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
            screen
                .terminal
                .draw(|frame| draw::draw(frame, app, theme, &config.zone, &mut cursor))
                .map_err(|e| Error::io("/dev/tty", e))?;
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
                            screen.suspend();
                            if let Err(e) = page_session(show, &id) {
                                app.status = format!("could not show it: {e}");
                            }
                            screen.resume();
                        }
                    }
                },
                Event::Term(TermEvent::Paste(text)) => {
                    app.line.extend(text.chars().filter(|c| !c.is_control()));
                    request(app, options, jobs);
                }
                Event::Term(TermEvent::Resize(..)) => resized = true,
                Event::Term(_) => {}
                Event::InputClosed(e) => {
                    return Err(Error::Usage(format!("the terminal closed: {e}")));
                }
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
    let mut shown = Command::new(&show.program);
    shown.args(&show.args);
    if id.starts_with('-') {
        shown.arg("--");
    }
    let mut shown = shown
        .arg(id)
        .stdin(tty_in)
        .stdout(pipe)
        .stderr(Stdio::null())
        .spawn()?;
    let _ = shown.wait();
    pager.wait()?;
    let _ = std::io::stdout().flush();
    Ok(())
}
