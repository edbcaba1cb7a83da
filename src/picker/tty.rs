//! The terminal the picker draws on: taken (raw mode, `/dev/tty`, stdout pointed at it), given
//! back however the picker ends, read by the input thread, and watched for going away — a
//! closed terminal cannot be told apart from a quiet one by crossterm, whose reader spins on
//! the dead tty instead of reporting it.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use ratatui::backend::{Backend, ClearType, CrosstermBackend};
use ratatui::crossterm::event;
use ratatui::crossterm::{cursor, execute, terminal};
use ratatui::layout::Position;
use ratatui::{Terminal, TerminalOptions, Viewport};
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

use super::worker::Event;
use crate::error::{Error, Result};

/// The terminal, restored however the picker ends.
pub(super) struct Screen {
    /// Buffered: a frame goes out in one write, not one per cell and escape sequence (each
    /// of which the terminal would have to read and render on its own).
    pub(super) terminal: Terminal<CrosstermBackend<BufWriter<File>>>,
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
            // What is still buffered was meant for the terminal (a cursor query, say); when
            // the terminal is gone it cannot be written there and would land in the capture
            // at exit, so it goes nowhere.
            if std::io::stdout().flush().is_err()
                && let Ok(null) = std::fs::OpenOptions::new().write(true).open("/dev/null")
            {
                let _ = rustix::stdio::dup2_stdout(&null);
                let _ = std::io::stdout().flush();
            }
            let _ = rustix::stdio::dup2_stdout(&saved);
        }
    }
}

impl Screen {
    pub(super) fn open(full_screen: bool) -> Result<Screen> {
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
        let backend = CrosstermBackend::new(BufWriter::with_capacity(1 << 16, out));
        let terminal = Terminal::with_options(backend, TerminalOptions { viewport });
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
    pub(super) fn suspend(&mut self) {
        if std::mem::replace(&mut self.suspended, true) {
            return;
        }
        // Nothing to give back to a terminal that is gone, and clearing would wait for the
        // answer to a cursor query that never comes.
        if terminal_gone() {
            return;
        }
        let area = self.terminal.get_frame().area();
        let backend = self.terminal.backend_mut();
        if self.full_screen {
            let _ = execute!(backend, terminal::LeaveAlternateScreen);
        } else {
            // Not `Terminal::clear`: it asks the terminal where the cursor is first, and the
            // answer can take the input thread's next poll (or never come).
            let _ = Backend::set_cursor_position(backend, Position::new(0, area.y));
            let _ = Backend::clear_region(backend, ClearType::AfterCursor);
        }
        let _ = execute!(backend, cursor::Show);
        let _ = terminal::disable_raw_mode();
    }

    /// Takes the terminal again after [`Screen::suspend`].
    pub(super) fn resume(&mut self) {
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

/// Starts catching the signals that end the picker as cancelled (see [`watch_terminal`]).
pub(super) fn catch_signals() -> Result<Signals> {
    Signals::new([SIGHUP, SIGTERM, SIGINT])
        .map_err(|e| Error::Usage(format!("rolldex pick cannot catch signals: {e}")))
}

/// Whether the terminal is gone: after a hangup (its window closed) the process has no
/// controlling terminal any more and `/dev/tty` no longer opens.
pub(super) fn terminal_gone() -> bool {
    File::open("/dev/tty").is_err()
}

/// Tells the loop when the terminal goes away: a hangup, SIGTERM or SIGINT (the latter not
/// while the pager has the terminal: Ctrl-C there is the pager's), or the terminal closing
/// under the picker, which crossterm's reader cannot report (it spins on the dead tty).
pub(super) fn watch_terminal(
    mut signals: Signals,
    events: &Sender<Event>,
    gate: &InputGate,
    stop: &AtomicBool,
) {
    while !stop.load(Ordering::Relaxed) {
        let paging = gate.paging.load(Ordering::Relaxed);
        let signalled = signals.pending().any(|signal| signal != SIGINT || !paging);
        if signalled || terminal_gone() {
            let _ = events.send(Event::Hangup);
            return;
        }
        std::thread::sleep(Duration::from_millis(40));
    }
    signals.handle().close();
}

/// Keeps the input thread off the terminal while held: for the pager, and while a redraw after
/// a resize asks the terminal where the cursor is (crossterm reads that answer from the same
/// input the thread polls, and a poll racing it could make the question time out).
#[derive(Debug, Default)]
pub(super) struct InputGate {
    held: AtomicBool,
    lock: Mutex<()>,
    /// The pager has the terminal.
    pub(super) paging: AtomicBool,
}

impl InputGate {
    /// Waits until the input thread is out of its poll, and keeps it out until dropped.
    pub(super) fn hold(&self) -> GateHeld<'_> {
        self.held.store(true, Ordering::Relaxed);
        let guard = self.lock.lock().unwrap_or_else(PoisonError::into_inner);
        GateHeld {
            gate: self,
            _guard: guard,
        }
    }
}

pub(super) struct GateHeld<'a> {
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
pub(super) fn input(events: &Sender<Event>, paused: &InputGate, stop: &AtomicBool) {
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
