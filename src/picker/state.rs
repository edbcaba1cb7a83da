//! The picker's state and what each key does to it, apart from the terminal (so it is tested
//! without one).

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::worker::Row;
use crate::pick::{PreviewLine, Scope};

/// What the input loop does after a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Nothing at all (an ignored key).
    Nothing,
    /// The line, the scope or the filter changed: ask the worker again.
    Requery,
    /// The selection moved: ask for its preview.
    Repreview,
    /// Enter: this session.
    Choose(String),
    /// Esc or Ctrl-C.
    Cancel,
    /// Ctrl-R: run `codex resume` on this session.
    Resume(String),
    /// Ctrl-O: page through this session.
    Show(String),
}

/// Everything on screen.
#[derive(Debug, Default)]
pub struct App {
    /// The typed line.
    pub line: String,
    /// The scopes Tab cycles through.
    pub scopes: Vec<Scope>,
    /// The current one.
    pub scope_at: usize,
    /// Ctrl-N: `codex exec` and sub-agent sessions too.
    pub include_non_interactive: bool,
    /// The list, best first.
    pub rows: Vec<Row>,
    /// Words to highlight.
    pub words: Vec<String>,
    /// A problem with the typed line or the query.
    pub problem: Option<String>,
    /// The selected row.
    pub selected: usize,
    /// The first row shown.
    pub offset: usize,
    /// The selected session's excerpts, and whose they are.
    pub preview: (Option<String>, Vec<PreviewLine>),
    /// What the index update is doing.
    pub status: String,
    /// The newest list request sent, and the one on screen.
    pub asked: u64,
    /// The list request the rows answer.
    pub shown: u64,
    /// The newest preview request sent.
    pub preview_asked: u64,
}

impl App {
    /// The current scope.
    pub fn scope(&self) -> &Scope {
        self.scopes.get(self.scope_at).unwrap_or(&Scope::Everywhere)
    }

    /// The selected row's id.
    pub fn selected_id(&self) -> Option<&str> {
        self.rows.get(self.selected).map(|r| r.id.as_str())
    }

    /// Whether an answer to the newest request is still due.
    pub fn searching(&self) -> bool {
        self.shown < self.asked
    }

    /// Takes a new list (unless an answer to a newer request is already shown).
    pub fn listed(
        &mut self,
        seq: u64,
        rows: Vec<Row>,
        words: Vec<String>,
        problem: Option<String>,
    ) -> bool {
        if seq < self.shown {
            return false;
        }
        self.shown = seq;
        self.rows = rows;
        self.words = words;
        self.problem = problem;
        // A new ranking starts at its best row.
        self.selected = 0;
        self.offset = 0;
        true
    }

    /// Applies one key.
    pub fn key(&mut self, key: KeyEvent, page: usize) -> Action {
        if key.kind == KeyEventKind::Release {
            return Action::Nothing;
        }
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let chosen = |a: fn(String) -> Action, app: &App| {
            app.selected_id()
                .map_or(Action::Nothing, |id| a(id.to_owned()))
        };
        match key.code {
            KeyCode::Char('c') if ctrl => Action::Cancel,
            KeyCode::Esc => Action::Cancel,
            KeyCode::Enter => chosen(Action::Choose, self),
            KeyCode::Char('r') if ctrl => chosen(Action::Resume, self),
            KeyCode::Char('o') if ctrl => chosen(Action::Show, self),
            KeyCode::Char('n') if ctrl => {
                self.include_non_interactive = !self.include_non_interactive;
                Action::Requery
            }
            KeyCode::Tab => {
                self.scope_at = (self.scope_at + 1) % self.scopes.len().max(1);
                Action::Requery
            }
            KeyCode::BackTab => {
                let n = self.scopes.len().max(1);
                self.scope_at = (self.scope_at + n - 1) % n;
                Action::Requery
            }
            KeyCode::Char('u') if ctrl => {
                self.line.clear();
                Action::Requery
            }
            KeyCode::Char('w') if ctrl => {
                let kept = self.line.trim_end().len();
                let cut = self.line[..kept]
                    .rfind(char::is_whitespace)
                    .map_or(0, |i| i + 1);
                self.line.truncate(cut);
                Action::Requery
            }
            KeyCode::Backspace => {
                if self.line.pop().is_some() {
                    Action::Requery
                } else {
                    Action::Nothing
                }
            }
            KeyCode::Up => self.move_by(-1),
            KeyCode::Char('p' | 'k') if ctrl => self.move_by(-1),
            KeyCode::Down => self.move_by(1),
            KeyCode::Char('j') if ctrl => self.move_by(1),
            KeyCode::PageUp => self.move_by(-(page.max(1) as isize)),
            KeyCode::PageDown => self.move_by(page.max(1) as isize),
            KeyCode::Home if ctrl => self.move_by(isize::MIN / 2),
            KeyCode::End if ctrl => self.move_by(isize::MAX / 2),
            KeyCode::Char(c) if !ctrl && !c.is_control() => {
                self.line.push(c);
                Action::Requery
            }
            _ => Action::Nothing,
        }
    }

    fn move_by(&mut self, by: isize) -> Action {
        if self.rows.is_empty() {
            return Action::Nothing;
        }
        let last = self.rows.len() - 1;
        let to = (self.selected as isize)
            .saturating_add(by)
            .clamp(0, last as isize) as usize;
        if to == self.selected {
            return Action::Nothing;
        }
        self.selected = to;
        Action::Repreview
    }

    /// Scrolls so that the selection is among the `height` rows shown.
    pub fn scroll_into_view(&mut self, height: usize) {
        let height = height.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + height {
            self.offset = self.selected + 1 - height;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(app: &mut App, code: KeyCode, modifiers: KeyModifiers) -> Action {
        app.key(KeyEvent::new(code, modifiers), 10)
    }

    #[test]
    fn keys_edit_move_and_choose() {
        let mut app = App {
            scopes: vec![Scope::Directory("/p".into()), Scope::Everywhere],
            ..App::default()
        };
        assert_eq!(
            press(&mut app, KeyCode::Char('a'), KeyModifiers::NONE),
            Action::Requery
        );
        assert_eq!(app.line, "a");
        assert_eq!(
            press(&mut app, KeyCode::Enter, KeyModifiers::NONE),
            Action::Nothing
        );
        let row = |id: &str| Row {
            id: id.into(),
            ..Row::default()
        };
        assert!(app.listed(1, vec![row("x"), row("y")], vec![], None));
        assert!(
            !app.listed(0, vec![], vec![], None),
            "an older answer is dropped"
        );
        assert_eq!(
            press(&mut app, KeyCode::Down, KeyModifiers::NONE),
            Action::Repreview
        );
        assert_eq!(
            press(&mut app, KeyCode::Down, KeyModifiers::NONE),
            Action::Nothing
        );
        assert_eq!(
            press(&mut app, KeyCode::Enter, KeyModifiers::NONE),
            Action::Choose("y".into())
        );
        assert_eq!(
            press(&mut app, KeyCode::Tab, KeyModifiers::NONE),
            Action::Requery
        );
        assert_eq!(app.scope(), &Scope::Everywhere);
        press(&mut app, KeyCode::Tab, KeyModifiers::NONE);
        assert_eq!(app.scope_at, 0);
        assert_eq!(
            press(&mut app, KeyCode::Char('c'), KeyModifiers::CONTROL),
            Action::Cancel
        );
        assert_eq!(
            press(&mut app, KeyCode::Char('r'), KeyModifiers::CONTROL),
            Action::Resume("y".into())
        );
    }
}
